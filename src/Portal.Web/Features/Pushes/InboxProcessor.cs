using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Protocol.Errors;
using Portal.WeChat.Protocol.Xml;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.Ingestion;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Features.Pushes;

/// <summary>
/// Processes stored pushes, oldest first, in batches, <c>Ingestion:InboxWorkers</c> batches at a time: tickets are stored (the newest wins), authorizations are
/// exchanged and linked, cancellations revoke. A failure is retried with back-off and stays visible (status, attempts,
/// last error); a failure that cannot heal (an expired code) stops retrying but is never deleted. Within the process a
/// message is taken by one worker (an in-memory claim), and one account's pushes are taken in order; with several
/// instances on one PostgreSQL database, by one instance at a time: the <c>inbox:{appid}</c> (or <c>inbox:component</c>
/// for pushes of no account) lease in the database, then the messages are read again (another instance may have just
/// finished them).
/// </summary>
public sealed partial class InboxProcessor(
    IDbContextFactory<PortalDbContext> dbFactory,
    TokenProtector protector,
    LeaseStore leases,
    DatabaseSettings database,
    SqliteWriteGate writes,
    IOptions<IngestionOptions> options,
    InboxSignal signal,
    IServiceProvider services,
    TimeProvider time,
    ILogger<InboxProcessor> logger) : BackgroundService
{
    public static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long a woken worker waits for more pushes before it takes a batch.</summary>
    public static readonly TimeSpan GatherDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a message stays with an instance that died while processing it.</summary>
    public static readonly TimeSpan ClaimDuration = TimeSpan.FromMinutes(2);

    /// <summary>Partitions (an account, or all pushes of no account) a worker of this process is on: the others pass them by.</summary>
    private readonly ConcurrentDictionary<string, byte> _local = new();

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(Enumerable.Range(0, options.Value.InboxWorkers).Select(_ => Task.Run(() => WorkAsync(stoppingToken), CancellationToken.None)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ProcessNextAsync(stoppingToken))
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogLoopFailed(logger, ex.GetType().Name);
            }

            try
            {
                if (await signal.WaitAsync(ScanInterval, stoppingToken))
                {
                    // Pushes arrive in bursts: a moment's wait lets one batch take many instead of a query per push.
                    await Task.Delay(GatherDelay, time, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The claim (and, on PostgreSQL, lease) name of the pushes that concern no account, such as tickets.</summary>
    public const string ComponentPartition = "inbox:component";

    /// <summary>How many due messages one worker takes at a time (their status changes are saved together).</summary>
    public const int BatchSize = 64;

    /// <summary>
    /// Processes the oldest due messages no other worker or instance holds (up to <see cref="BatchSize"/>), in order;
    /// false when none could be taken. Of several ticket pushes only the newest is stored — an older ticket never
    /// overwrites a newer one anyway — and the others are marked processed with it.
    /// </summary>
    public async Task<bool> ProcessNextAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var due = db.Inbox.Where(m => m.Status == InboxStatus.Pending || (m.Status == InboxStatus.Failed && m.NextAttemptAt != null && m.NextAttemptAt <= now));
        var candidates = await due.OrderBy(m => m.Id).Select(m => new { m.Id, m.AuthorizerAppId }).Take(BatchSize * options.Value.InboxWorkers).ToListAsync(cancellationToken);
        HashSet<string>? passed = null;
        var claimed = new List<(long Id, string Partition, string? Owner)>();
        try
        {
            foreach (var candidate in candidates)
            {
                if (claimed.Count == BatchSize)
                {
                    break;
                }

                // One account's pushes in order (an authorization, then its cancellation). Pushes of no account (tickets) are
                // one partition: one worker takes them all at once, and of several tickets only the newest is stored.
                var partition = candidate.AuthorizerAppId is { } appId ? "inbox:" + appId : ComponentPartition;
                if (claimed.Any(c => c.Partition == partition))
                {
                    claimed.Add((candidate.Id, partition, null)); // held by this batch already: processed in order within it
                    continue;
                }

                if (passed?.Contains(partition) == true || !_local.TryAdd(partition, 0))
                {
                    (passed ??= []).Add(partition); // an earlier push of this account is being processed here: not this one yet
                    continue;
                }

                // SQLite is one instance (ADR-014): the in-process claim is enough. On PostgreSQL, also the database lease.
                string? owner = null;
                if (database.IsPostgreSql && (owner = await leases.TryAcquireAsync(partition, ClaimDuration, cancellationToken)) is null)
                {
                    _local.TryRemove(partition, out _);
                    (passed ??= []).Add(partition);
                    continue;
                }

                claimed.Add((candidate.Id, partition, owner ?? string.Empty));
            }

            if (claimed.Count == 0)
            {
                return false;
            }

            // Read again under the claims: another instance may have just finished some of them.
            var ids = claimed.Select(c => c.Id).ToList();
            var messages = await due.Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).ToListAsync(cancellationToken);
            var tickets = messages.Where(m => m.InfoType == ComponentPush.ComponentVerifyTicketType).ToList();
            var newestTicket = tickets.OrderByDescending(m => m.CreateTime).ThenByDescending(m => m.Id).FirstOrDefault();
            try
            {
                foreach (var message in messages.Where(m => m.InfoType != ComponentPush.ComponentVerifyTicketType || m == newestTicket))
                {
                    await ProcessAsync(message, cancellationToken);
                }

                foreach (var superseded in tickets.Where(m => m != newestTicket))
                {
                    superseded.Attempts++;
                    (superseded.Status, superseded.ProcessedAt, superseded.NextAttemptAt) = (newestTicket!.Status, newestTicket.ProcessedAt, newestTicket.NextAttemptAt);
                    superseded.RecordLastFailure(newestTicket.LastFailure());
                }
            }
            finally
            {
                // What was done is recorded even when stopping midway (the rest stays due and is done again: jobs are idempotent).
                // Through the write gate: on SQLite the group-commit writer and this save take turns instead of sleeping in the busy handler.
                await writes.RunAsync(() => db.SaveChangesAsync(CancellationToken.None), CancellationToken.None);
            }

            return messages.Count > 0;
        }
        finally
        {
            foreach (var (_, partition, owner) in claimed.Where(c => c.Owner is not null))
            {
                if (owner is { Length: > 0 })
                {
                    await leases.ReleaseAsync(partition, owner);
                }

                _local.TryRemove(partition, out _);
            }
        }
    }

    private async Task ProcessAsync(InboxMessage message, CancellationToken cancellationToken)
    {
        message.Attempts++;
        try
        {
            await DispatchAsync(ComponentPush.Parse(protector.Unprotect(message.PayloadProtected)), cancellationToken);
            message.Status = InboxStatus.Processed;
            message.ProcessedAt = time.GetUtcNow();
            message.NextAttemptAt = null;
            message.RecordLastFailure(null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var permanent = ex is WeChatApiException { Category: WeChatErrorCategory.AuthorizationCodeInvalid };
            message.Status = InboxStatus.Failed;
            var failure = Failure(ex);
            message.RecordLastFailure(failure);
            message.NextAttemptAt = permanent ? null : time.GetUtcNow() + Backoff(message.Attempts);
            LogFailed(logger, message.Id, message.InfoType, message.Attempts, failure.ToString());
        }
    }

    private async Task DispatchAsync(ComponentPush push, CancellationToken cancellationToken)
    {
        using var scope = services.CreateScope();
        switch (push)
        {
            case ComponentVerifyTicketPush ticket:
                await scope.ServiceProvider.GetRequiredService<ComponentTokenService>()
                    .StoreTicketAsync(ticket.ComponentVerifyTicket, DateTimeOffset.FromUnixTimeSeconds(ticket.CreateTime), cancellationToken);
                break;
            case AuthorizedPush authorized:
                await scope.ServiceProvider.GetRequiredService<OnboardingService>().CompleteFromPushAsync(authorized.Grant, cancellationToken);
                break;
            case UpdateAuthorizedPush updated:
                await scope.ServiceProvider.GetRequiredService<OnboardingService>().CompleteFromPushAsync(updated.Grant, cancellationToken);
                break;
            case UnauthorizedPush unauthorized:
                await scope.ServiceProvider.GetRequiredService<OnboardingService>().RevokeAsync(unauthorized.AuthorizerAppId, cancellationToken);
                break;
        }
    }

    private static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(600, 5 * Math.Pow(2, Math.Min(attempts - 1, 10))));

    private static StoredFailure Failure(Exception ex) => ex switch
    {
        WeChatApiException api => StoredFailure.WeChat(api.Api, api.ErrorCode),
        PortalException portal => new StoredFailure(FailureKind.Portal, Code: portal.Code),
        _ => new StoredFailure(FailureKind.Unexpected, Code: ex.GetType().Name),
    };

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Processing inbox message {MessageId} ({InfoType}) failed on attempt {Attempt}: {Error}")]
    private static partial void LogFailed(ILogger logger, long messageId, string infoType, int attempt, string error);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Error, Message = "The inbox loop failed ({Error}); it goes on")]
    private static partial void LogLoopFailed(ILogger logger, string error);
}
