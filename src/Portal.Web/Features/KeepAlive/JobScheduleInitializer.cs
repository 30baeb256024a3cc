using Microsoft.Extensions.Options;
using Quartz;

namespace Portal.Web.Features.KeepAlive;

/// <summary>
/// Puts the jobs' cron triggers in place once the scheduler runs, from the final options: adds missing ones, changes
/// those whose schedule changed, removes them all when <c>KeepAlive:RunJobsOnSchedule</c> is false. Unchanged
/// triggers are left alone, so a job paused in the console stays paused across restarts.
/// </summary>
public sealed class JobScheduleInitializer(ISchedulerFactory schedulers, IOptions<KeepAliveOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var (key, defaultCron) in KeepAliveExtensions.Jobs)
        {
            var triggerKey = new TriggerKey(key.Name, key.Group);
            var existing = await scheduler.GetTrigger(triggerKey, cancellationToken) as ICronTrigger;
            if (!options.Value.RunJobsOnSchedule)
            {
                if (existing is not null)
                {
                    await scheduler.UnscheduleJob(triggerKey, cancellationToken);
                }

                continue;
            }

            var cron = options.Value.Schedules.TryGetValue(key.Name, out var configured) ? configured : defaultCron;
            if (existing?.CronExpressionString == cron)
            {
                continue;
            }

            var trigger = TriggerBuilder.Create().ForJob(key).WithIdentity(triggerKey).WithCronSchedule(cron).Build();
            if (existing is null)
            {
                await scheduler.ScheduleJob(trigger, default, cancellationToken);
            }
            else
            {
                await scheduler.RescheduleJob(triggerKey, trigger, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
