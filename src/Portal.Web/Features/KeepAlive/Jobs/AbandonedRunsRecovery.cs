using Portal.Web.Features.Data;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>
/// On PostgreSQL (several instances): the instance's heartbeat (its <c>instance:{id}</c> lease, renewed every
/// <see cref="Interval"/> for <see cref="JobRunner.InstanceLeaseDuration"/>), and the search for runs of instances whose
/// heartbeat stopped, which are re-queued (one instance resumes each: the job lease, then a conditional update).
/// On SQLite start-up recovery is enough (one instance).
/// </summary>
public sealed partial class AbandonedRunsRecovery(JobRunner runner, LeaseStore leases, DatabaseSettings database, ILogger<AbandonedRunsRecovery> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.IsPostgreSql)
        {
            return;
        }

        var owner = await leases.TryAcquireAsync(runner.InstanceLease, JobRunner.InstanceLeaseDuration, stoppingToken);
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (owner is null || !await leases.RenewAsync(runner.InstanceLease, owner, JobRunner.InstanceLeaseDuration, stoppingToken))
                {
                    owner = await leases.TryAcquireAsync(runner.InstanceLease, JobRunner.InstanceLeaseDuration, stoppingToken);
                }

                await runner.RequeueAbandonedAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex.GetType().Name);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (database.IsPostgreSql)
        {
            // A clean stop: runs this instance marked interrupted are resumed by the others at once.
            await leases.ReleaseOwnedAsync(runner.InstanceLease);
        }
    }

    [LoggerMessage(EventId = 8120, Level = LogLevel.Warning, Message = "Looking for runs of stopped instances failed ({Error}); trying again shortly")]
    private static partial void LogFailed(ILogger logger, string error);
}
