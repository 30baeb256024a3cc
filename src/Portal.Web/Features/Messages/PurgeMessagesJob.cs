using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Quartz;

namespace Portal.Web.Features.Messages;

/// <summary>Deletes account messages older than <c>Messages:RetentionDays</c> (nightly).</summary>
[DisallowConcurrentExecution]
public sealed class PurgeMessagesJob(IDbContextFactory<PortalDbContext> dbFactory, IOptionsMonitor<MessagesOptions> options, TimeProvider time) : IJob
{
    public static readonly JobKey Key = new("purge-messages", "keep-alive");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.CurrentValue.RetentionDays);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.AccountMessages.Where(m => m.ReceivedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        context.Result = $"deleted {deleted} messages received before {cutoff:u}";
    }
}
