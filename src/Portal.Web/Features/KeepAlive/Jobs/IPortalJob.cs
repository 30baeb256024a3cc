namespace Portal.Web.Features.KeepAlive.Jobs;

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
