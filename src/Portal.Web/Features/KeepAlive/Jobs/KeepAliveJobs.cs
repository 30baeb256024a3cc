using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Client.Models;
using Portal.Web.Features.Component;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>Renews the component token when it is within its margin of expiry, never more often.</summary>
public sealed class RenewComponentTokenJob(ComponentTokenService component, IOptionsMonitor<WeChatOptions> wechat, TimeProvider time) : IPortalJob
{
    public const string JobName = "renew-component-token";

    public string Name => JobName;

    public string? DefaultSchedule => "0 * * * * *";

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        var (ticketAt, _, expiresAt) = await component.StatusAsync(cancellationToken);
        if (ticketAt is null)
        {
            return new JobOutcome("no ticket yet");
        }

        if (expiresAt is { } e && e - wechat.CurrentValue.ComponentTokenRefreshMargin > time.GetUtcNow())
        {
            return new JobOutcome($"valid until {e:u}; nothing to do");
        }

        return new JobOutcome($"renewed; valid until {await component.RenewAsync(cancellationToken):u}", 1);
    }
}

/// <summary>The refresh sweep: refreshes every authorizer token that is due.</summary>
public sealed class RefreshAuthorizerTokensJob(RefreshSweep sweep) : IPortalJob
{
    public const string JobName = "refresh-authorizer-tokens";

    public string Name => JobName;

    public string? DefaultSchedule => "30 * * * * *";

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        var result = await sweep.RunAsync(cancellationToken);
        return new JobOutcome(result.ToString(), result.Succeeded, result.Failed);
    }
}

/// <summary>When no ticket has arrived for a while: ask WeChat to push again and alert ops (the last ticket stays in use while valid).</summary>
public sealed class TicketWatchdogJob(ComponentTokenService component, ComponentApiClient client, AlertService alerts, IOptionsMonitor<KeepAliveOptions> options, TimeProvider time) : IPortalJob
{
    public const string JobName = "ticket-watchdog";

    public string Name => JobName;

    public string? DefaultSchedule => "15 */5 * * * *";

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        var (receivedAt, _, _) = await component.StatusAsync(cancellationToken);
        var age = receivedAt is { } at ? time.GetUtcNow() - at : (TimeSpan?)null;
        if (age is { } a && a < options.CurrentValue.TicketStaleAfter)
        {
            return new JobOutcome($"last ticket {a.TotalMinutes:0} min ago");
        }

        var detail = age is null ? "no ticket has ever arrived" : $"no ticket for {age.Value.TotalMinutes:0} minutes";
        var answer = await client.StartPushTicketAsync(new StartPushTicketRequest(), cancellationToken);
        await alerts.RaiseAsync("ticket_missing", AlertSeverity.Critical, null, $"{detail}; api_start_push_ticket answered '{answer.ErrMsg}'. The last ticket is used while it is valid (12 h). Check the authorization event URL and the firewall.", cancellationToken: cancellationToken);
        return new JobOutcome($"{detail}; asked WeChat to push", 0, 1);
    }
}

/// <summary>Refreshes one account now (ops' "refresh now"); the outcome's summary is a <see cref="RefreshOutcome"/> name.</summary>
public sealed class RefreshAuthorizerJob(IDbContextFactory<PortalDbContext> dbFactory, AuthorizerTokenRefresher refresher) : IPortalJob
{
    public const string JobName = "refresh-authorizer";

    public string Name => JobName;

    public string? DefaultSchedule => null;

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        var id = await AuthorizerIdAsync(dbFactory, target, cancellationToken);
        var outcome = id is null ? RefreshOutcome.Gone : await refresher.RefreshAsync(id.Value, "forced by ops", cancellationToken);
        return Outcome(outcome);
    }

    internal static async Task<int?> AuthorizerIdAsync(IDbContextFactory<PortalDbContext> dbFactory, string? appId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Authorizers.Where(a => a.AppId == appId).Select(a => (int?)a.Id).FirstOrDefaultAsync(cancellationToken);
    }

    internal static JobOutcome Outcome(RefreshOutcome outcome)
        => new(outcome.ToString(), outcome is RefreshOutcome.Refreshed or RefreshOutcome.Recovered ? 1 : 0, outcome is RefreshOutcome.Failed or RefreshOutcome.NeedsReauthorization or RefreshOutcome.Revoked or RefreshOutcome.QuotaPaused ? 1 : 0);
}

/// <summary>A newly bound account's first refresh, queued for when it falls due: refreshes only if it still is (a sweep may have been first).</summary>
public sealed class RefreshAuthorizerWhenDueJob(IDbContextFactory<PortalDbContext> dbFactory, AuthorizerTokenRefresher refresher, TimeProvider time) : IPortalJob
{
    public const string JobName = "refresh-authorizer-when-due";

    public string Name => JobName;

    public string? DefaultSchedule => null;

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.AuthorizerTokens.AsNoTracking().Where(t => t.Authorizer!.AppId == target).Select(t => new { t.AuthorizerId, t.RefreshDueAt }).FirstOrDefaultAsync(cancellationToken);
        if (token is null)
        {
            return RefreshAuthorizerJob.Outcome(RefreshOutcome.Gone);
        }

        return token.RefreshDueAt is { } due && due <= time.GetUtcNow()
            ? RefreshAuthorizerJob.Outcome(await refresher.RefreshAsync(token.AuthorizerId, "first refresh", cancellationToken))
            : RefreshAuthorizerJob.Outcome(RefreshOutcome.NotDue);
    }
}

/// <summary>Fetches one account's details and granted sets from WeChat again (ops' "resync").</summary>
public sealed class ResyncAuthorizerJob(Onboarding.AuthorizationExchanger exchanger) : IPortalJob
{
    public const string JobName = "resync-authorizer";

    public string Name => JobName;

    public string? DefaultSchedule => null;

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
        => await exchanger.SyncDetailsAsync(target ?? string.Empty, cancellationToken) ? new JobOutcome("Resynced", 1) : new JobOutcome("ResyncFailed", 0, 1);
}
