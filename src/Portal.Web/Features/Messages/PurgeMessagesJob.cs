using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Web.Features.KeepAlive.Jobs;

namespace Portal.Web.Features.Messages;

/// <summary>Deletes account messages older than <c>Messages:RetentionDays</c> (nightly), in one statement.</summary>
public sealed class PurgeMessagesJob(IDbContextFactory<PortalDbContext> dbFactory, IOptionsMonitor<MessagesOptions> options, TimeProvider time) : IPortalJob
{
    public const string JobName = "purge-messages";

    public string Name => JobName;

    public string? DefaultSchedule => "0 0 4 * * *";

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.CurrentValue.RetentionDays);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.AccountMessages.Where(m => m.ReceivedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        return JobOutcome.Purged(deleted, cutoff);
    }
}
