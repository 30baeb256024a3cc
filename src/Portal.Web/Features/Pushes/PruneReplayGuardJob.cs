using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Web.Features.KeepAlive.Jobs;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.Pushes;

/// <summary>
/// Deletes replay-guard entries older than twice <c>WeChat:PushMaxClockSkew</c> and a minute in one statement. A push older than the
/// skew is refused by its timestamp anyway, so these rows guard nothing. This runs in the background, never inside a
/// push request: with 100k expired rows, pruning inline took a push past WeChat's 5-second limit.
/// </summary>
public sealed class PruneReplayGuardJob(IDbContextFactory<PortalDbContext> dbFactory, IOptionsMonitor<WeChatOptions> options, TimeProvider time) : IPortalJob
{
    public const string JobName = "prune-replay-guard";

    public string Name => JobName;

    public string? DefaultSchedule => "45 */10 * * * *";

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        // Twice the window and a minute: timestamps are compared in whole seconds, so a replay can still pass the window
        // check a moment after exactly twice it.
        var cutoff = time.GetUtcNow() - (2 * options.CurrentValue.PushMaxClockSkew) - TimeSpan.FromMinutes(1);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.ReplayGuard.Where(r => r.SeenAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        return JobOutcome.Purged(deleted, cutoff);
    }
}
