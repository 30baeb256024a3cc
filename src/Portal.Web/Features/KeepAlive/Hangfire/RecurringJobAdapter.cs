using Hangfire;
using Hangfire.Server;
using Portal.Web.Features.KeepAlive.Jobs;

namespace Portal.Web.Features.KeepAlive.Hangfire;

/// <summary>Hangfire's recurring jobs: one per <see cref="IPortalJob"/> with a schedule, id = the job's name.</summary>
public sealed class RecurringJobAdapter(JobRunner runner)
{
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("{0}")]
    public Task RunAsync(string job, PerformContext? context, CancellationToken cancellationToken)
        => runner.RunScheduledAsync(job, context?.BackgroundJob.Id, cancellationToken);
}
