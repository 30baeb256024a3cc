using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>Deletes finished job runs older than 30 days (the console shows the latest, the chart the last 24 hours).</summary>
public sealed class PurgeJobRunsJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time) : IPortalJob
{
    public const string JobName = "purge-job-runs";

    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    public string Name => JobName;

    public string? DefaultSchedule => "0 10 4 * * *";

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - Retention;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.JobRuns
            .Where(r => r.FinishedAt != null && r.FinishedAt < cutoff && (r.Status == JobRunStatus.Succeeded || r.Status == JobRunStatus.Failed || r.Status == JobRunStatus.Skipped))
            .ExecuteDeleteAsync(cancellationToken);
        return JobOutcome.Purged(deleted, cutoff);
    }
}
