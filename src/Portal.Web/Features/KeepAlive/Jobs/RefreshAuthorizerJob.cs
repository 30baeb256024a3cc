using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>Refreshes one account now (ops' "refresh now"); the outcome carries the <see cref="RefreshOutcome"/>.</summary>
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
        => new(Portal.Data.Entities.JobOutcomeCode.Refresh, new Portal.Data.Entities.JobOutcomeArgs { Refresh = outcome.ToString() }, outcome is RefreshOutcome.Refreshed or RefreshOutcome.Recovered ? 1 : 0, outcome is RefreshOutcome.Failed or RefreshOutcome.NeedsReauthorization or RefreshOutcome.Revoked or RefreshOutcome.QuotaPaused ? 1 : 0);
}
