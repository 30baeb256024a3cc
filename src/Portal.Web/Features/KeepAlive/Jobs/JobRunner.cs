using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Data;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>
/// Runs job bodies for whichever scheduler calls it: records every run in <see cref="PortalDbContext.JobRuns"/>
/// (enqueued → running → done, outcome, duration, counts), runs one instance of each job (per account for work on one
/// account) at a time, skips scheduled runs of paused jobs, marks a run stopped by shutdown as interrupted (the
/// scheduler runs it again at the next start and it resumes the same row), and re-queues runs a crashed process left
/// running. On SQLite (one instance) "one at a time" is an in-process gate and any running row of another process is
/// abandoned. On PostgreSQL (several instances) it is the <c>job:{name}|{target}</c> lease in the database, renewed
/// while the body runs; a running row is abandoned only when its instance stopped renewing its <c>instance:{id}</c>
/// lease, and <see cref="AbandonedRunsRecovery"/> (the heartbeat) looks for such rows every 10 s (ADR-011).
/// </summary>
public sealed partial class JobRunner(
    IServiceProvider services,
    IDbContextFactory<PortalDbContext> dbFactory,
    IJobQueue queue,
    SqliteWriteGate writes,
    LeaseStore leases,
    DatabaseSettings database,
    TimeProvider time,
    ILogger<JobRunner> logger) : IRefreshScheduling
{
    /// <summary>How long an instance counts as alive after its last heartbeat (the <c>instance:{id}</c> lease).</summary>
    public static readonly TimeSpan InstanceLeaseDuration = TimeSpan.FromSeconds(30);

    /// <summary>The lease that says this instance is alive (PostgreSQL only).</summary>
    public string InstanceLease => "instance:" + Instance;

    /// <summary>How long a run's lease outlives its instance; renewed every third of it while the body runs.</summary>
    public static readonly TimeSpan RunLeaseDuration = TimeSpan.FromSeconds(45);

    private bool Shared => database.IsPostgreSql;

    private static string LeaseName(string job, string? target) => "job:" + job + "|" + (target ?? "");

    // Resolved on first use: some job bodies use services (onboarding's exchanger) that themselves schedule through this runner.
    private readonly Lazy<Dictionary<string, IPortalJob>> _lazyJobs = new(() => services.GetServices<IPortalJob>().ToDictionary(j => j.Name, StringComparer.Ordinal));
    private Dictionary<string, IPortalJob> JobMap => _lazyJobs.Value;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>This process; a run owned by another instance is one a dead process left behind.</summary>
    public string Instance { get; } = $"{Environment.ProcessId}:{Guid.NewGuid():N}";

    public IReadOnlyCollection<IPortalJob> Jobs => JobMap.Values;

    public bool IsKnown(string job) => JobMap.ContainsKey(job);

    /// <summary>A run the scheduler started on its own (a recurring occurrence); <paramref name="externalId"/> finds the row again when it is rerun.</summary>
    public async Task RunScheduledAsync(string job, string? externalId, CancellationToken cancellationToken)
    {
        Body(job);
        long runId;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (await db.JobPauses.AnyAsync(p => p.JobName == job, cancellationToken))
            {
                LogPausedSkip(logger, job);
                return;
            }

            var run = externalId is null ? null : await db.JobRuns.FirstOrDefaultAsync(r => r.ExternalId == externalId && r.JobName == job, cancellationToken);
            if (run is { Status: JobRunStatus.Succeeded or JobRunStatus.Failed or JobRunStatus.Skipped })
            {
                return;
            }

            if (run is null)
            {
                run = new JobRun { JobName = job, Trigger = "schedule", Status = JobRunStatus.Enqueued, EnqueuedAt = time.GetUtcNow(), ExternalId = externalId };
                db.JobRuns.Add(run);
                await writes.RunAsync(() => db.SaveChangesAsync(cancellationToken), cancellationToken);
            }

            runId = run.Id;
        }

        await RunAsync(runId, cancellationToken);
    }

    /// <summary>Runs the recorded run <paramref name="runId"/> unless it already ran (or is running here): safe to call twice.</summary>
    public async Task RunAsync(long runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        JobRun run;
        string? lease = null;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (Shared)
            {
                // The lease first, then the row: whoever holds the job's lease is the only instance running it, so a
                // Running row of another owner is one whose instance died (it stopped renewing the lease).
                if (await db.JobRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.JobName, r.Target }).FirstOrDefaultAsync(cancellationToken) is not { } key)
                {
                    return;
                }

                lease = await leases.TryAcquireAsync(LeaseName(key.JobName, key.Target), RunLeaseDuration, cancellationToken);
                if (lease is null)
                {
                    await db.JobRuns.Where(r => r.Id == runId && (r.Status == JobRunStatus.Enqueued || r.Status == JobRunStatus.Interrupted))
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobRunStatus.Skipped).SetProperty(r => r.Outcome, JobOutcomeCode.SkippedOtherInstance)
                            .SetProperty(r => r.FinishedAt, now), cancellationToken);
                    return;
                }
            }

            var claimed = await writes.RunAsync(() => db.JobRuns
                .Where(r => r.Id == runId && (r.Status == JobRunStatus.Enqueued || r.Status == JobRunStatus.Interrupted || (r.Status == JobRunStatus.Running && r.Owner != Instance)))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobRunStatus.Running).SetProperty(r => r.Owner, Instance).SetProperty(r => r.StartedAt, now), cancellationToken), cancellationToken);
            if (claimed == 0)
            {
                if (lease is not null)
                {
                    await ReleaseRunLeaseAsync(db, runId, lease);
                }

                return;
            }

            run = await db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == runId, cancellationToken);
        }

        var body = Body(run.JobName);
        var gate = _gates.GetOrAdd(run.JobName + "|" + run.Target, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(0, CancellationToken.None))
        {
            await FinishAsync(runId, JobRunStatus.Skipped, new JobOutcome(JobOutcomeCode.SkippedAlreadyRunning), TimeSpan.Zero);
            if (lease is not null)
            {
                await leases.ReleaseAsync(LeaseName(run.JobName, run.Target), lease);
            }

            return;
        }

        using var heartbeat = new CancellationTokenSource();
        if (lease is not null)
        {
            _ = RenewWhileRunningAsync(LeaseName(run.JobName, run.Target), lease, heartbeat.Token);
        }

        var watch = Stopwatch.StartNew();
        try
        {
            LogStarted(logger, run.JobName, run.Id, run.Trigger);
            var outcome = await body.RunAsync(run.Target, cancellationToken);
            await FinishAsync(runId, JobRunStatus.Succeeded, outcome, watch.Elapsed);
            LogFinished(logger, run.JobName, run.Id, watch.ElapsedMilliseconds, outcome.Code);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await FinishAsync(runId, JobRunStatus.Interrupted, new JobOutcome(JobOutcomeCode.InterruptedByShutdown), watch.Elapsed);
            LogInterrupted(logger, run.JobName, run.Id);
            throw;
        }
        catch (Exception ex)
        {
            await FinishAsync(runId, JobRunStatus.Failed, new JobOutcome(JobOutcomeCode.Failed, FailureArgs(ex)), watch.Elapsed);
            LogFailed(logger, run.JobName, run.Id, ex.GetType().Name);
            throw;
        }
        finally
        {
            if (lease is not null)
            {
                await heartbeat.CancelAsync();
                await leases.ReleaseAsync(LeaseName(run.JobName, run.Target), lease);
            }

            gate.Release();
        }
    }

    private async Task ReleaseRunLeaseAsync(PortalDbContext db, long runId, string lease)
    {
        if (await db.JobRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.JobName, r.Target }).FirstOrDefaultAsync() is { } key)
        {
            await leases.ReleaseAsync(LeaseName(key.JobName, key.Target), lease);
        }
    }

    private async Task RenewWhileRunningAsync(string name, string owner, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(RunLeaseDuration / 3, stop);
                await leases.RenewAsync(name, owner, RunLeaseDuration, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            LogLeaseRenewalFailed(logger, name, ex.GetType().Name);
        }
    }

    /// <summary>Records a run of <paramref name="job"/> and queues it (now, or at <paramref name="at"/>); returns the run's id.</summary>
    public async Task<long> EnqueueAsync(string job, string? target, string trigger, CancellationToken cancellationToken, DateTimeOffset? at = null)
    {
        Body(job);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = new JobRun { JobName = job, Target = target, Trigger = trigger.Length > 128 ? trigger[..128] : trigger, Status = JobRunStatus.Enqueued, EnqueuedAt = time.GetUtcNow() };
        db.JobRuns.Add(run);
        await writes.RunAsync(() => db.SaveChangesAsync(cancellationToken), cancellationToken);
        run.ExternalId = queue.Enqueue(run.Id, job, target, at);
        await writes.RunAsync(() => db.SaveChangesAsync(CancellationToken.None), CancellationToken.None);
        return run.Id;
    }

    /// <summary>Never fails the binding that asked: without this run the account is still refreshed by the next sweep.</summary>
    public async Task ScheduleFirstRefreshAsync(string appId, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        try
        {
            await EnqueueAsync(RefreshAuthorizerWhenDueJob.JobName, appId, "onboarding", cancellationToken, dueAt);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFirstRefreshNotScheduled(logger, appId, ex.GetType().Name);
        }
    }

    /// <summary>
    /// Runs a dead process left running are queued again (they resume their own row). With SQLite only one portal
    /// process uses the database, so at start-up any Running row not ours was left by a crash. On PostgreSQL a Running
    /// row is abandoned only when its lease expired (the instance stopped renewing it).
    /// </summary>
    public async Task<int> RequeueAbandonedAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var running = db.JobRuns.Where(r => r.Status == JobRunStatus.Running && r.Owner != Instance);
        if (Shared)
        {
            // Its instance is gone: it stopped renewing its instance lease (AbandonedRunsRecovery) and the run is older than that lease.
            var startedBefore = now - InstanceLeaseDuration;
            running = running.Where(r => r.StartedAt < startedBefore && !db.Leases.Any(l => l.Name == "instance:" + r.Owner && l.ExpiresAt > now));
        }

        var abandoned = await running.ToListAsync(cancellationToken);
        foreach (var run in abandoned)
        {
            run.Status = JobRunStatus.Interrupted;
            run.Outcome = JobOutcomeCode.ResumedAfterStop;
        }

        await writes.RunAsync(() => db.SaveChangesAsync(cancellationToken), cancellationToken);
        foreach (var run in abandoned)
        {
            queue.Enqueue(run.Id, run.JobName, run.Target);
            LogRequeued(logger, run.JobName, run.Id);
        }

        return abandoned.Count;
    }

    private IPortalJob Body(string job)
        => JobMap.TryGetValue(job, out var body) ? body : throw new InvalidOperationException($"no job named '{job}'");

    /// <summary>Why a body threw, as data: WeChat's api and errcode, the portal's failure code, or the exception's type.</summary>
    private static JobOutcomeArgs FailureArgs(Exception ex) => ex switch
    {
        Portal.WeChat.Client.WeChatApiException api => new JobOutcomeArgs { Api = api.Api, ErrCode = api.ErrorCode },
        Component.PortalException portal => new JobOutcomeArgs { Failure = portal.Code },
        _ => new JobOutcomeArgs { Error = ex.GetType().Name },
    };

    private async Task FinishAsync(long runId, JobRunStatus status, JobOutcome outcome, TimeSpan elapsed)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await writes.RunAsync(() => db.JobRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, status)
            .SetProperty(r => r.Succeeded, status == JobRunStatus.Succeeded)
            .SetProperty(r => r.Outcome, outcome.Code)
            .SetProperty(r => r.OutcomeArgs, outcome.Args)
            .SetProperty(r => r.ItemsSucceeded, outcome.Succeeded)
            .SetProperty(r => r.ItemsFailed, outcome.Failed)
            .SetProperty(r => r.DurationMs, (long)elapsed.TotalMilliseconds)
            .SetProperty(r => r.FinishedAt, status == JobRunStatus.Interrupted ? null : now)), CancellationToken.None);
    }

    [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "Job {Job} run {RunId} started ({Trigger})")]
    private static partial void LogStarted(ILogger logger, string job, long runId, string trigger);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Information, Message = "Job {Job} run {RunId} finished in {ElapsedMs} ms: {Outcome}")]
    private static partial void LogFinished(ILogger logger, string job, long runId, long elapsedMs, JobOutcomeCode outcome);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Warning, Message = "Job {Job} run {RunId} failed ({Error})")]
    private static partial void LogFailed(ILogger logger, string job, long runId, string error);

    [LoggerMessage(EventId = 8104, Level = LogLevel.Information, Message = "Job {Job} run {RunId} interrupted by shutdown; it runs again at the next start")]
    private static partial void LogInterrupted(ILogger logger, string job, long runId);

    [LoggerMessage(EventId = 8105, Level = LogLevel.Warning, Message = "Job {Job} run {RunId} was left running by a stopped process; queued again")]
    private static partial void LogRequeued(ILogger logger, string job, long runId);

    [LoggerMessage(EventId = 8107, Level = LogLevel.Warning, Message = "The first refresh of {AuthorizerAppId} could not be queued ({Error}); the sweep refreshes it when due")]
    private static partial void LogFirstRefreshNotScheduled(ILogger logger, string authorizerAppId, string error);

    [LoggerMessage(EventId = 8108, Level = LogLevel.Warning, Message = "The lease {Lease} could not be renewed ({Error}); another instance may take the run after it expires")]
    private static partial void LogLeaseRenewalFailed(ILogger logger, string lease, string error);

    [LoggerMessage(EventId = 8106, Level = LogLevel.Debug, Message = "Job {Job} is paused; its scheduled occurrence was skipped")]
    private static partial void LogPausedSkip(ILogger logger, string job);
}
