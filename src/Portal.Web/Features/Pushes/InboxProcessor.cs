using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Protocol.Errors;
using Portal.WeChat.Protocol.Xml;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Features.Pushes;

/// <summary>
/// Processes stored pushes one at a time, oldest first: tickets are stored (the newest wins), authorizations are
/// exchanged and linked, cancellations revoke. A failure is retried with back-off and stays visible (status, attempts,
/// last error); a failure that cannot heal (an expired code) stops retrying but is never deleted. With several instances
/// on one database, each message is taken by one instance at a time: the <c>inbox:{id}</c> lease in the database, then
/// the message is read again (another instance may have just finished it).
/// </summary>
public sealed partial class InboxProcessor(
    IDbContextFactory<PortalDbContext> dbFactory,
    TokenProtector protector,
    LeaseStore leases,
    InboxSignal signal,
    IServiceProvider services,
    TimeProvider time,
    ILogger<InboxProcessor> logger) : BackgroundService
{
    public static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long a message stays with an instance that died while processing it.</summary>
    public static readonly TimeSpan ClaimDuration = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
                await signal.WaitAsync(ScanInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Processes the oldest due message no other instance holds; false when none is due.</summary>
    public async Task<bool> ProcessNextAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var due = db.Inbox.Where(m => m.Status == InboxStatus.Pending || (m.Status == InboxStatus.Failed && m.NextAttemptAt != null && m.NextAttemptAt <= now));
        foreach (var candidate in await due.OrderBy(m => m.Id).Select(m => m.Id).Take(16).ToListAsync(cancellationToken))
        {
            var lease = "inbox:" + candidate;
            if (await leases.TryAcquireAsync(lease, ClaimDuration, cancellationToken) is not { } owner)
            {
                continue;
            }

            try
            {
                if (await due.FirstOrDefaultAsync(m => m.Id == candidate, cancellationToken) is { } message)
                {
                    await ProcessAsync(db, message, cancellationToken);
                    return true;
                }
            }
            finally
            {
                await leases.ReleaseAsync(lease, owner);
            }
        }

        return false;
    }

    private async Task ProcessAsync(PortalDbContext db, InboxMessage message, CancellationToken cancellationToken)
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

        await db.SaveChangesAsync(CancellationToken.None);
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
