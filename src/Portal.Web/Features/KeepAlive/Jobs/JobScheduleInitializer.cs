using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>
/// At start-up: puts every recurring job on its schedule (<c>KeepAlive:Schedules:&lt;job&gt;</c> or its default,
/// Asia/Shanghai), never due while paused in the console or when <c>KeepAlive:RunJobsOnSchedule</c> is false; refuses
/// to start on an unknown job name or an invalid cron expression, naming the setting; then gives back leases and
/// re-queues runs that a crashed process left behind.
/// </summary>
public sealed class JobScheduleInitializer(
    JobRunner runner,
    IJobQueue queue,
    RefreshSweep sweep,
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<KeepAliveOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        foreach (var unknown in o.Schedules.Keys.Where(k => runner.Jobs.All(j => j.Name != k || j.DefaultSchedule is null)))
        {
            throw new OptionsValidationException(KeepAliveOptions.SectionName, typeof(KeepAliveOptions), [$"KeepAlive:Schedules:{unknown} names no recurring job (known: {string.Join(", ", runner.Jobs.Where(j => j.DefaultSchedule is not null).Select(j => j.Name).Order())})"]);
        }

        List<string> paused;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            paused = await db.JobPauses.Select(p => p.JobName).ToListAsync(cancellationToken);
        }

        foreach (var job in runner.Jobs.Where(j => j.DefaultSchedule is not null).OrderBy(j => j.Name, StringComparer.Ordinal))
        {
            var cron = o.Schedules.TryGetValue(job.Name, out var configured) ? configured : job.DefaultSchedule!;
            try
            {
                // The scheduler's own parser is the judge; a job that is not to run is then kept registered, never due.
                queue.Schedule(job.Name, cron);
            }
            catch (ArgumentException ex)
            {
                throw new OptionsValidationException(KeepAliveOptions.SectionName, typeof(KeepAliveOptions), [$"KeepAlive:Schedules:{job.Name} is not a valid cron expression ('{cron}'): {ex.Message}"]);
            }

            if (!o.RunJobsOnSchedule || paused.Contains(job.Name))
            {
                queue.Schedule(job.Name, null);
            }
        }

        await sweep.ReleaseAbandonedLeasesAsync(cancellationToken);
        await runner.RequeueAbandonedAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
