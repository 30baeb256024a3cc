using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Audit;
using Quartz;

namespace Portal.Web.Features.KeepAlive;

public sealed record JobView(string Name, string? Cron, bool Paused, DateTimeOffset? NextRun, JobRun? LastRun);

/// <summary>What the ops console reads and does with the scheduler; every action is audited.</summary>
public sealed class OpsConsole(ISchedulerFactory schedulers, IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, Onboarding.AuthorizationExchanger exchanger)
{
    public async Task<IReadOnlyList<JobView>> JobsAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var views = new List<JobView>();
        foreach (var key in (await scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup(), cancellationToken)).OrderBy(k => k.Name))
        {
            var triggers = await scheduler.GetTriggersOfJob(key, cancellationToken);
            var trigger = triggers.FirstOrDefault();
            var paused = trigger is not null && await scheduler.GetTriggerState(trigger.Key, cancellationToken) == TriggerState.Paused;
            var last = await db.JobRuns.AsNoTracking().Where(r => r.JobName == key.Name).OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
            views.Add(new JobView(key.Name, (trigger as ICronTrigger)?.CronExpressionString, paused, trigger?.NextFireTimeUtc, last));
        }

        return views;
    }

    public async Task RunNowAsync(string job, Actor actor, CancellationToken cancellationToken)
    {
        await (await schedulers.GetScheduler(cancellationToken)).TriggerJob(new JobKey(job, "keep-alive"), cancellationToken);
        await audit.WriteAsync(actor, "job.run_now", job, cancellationToken);
    }

    public async Task PauseAsync(string job, bool pause, Actor actor, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var key = new JobKey(job, "keep-alive");
        if (pause)
        {
            await scheduler.PauseJob(key, cancellationToken);
        }
        else
        {
            await scheduler.ResumeJob(key, cancellationToken);
        }

        await audit.WriteAsync(actor, pause ? "job.paused" : "job.resumed", job, cancellationToken);
    }

    /// <summary>Fetches the account's details and granted sets from WeChat again (audited); false when WeChat gave none.</summary>
    public async Task<bool> ResyncAsync(string appId, Actor actor, CancellationToken cancellationToken)
    {
        var ok = await exchanger.SyncDetailsAsync(appId, cancellationToken);
        await audit.WriteAsync(actor, "authorizer.resync", $"authorizer:{appId}", cancellationToken, ok ? "ok" : "failed");
        return ok;
    }
}
