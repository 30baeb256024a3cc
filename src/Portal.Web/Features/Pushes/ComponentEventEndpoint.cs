using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;
using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Xml;
using Portal.Web.Features.Data;
using Portal.Web.Features.Ingestion;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.Pushes;

/// <summary>
/// WeChat's authorization event URL. Verifies both signatures, the envelope and trailing appid, the timestamp window
/// and the nonce (replays are refused), stores the decrypted push in the inbox once through the group-commit writer (the
/// same push twice is one row) and answers the bare <c>success</c> only once it is stored; processing happens afterwards. Anything wrong gets a 4xx, changes nothing and
/// is logged without its body.
/// </summary>
public static partial class ComponentEventEndpoint
{
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapComponentEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(EmulatorMounting.EventPath, HandleAsync).DisableAntiforgery().AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        IOptionsMonitor<WeChatOptions> options,
        GroupCommitWriter writer,
        TokenProtector protector,
        InboxSignal signal,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Portal.Pushes.ComponentEvents");
        var ip = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        var (request, refusal, reason) = await SignedRequest.ReadAsync(context, options.CurrentValue, time);
        if (request is null)
        {
            LogRejected(logger, ip, reason!);
            return refusal!;
        }

        var o = options.CurrentValue;
        var crypto = o.CreateCrypto();
        string xml;
        try
        {
            var envelope = EncryptedEnvelope.ParseComponentPush(request.Body);
            if (envelope.Recipient != o.ComponentAppId)
            {
                LogRejected(logger, ip, "envelope AppId is not ours");
                return Results.BadRequest("wrong appid");
            }

            xml = request.VerifyAndDecrypt(crypto, envelope.Encrypt);
        }
        catch (WeChatCryptoException ex)
        {
            LogRejected(logger, ip, $"{(int)ex.Code} {ex.Code}");
            return SignedRequest.Refuse(ex);
        }

        // From here the push is authentic: both signatures hold and it was encrypted for us.
        ComponentPush? push = null;
        PoisonReason? poison = null;
        try
        {
            push = ComponentPush.Parse(xml);
            if (!PoisonPushes.IsRepresentable(push.CreateTime))
            {
                poison = PoisonReason.CreateTime;
            }
        }
        catch (WeChatCryptoException)
        {
            poison = PoisonReason.Malformed;
        }

        if (poison is null && push!.AppId != o.ComponentAppId)
        {
            LogRejected(logger, ip, "decrypted AppId is not ours");
            return Results.BadRequest("wrong appid");
        }

        var now = time.GetUtcNow();
        var item = new IngestItem
        {
            ReplayKey = request.ReplayKey(string.Empty),
            ReceivedAt = now,
            Inbox = poison is { } poisonReason
                ? PoisonPushes.Row(protector, xml, PoisonSource.ComponentEvents, null, poisonReason, now)
                : new InboxMessage
                {
                    DedupeKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(xml))),
                    InfoType = Cap(push!.InfoType, 64),
                    AuthorizerAppId = AuthorizerOf(push) is { } authorizer ? Cap(authorizer, 32) : null,
                    ReceivedAt = now,
                    CreateTime = DateTimeOffset.FromUnixTimeSeconds(push.CreateTime),
                    PayloadProtected = protector.ProtectPayload(xml),
                    Status = InboxStatus.Pending,
                },
        };

        // Stored in the next group commit (with the replay guard); expired guard entries are pruned by the
        // prune-replay-guard job, never here: a push must stay fast however many there are.
        var outcome = await writer.SubmitAsync(item, context.RequestAborted);
        switch (outcome)
        {
            case IngestOutcome.Replayed:
                LogRejected(logger, ip, "replayed timestamp/nonce");
                return Results.Conflict("replayed");
            case IngestOutcome.Failed:
                // Not stored: never success, so that WeChat sends it again.
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        if (poison is { } kept)
        {
            LogPoison(logger, kept);
            return Results.Text("success");
        }

        LogAccepted(logger, push!.InfoType, AuthorizerOf(push) ?? "-", outcome == IngestOutcome.Stored);
        if (outcome == IngestOutcome.Stored)
        {
            signal.Notify();
        }

        return Results.Text("success");
    }

    private static string Cap(string value, int max) => value.Length > max ? value[..max] : value;

    private static string? AuthorizerOf(ComponentPush push) => push switch
    {
        AuthorizedPush a => a.Grant.AuthorizerAppId,
        UpdateAuthorizedPush u => u.Grant.AuthorizerAppId,
        UnauthorizedPush u => u.AuthorizerAppId,
        _ => null,
    };

    internal static async Task<string?> ReadLimitedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        // A pooled buffer: a fresh 64 KiB array per push was most of what a push allocated.
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var total = 0;
            int read;
            while (total <= MaxBodyBytes && (read = await request.Body.ReadAsync(buffer.AsMemory(total, MaxBodyBytes + 1 - total), cancellationToken)) > 0)
            {
                total += read;
            }

            return total > MaxBodyBytes ? null : Encoding.UTF8.GetString(buffer, 0, total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Refused a push to the event URL from {RemoteIp}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string remoteIp, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Accepted push {InfoType} for {AuthorizerAppId} (new: {IsNew})")]
    private static partial void LogAccepted(ILogger logger, string infoType, string authorizerAppId, bool isNew);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Kept an authentic push that could not be understood ({Reason}) as a poison item; answered success")]
    private static partial void LogPoison(ILogger logger, PoisonReason reason);
}

/// <summary>Wakes the inbox processor when something arrives (a burst of pushes wakes it a few times, not once per push).</summary>
public sealed class InboxSignal
{
    private const int MaxPending = 4;
    private readonly SemaphoreSlim _signal = new(0, MaxPending);

    public void Notify()
    {
        if (_signal.CurrentCount >= MaxPending)
        {
            return;
        }

        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // another push woke it at the same moment
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
