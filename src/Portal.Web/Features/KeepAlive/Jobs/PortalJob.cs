namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>What one run of a job did: a summary in words and, for jobs over many items, how many succeeded and failed.</summary>
public sealed record JobOutcome(string Summary, int Succeeded = 0, int Failed = 0)
{
    public override string ToString() => Summary;
}

/// <summary>
/// A job body: a plain service that does one piece of background work and says what it did. It knows nothing about
/// the scheduler; <see cref="JobRunner"/> runs it (exclusively, recorded) and the scheduler's adapters call the runner.
/// Every job is idempotent: running it twice, or again after an interruption, does no harm.
/// </summary>
public interface IPortalJob
{
    /// <summary>Stable name: the recurring job's id, the key of <c>KeepAlive:Schedules</c>, the console's row.</summary>
    string Name { get; }

    /// <summary>The default cron schedule (6 fields with seconds, Asia/Shanghai), or null for work that runs only on demand.</summary>
    string? DefaultSchedule { get; }

    /// <param name="target">The authorizer appid for work on one account; null for jobs over everything.</param>
    Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken);
}

/// <summary>The scheduler as the portal sees it (implemented by the Hangfire adapters, nowhere else).</summary>
public interface IJobQueue
{
    /// <summary>Queues the recorded run <paramref name="runId"/> now or at <paramref name="at"/>; returns the scheduler's id for it.</summary>
    string Enqueue(long runId, string job, DateTimeOffset? at = null);

    /// <summary>Puts the recurring job on <paramref name="cron"/> (Asia/Shanghai), or keeps it registered but never due when null.</summary>
    /// <exception cref="ArgumentException">The expression is not a valid cron expression.</exception>
    void Schedule(string job, string? cron);

    /// <summary>When each recurring job is next due (null: never, e.g. paused).</summary>
    IReadOnlyDictionary<string, DateTimeOffset?> NextRuns();
}
