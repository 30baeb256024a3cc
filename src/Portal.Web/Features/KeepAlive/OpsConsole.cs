using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Identity;
using Portal.Web.Features.KeepAlive.Jobs;

namespace Portal.Web.Features.KeepAlive;

/// <summary>A recurring job as the console shows it.</summary>
public sealed record JobView(string Name, string Cron, bool Paused, DateTimeOffset? NextRun, JobRun? LastRun);

/// <summary>
/// What the ops console reads and does with the background jobs; every action is audited. Work ops start is queued as
/// a job and recorded, so its progress (enqueued → running → done, outcome) can be followed with <see cref="RunAsync"/>.
/// </summary>
public sealed class OpsConsole(JobRunner runner, IJobQueue queue, IOptionsMonitor<KeepAliveOptions> options, IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, ActorRights rights, TimeProvider time)
{
    public async Task<IReadOnlyList<JobView>> JobsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var paused = await db.JobPauses.Select(p => p.JobName).ToListAsync(cancellationToken);
        var next = queue.NextRuns();
        var views = new List<JobView>();
        foreach (var job in runner.Jobs.Where(j => j.DefaultSchedule is not null).OrderBy(j => j.Name, StringComparer.Ordinal))
        {
            var last = await db.JobRuns.AsNoTracking().Where(r => r.JobName == job.Name && r.FinishedAt != null).OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
            views.Add(new JobView(job.Name, CronOf(job), paused.Contains(job.Name), next.GetValueOrDefault(job.Name), last));
        }

        return views;
    }

    /// <summary>The latest runs of every job, newest first (the console's run history).</summary>
    public async Task<IReadOnlyList<JobRun>> HistoryAsync(int take, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.JobRuns.AsNoTracking().OrderByDescending(r => r.Id).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>One run, to follow its progress.</summary>
    public async Task<JobRun?> RunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.JobRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
    }

    /// <summary>Queues a run of a recurring job now (also when it is paused); returns the run to follow.</summary>
    public async Task<long> RunNowAsync(string job, Actor actor, CancellationToken cancellationToken)
    {
        await rights.DemandAsync(actor, cancellationToken, Roles.Ops, Roles.Admin);
        Recurring(job);
        var runId = await runner.EnqueueAsync(job, null, "ops:" + actor.Name, cancellationToken);
        await audit.WriteAsync(actor, "job.run_now", job, cancellationToken);
        return runId;
    }

    /// <summary>Pauses or resumes a recurring job; kept in our database, so it holds across restarts.</summary>
    public async Task PauseAsync(string job, bool pause, Actor actor, CancellationToken cancellationToken)
    {
        await rights.DemandAsync(actor, cancellationToken, Roles.Ops, Roles.Admin);
        var body = Recurring(job);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var existing = await db.JobPauses.FindAsync([job], cancellationToken);
            if (pause && existing is null)
            {
                db.JobPauses.Add(new JobPause { JobName = job, PausedAt = time.GetUtcNow(), PausedBy = actor.Name });
            }
            else if (!pause && existing is not null)
            {
                db.JobPauses.Remove(existing);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        queue.Schedule(job, pause || !options.CurrentValue.RunJobsOnSchedule ? null : CronOf(body));
        await audit.WriteAsync(actor, pause ? "job.paused" : "job.resumed", job, cancellationToken);
    }

    /// <summary>Queues a refresh of one account's token now; returns the run to follow (its summary is a <see cref="RefreshOutcome"/>).</summary>
    public async Task<long> ForceRefreshAsync(string appId, Actor actor, CancellationToken cancellationToken)
    {
        await rights.DemandAsync(actor, cancellationToken, Roles.Ops, Roles.Admin);
        var runId = await runner.EnqueueAsync(RefreshAuthorizerJob.JobName, appId, "ops:" + actor.Name, cancellationToken);
        await audit.WriteAsync(actor, "token.force_refresh", $"authorizer:{appId}", cancellationToken, $"run {runId}");
        return runId;
    }

    /// <summary>Queues fetching the account's details and granted sets from WeChat again; returns the run to follow.</summary>
    public async Task<long> StartResyncAsync(string appId, Actor actor, CancellationToken cancellationToken)
    {
        await rights.DemandAsync(actor, cancellationToken, Roles.Ops, Roles.Admin);
        var runId = await runner.EnqueueAsync(ResyncAuthorizerJob.JobName, appId, "ops:" + actor.Name, cancellationToken);
        await audit.WriteAsync(actor, "authorizer.resync", $"authorizer:{appId}", cancellationToken, $"run {runId}");
        return runId;
    }

    /// <summary>Resyncs as a job and waits for it (up to a minute); false when WeChat gave no details or it did not finish.</summary>
    public async Task<bool> ResyncAsync(string appId, Actor actor, CancellationToken cancellationToken)
    {
        var runId = await StartResyncAsync(appId, actor, cancellationToken);
        var run = await WaitAsync(runId, TimeSpan.FromMinutes(1), cancellationToken);
        return run is { Status: JobRunStatus.Succeeded, ItemsSucceeded: 1 };
    }

    /// <summary>Waits until the run has finished (or the timeout passed) and returns it as it then stands.</summary>
    public async Task<JobRun?> WaitAsync(long runId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var run = await RunAsync(runId, cancellationToken);
            if (run is null || IsFinished(run) || DateTime.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public static bool IsFinished(JobRun run) => run.Status is JobRunStatus.Succeeded or JobRunStatus.Failed or JobRunStatus.Skipped;

    private IPortalJob Recurring(string job)
        => runner.Jobs.FirstOrDefault(j => j.Name == job && j.DefaultSchedule is not null) ?? throw new ArgumentException($"no recurring job named '{job}'", nameof(job));

    private string CronOf(IPortalJob job)
        => options.CurrentValue.Schedules.TryGetValue(job.Name, out var cron) ? cron : job.DefaultSchedule!;
}
