using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Quartz;

namespace Portal.Web.Features.KeepAlive;

/// <summary>Records every job run (start, duration, outcome, summary) for the ops console.</summary>
public sealed class JobRunRecorder(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time) : IJobListener
{
    public string Name => "job-run-recorder";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public async ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var summary = jobException is null ? context.Result?.ToString() : (jobException.InnerException ?? jobException).Message;
        db.JobRuns.Add(new JobRun
        {
            JobName = context.JobDetail.Key.Name,
            StartedAt = time.GetUtcNow() - context.JobRunTime,
            DurationMs = (long)context.JobRunTime.TotalMilliseconds,
            Succeeded = jobException is null,
            Summary = summary is { Length: > 1000 } ? summary[..1000] : summary,
            ItemsSucceeded = (context.Result as SweepResult)?.Succeeded ?? 0,
            ItemsFailed = (context.Result as SweepResult)?.Failed ?? 0,
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}
