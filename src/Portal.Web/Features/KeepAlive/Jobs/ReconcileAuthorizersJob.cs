using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Component;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>Compares our authorizers with WeChat's list: drift both ways, refresh-token mismatches (repaired), details refreshed.</summary>
public sealed class ReconcileAuthorizersJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    ComponentTokenService component,
    AuthorizationExchanger exchanger,
    Data.TokenProtector protector,
    AlertService alerts) : IPortalJob
{
    public const string JobName = "reconcile-authorizers";

    public string Name => JobName;

    public string? DefaultSchedule => "0 30 3 * * *";

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        var report = await ReconcileAsync(cancellationToken);
        return new JobOutcome(JobOutcomeCode.Reconciled, new JobOutcomeArgs
        {
            AtWeChat = report.AtWeChat, Here = report.Here, UnknownHere = report.UnknownHere.Count, GoneThere = report.GoneThere.Count,
            Repaired = report.Repaired.Count, DetailsSynced = report.DetailsSynced,
        }, report.DetailsSynced, report.UnknownHere.Count + report.GoneThere.Count);
    }

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
                authorizer.Token.LastFailureKind = FailureKind.RefreshTokenRepaired;
                authorizer.Token.LastFailureApi = null;
                authorizer.Token.LastFailureErrCode = null;
                authorizer.Token.LastFailureCode = null;
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

public sealed record ReconcileReport(int AtWeChat, int Here, IReadOnlyList<string> UnknownHere, IReadOnlyList<string> GoneThere, IReadOnlyList<string> Repaired, int DetailsSynced);
