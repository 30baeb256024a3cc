using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Web.Features.KeepAlive.Jobs;

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
