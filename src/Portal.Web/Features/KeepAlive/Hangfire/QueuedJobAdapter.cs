using Hangfire;
using Portal.Web.Features.KeepAlive.Jobs;

namespace Portal.Web.Features.KeepAlive.Hangfire;

/// <summary>Hangfire's fire-and-forget and delayed jobs: a recorded run (ops' run now, refresh, resync; a first refresh; a resumed run).</summary>
public sealed class QueuedJobAdapter(JobRunner runner)
{
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("{1} (run {0}) {2}")]
    public Task RunAsync(long runId, string job, string? target, CancellationToken cancellationToken)
        => runner.RunAsync(runId, cancellationToken);
}
