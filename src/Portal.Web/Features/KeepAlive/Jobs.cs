using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Client.Models;
using Portal.Web.Features.Component;
using Portal.Web.Features.Onboarding;
using Portal.Web.Features.WeChat;
using Quartz;

namespace Portal.Web.Features.KeepAlive;

/// <summary>Renews the component token when it is within its margin of expiry, never more often.</summary>
[DisallowConcurrentExecution]
public sealed class RenewComponentTokenJob(ComponentTokenService component, IOptionsMonitor<WeChatOptions> wechat, TimeProvider time) : IJob
{
    public static readonly JobKey Key = new("renew-component-token", "keep-alive");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var (ticketAt, _, expiresAt) = await component.StatusAsync(cancellationToken);
        if (ticketAt is null)
        {
            context.Result = "no ticket yet";
            return;
        }

        if (expiresAt is { } e && e - wechat.CurrentValue.ComponentTokenRefreshMargin > time.GetUtcNow())
        {
            context.Result = $"valid until {e:u}; nothing to do";
            return;
        }

        context.Result = $"renewed; valid until {await component.RenewAsync(cancellationToken):u}";
    }
}

/// <summary>Refreshes every authorizer token that is due.</summary>
[DisallowConcurrentExecution]
public sealed class RefreshAuthorizerTokensJob(RefreshSweep sweep) : IJob
{
    public static readonly JobKey Key = new("refresh-authorizer-tokens", "keep-alive");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        => context.Result = await sweep.RunAsync(cancellationToken);
}

/// <summary>When no ticket has arrived for a while: ask WeChat to push again and alert ops (the last ticket stays in use while valid).</summary>
[DisallowConcurrentExecution]
public sealed class TicketWatchdogJob(ComponentTokenService component, ComponentApiClient client, AlertService alerts, IOptionsMonitor<KeepAliveOptions> options, TimeProvider time) : IJob
{
    public static readonly JobKey Key = new("ticket-watchdog", "keep-alive");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var (receivedAt, _, _) = await component.StatusAsync(cancellationToken);
        var age = receivedAt is { } at ? time.GetUtcNow() - at : (TimeSpan?)null;
        if (age is { } a && a < options.CurrentValue.TicketStaleAfter)
        {
            context.Result = $"last ticket {a.TotalMinutes:0} min ago";
            return;
        }

        var detail = age is null ? "no ticket has ever arrived" : $"no ticket for {age.Value.TotalMinutes:0} minutes";
        var answer = await client.StartPushTicketAsync(new StartPushTicketRequest(), cancellationToken);
        await alerts.RaiseAsync("ticket_missing", AlertSeverity.Critical, null, $"{detail}; api_start_push_ticket answered '{answer.ErrMsg}'. The last ticket is used while it is valid (12 h). Check the authorization event URL and the firewall.", cancellationToken: cancellationToken);
        context.Result = $"{detail}; asked WeChat to push";
    }
}

/// <summary>Compares our authorizers with WeChat's list: drift both ways, refresh-token mismatches (repaired), details refreshed.</summary>
[DisallowConcurrentExecution]
public sealed class ReconcileAuthorizersJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    ComponentTokenService component,
    AuthorizationExchanger exchanger,
    Data.TokenProtector protector,
    AlertService alerts) : IJob
{
    public static readonly JobKey Key = new("reconcile-authorizers", "keep-alive");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        => context.Result = (await ReconcileAsync(cancellationToken)).ToString();

    public async Task<ReconcileReport> ReconcileAsync(CancellationToken cancellationToken)
    {
        var remote = (await component.ListAuthorizersAsync(null, cancellationToken)).ToDictionary(i => i.AuthorizerAppId, i => i.RefreshToken, StringComparer.Ordinal);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var local = await db.Authorizers.Include(a => a.Token).Where(a => a.IsAuthorized).ToListAsync(cancellationToken);
        var unknownHere = remote.Keys.Except(local.Select(a => a.AppId)).Order().ToList();
        var goneThere = local.Where(a => !remote.ContainsKey(a.AppId)).Select(a => a.AppId).Order().ToList();
        var repaired = new List<string>();
        foreach (var authorizer in local.Where(a => a.Token is not null && remote.ContainsKey(a.AppId)))
        {
            if (protector.Unprotect(authorizer.Token!.RefreshTokenProtected) != remote[authorizer.AppId])
            {
                authorizer.Token.RefreshTokenProtected = protector.Protect(remote[authorizer.AppId]);
                authorizer.Token.LastError = "refresh token repaired by reconciliation";
                repaired.Add(authorizer.AppId);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        var synced = 0;
        foreach (var appId in local.Select(a => a.AppId).Where(remote.ContainsKey))
        {
            synced += await exchanger.SyncDetailsAsync(appId, cancellationToken) ? 1 : 0;
        }

        foreach (var appId in unknownHere)
        {
            await alerts.RaiseAsync("drift_unknown_here", AlertSeverity.Warning, appId, "authorized at WeChat but unknown to the portal", TimeSpan.FromDays(1), cancellationToken);
        }

        foreach (var appId in goneThere)
        {
            await alerts.RaiseAsync("drift_gone_there", AlertSeverity.Warning, appId, "active in the portal but no longer in WeChat's authorizer list", TimeSpan.FromDays(1), cancellationToken);
        }

        foreach (var appId in repaired)
        {
            await alerts.RaiseAsync("drift_refresh_token", AlertSeverity.Info, appId, "the stored refresh token differed from WeChat's and was repaired", TimeSpan.FromDays(1), cancellationToken);
        }

        return new ReconcileReport(remote.Count, local.Count, unknownHere, goneThere, repaired, synced);
    }
}

public sealed record ReconcileReport(int AtWeChat, int Here, IReadOnlyList<string> UnknownHere, IReadOnlyList<string> GoneThere, IReadOnlyList<string> Repaired, int DetailsSynced)
{
    public override string ToString()
        => $"{AtWeChat} at WeChat, {Here} here; unknown here: {UnknownHere.Count}; gone there: {GoneThere.Count}; refresh tokens repaired: {Repaired.Count}; details refreshed: {DetailsSynced}";
}
