using Portal.Web.Features.Data;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>
/// On PostgreSQL (several instances) a run of an instance that died is noticed by the others once its lease expires
/// (<see cref="JobRunner.RunLeaseDuration"/>): every <see cref="Interval"/> each instance re-queues such runs. Their
/// claim is a conditional update, so one instance resumes each. On SQLite start-up recovery is enough (one instance).
/// </summary>
public sealed partial class AbandonedRunsRecovery(JobRunner runner, DatabaseSettings database, ILogger<AbandonedRunsRecovery> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.IsPostgreSql)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await runner.RequeueAbandonedAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 8120, Level = LogLevel.Warning, Message = "Looking for runs of stopped instances failed ({Error}); trying again shortly")]
    private static partial void LogFailed(ILogger logger, string error);
}
