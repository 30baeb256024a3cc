namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>The scheduler as the portal sees it (implemented by the Hangfire adapters, nowhere else).</summary>
public interface IJobQueue
{
    /// <summary>Queues the recorded run <paramref name="runId"/> (of <paramref name="job"/>, for <paramref name="target"/>) now or at <paramref name="at"/>; returns the scheduler's id for it.</summary>
    string Enqueue(long runId, string job, string? target, DateTimeOffset? at = null);

    /// <summary>Puts the recurring job on <paramref name="cron"/> (Asia/Shanghai), or keeps it registered but never due when null.</summary>
    /// <exception cref="ArgumentException">The expression is not a valid cron expression.</exception>
    void Schedule(string job, string? cron);

    /// <summary>When each recurring job is next due (null: never, e.g. paused).</summary>
    IReadOnlyDictionary<string, DateTimeOffset?> NextRuns();
}
