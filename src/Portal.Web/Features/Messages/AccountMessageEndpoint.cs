using System.Globalization;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;
using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Release;
using Portal.WeChat.Protocol.Xml;
using Portal.Web.Features.Data;
using Portal.Web.Features.Ingestion;
using Portal.Web.Features.Pushes;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.Messages;

/// <summary>
/// The message URL registered as <c>…/wechat/accounts/$APPID$/events</c> (reference §8). Verifies both signatures, the
/// timestamp window and the nonce (replays refused), decrypts with the component's credentials (the plaintext must end
/// in our component appid), checks that the appid in the path is an account that authorized us and that the message
/// is addressed to that account, hands it to the group-commit writer, which stores it once in a batch (a retry of the same message is answered
/// without acting again), and answers only once it is stored, within WeChat's 5 s: <c>success</c>, or — for WeChat's release-test accounts — what §7 prescribes.
/// </summary>
public static partial class AccountMessageEndpoint
{
    public const string Route = "/wechat/accounts/{appid}/events";

    public static IEndpointRouteBuilder MapAccountMessages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, HandleAsync).DisableAntiforgery().AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        string appid,
        HttpContext context,
        IOptionsMonitor<WeChatOptions> wechat,
        IOptionsMonitor<MessagesOptions> messages,
        GroupCommitWriter writer,
        TokenProtector protector,
        ReleaseTestResponder responder,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Portal.Messages");
        var ip = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        var o = wechat.CurrentValue;

        if (!WeChatOptionsValidator.IsAppId(appid))
        {
            LogRejected(logger, ip, "-", "the path does not carry an appid");
            return Results.BadRequest("bad appid");
        }

        var (request, refusal, reason) = await SignedRequest.ReadAsync(context, o, time);
        if (request is null)
        {
            LogRejected(logger, ip, appid, reason!);
            return refusal!;
        }

        var crypto = o.CreateCrypto();
        EncryptedEnvelope envelope;
        string xml;
        try
        {
            envelope = EncryptedEnvelope.ParseAccountMessage(request.Body);
            xml = request.VerifyAndDecrypt(crypto, envelope.Encrypt);
        }
        catch (WeChatCryptoException ex)
        {
            LogRejected(logger, ip, appid, $"{(int)ex.Code} {ex.Code}");
            return SignedRequest.Refuse(ex);
        }

        // Authentic from here. A message the portal cannot read is kept for ops and answered success (or WeChat retries it).
        AccountMessage? parsed = null;
        PoisonReason? poison = null;
        try
        {
            parsed = AccountMessage.Parse(xml);
            if (parsed.Get("CreateTime") is { } createTime && (!long.TryParse(createTime, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix) || !PoisonPushes.IsRepresentable(unix)))
            {
                poison = PoisonReason.CreateTime;
            }
        }
        catch (WeChatCryptoException)
        {
            poison = PoisonReason.Malformed;
        }

        var now = time.GetUtcNow();
        if (poison is { } poisonReason)
        {
            var kept = await writer.SubmitAsync(new IngestItem
            {
                ReplayKey = request.ReplayKey("msg:"),
                ReceivedAt = now,
                Inbox = PoisonPushes.Row(protector, xml, PoisonSource.AccountMessages, appid, poisonReason, now),
            }, context.RequestAborted);
            switch (kept)
            {
                case IngestOutcome.Replayed:
                    LogRejected(logger, ip, appid, "replayed timestamp/nonce");
                    return Results.Conflict("replayed");
                case IngestOutcome.Failed:
                    return NotStored();
                default:
                    LogPoison(logger, appid, poisonReason);
                    return Results.Text("success");
            }
        }

        var message = parsed!;
        if (message.ToUserName != envelope.Recipient)
        {
            LogRejected(logger, ip, appid, "the envelope and the message name different accounts");
            return Results.BadRequest("recipient mismatch");
        }

        var isTestAccount = messages.CurrentValue.IsReleaseTestAccount(appid);
        var testAccount = isTestAccount ? ReleaseTest.Find(appid) : null;
        if (isTestAccount && message.ToUserName != (testAccount?.UserName ?? message.ToUserName))
        {
            LogRejected(logger, ip, appid, "the message is addressed to another account than the path's appid");
            return Results.BadRequest("wrong account");
        }

        var plan = Plan(message, isTestAccount);
        var item = new IngestItem
        {
            ReplayKey = request.ReplayKey("msg:"),
            ReceivedAt = now,
            // A merchant account must have authorized us and be the message's recipient: checked in the batch, one read for all.
            Account = isTestAccount ? null : new AccountCheck(appid, message.ToUserName),
            Message = new AccountMessageRecord
            {
                AuthorizerAppId = appid,
                DedupeKey = DedupeKeyOf(message),
                MsgType = Truncate(message.MsgType, 40),
                Event = message.Event is null ? null : Truncate(message.Event, 100),
                FromUser = Truncate(message.FromUserName, 64),
                CreateTime = DateTimeOffset.FromUnixTimeSeconds(message.CreateTime),
                ReceivedAt = now,
                PayloadProtected = protector.ProtectPayload(message.RawXml),
                Reply = plan.Kind,
            },
            ReleaseTest = plan.Case is { } testCase && plan.Content is not null
                ? new ReleaseTestRecord { Group = testAccount?.Group ?? 0, AuthorizerAppId = appid, Case = testCase, At = now, Succeeded = true }
                : null,
        };

        bool isNew;
        switch (await writer.SubmitAsync(item, context.RequestAborted))
        {
            case IngestOutcome.UnknownAccount:
                LogRejected(logger, ip, appid, "the appid has not authorized this platform");
                return Results.BadRequest("unknown appid");
            case IngestOutcome.WrongAccount:
                LogRejected(logger, ip, appid, "the message is addressed to another account than the path's appid");
                return Results.BadRequest("wrong account");
            case IngestOutcome.Replayed:
                LogRejected(logger, ip, appid, "replayed timestamp/nonce");
                return Results.Conflict("replayed");
            case IngestOutcome.Failed:
                return NotStored();
            case var outcome:
                isNew = outcome == IngestOutcome.Stored; // a retry of a stored message is answered without acting again
                break;
        }

        LogAccepted(logger, appid, message.MsgType, plan.Kind, isNew);
        if (plan.QueryAuthCode is { } code && isNew)
        {
            responder.Enqueue(new ReleaseTestApiReply(testAccount?.Group ?? 0, appid, message.FromUserName, code));
        }

        if (plan.Content is { } content)
        {
            var reply = ReplyXml.Text(message.FromUserName, message.ToUserName, now.ToUnixTimeSeconds(), content);
            return Results.Text(ReplyXml.Encrypted(crypto, reply, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), MessageCrypto.NewNonce()), "application/xml");
        }

        return Results.Text(plan.Kind == "empty" ? string.Empty : "success");
    }

    /// <summary>The database did not take the message: never <c>success</c>, so that WeChat sends it again.</summary>
    private static IResult NotStored() => Results.StatusCode(StatusCodes.Status503ServiceUnavailable);

    /// <summary>What to answer. Only release-test accounts get the prescribed test replies; everyone else gets <c>success</c>.</summary>
    internal static ReplyPlan Plan(AccountMessage message, bool isReleaseTestAccount)
    {
        if (!isReleaseTestAccount)
        {
            return new ReplyPlan("success", null, null, null);
        }

        if (message.MsgType == "text" && message.Content == ReleaseTest.TextContent)
        {
            return new ReplyPlan("passive:text", ReleaseTest.TextReply, null, "text");
        }

        if (message.MsgType == "text" && ReleaseTest.QueryAuthCodeOf(message.Content) is { } code)
        {
            return new ReplyPlan("empty", null, code, null);
        }

        if (message.MsgType == "event" && !string.IsNullOrEmpty(message.Event))
        {
            return new ReplyPlan("passive:text", message.Event + ReleaseTest.EventReplySuffix, null, "event");
        }

        return new ReplyPlan("success", null, null, null);
    }

    /// <summary>MsgId when present; events have none, so sender + time + event (WeChat's advice for deduplicating events).</summary>
    internal static string DedupeKeyOf(AccountMessage message)
        => message.MsgId is { Length: > 0 } id
            ? Truncate("id:" + id, 200)
            : Truncate($"ev:{message.FromUserName}:{message.CreateTime}:{message.Event}", 200);

    private static string Truncate(string value, int max) => value.Length > max ? value[..max] : value;

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Refused a message for {AppId} from {RemoteIp}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string remoteIp, string appId, string reason);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "Kept an authentic message for {AppId} that could not be understood ({Reason}) as a poison item; answered success")]
    private static partial void LogPoison(ILogger logger, string appId, PoisonReason reason);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Debug, Message = "Message {MsgType} for {AppId} answered {Reply} (new: {IsNew})")]
    private static partial void LogAccepted(ILogger logger, string appId, string msgType, string reply, bool isNew);
}

/// <summary>How a message is answered: the reply kind, the passive text (if any), a release-test code (if any) and the test case.</summary>
internal sealed record ReplyPlan(string Kind, string? Content, string? QueryAuthCode, string? Case);
