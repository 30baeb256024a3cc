using Hangfire;
using Hangfire.Storage;
using Portal.Web.Features.KeepAlive.Jobs;

namespace Portal.Web.Features.KeepAlive.Hangfire;

/// <summary><see cref="IJobQueue"/> on Hangfire: recurring jobs in Asia/Shanghai, runs queued as fire-and-forget or delayed jobs.</summary>
public sealed class HangfireJobQueue(IBackgroundJobClient client, IRecurringJobManagerV2 recurring, JobStorage storage) : IJobQueue
{
    /// <summary>Schedules are Beijing time, whatever the server's zone.</summary>
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public string Enqueue(long runId, string job, string? target, DateTimeOffset? at = null)
        => at is { } when
            ? client.Schedule<QueuedJobAdapter>(a => a.RunAsync(runId, job, target, CancellationToken.None), when)
            : client.Enqueue<QueuedJobAdapter>(a => a.RunAsync(runId, job, target, CancellationToken.None));

    public void Schedule(string job, string? cron)
        => recurring.AddOrUpdate<RecurringJobAdapter>(job, a => a.RunAsync(job, null, CancellationToken.None), cron ?? Cron.Never(), new RecurringJobOptions { TimeZone = Shanghai });

    public IReadOnlyDictionary<string, DateTimeOffset?> NextRuns()
    {
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs().ToDictionary(
            j => j.Id,
            j => j.NextExecution is { } next ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : (DateTimeOffset?)null,
            StringComparer.Ordinal);
    }
}
