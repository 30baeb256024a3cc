using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Xml;
using Portal.Web.Features.Data;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.Pushes;

/// <summary>
/// WeChat's authorization event URL. Verifies both signatures, the envelope and trailing appid, the timestamp window
/// and the nonce (replays are refused), stores the decrypted push in the inbox once (the same push twice is one row)
/// and answers the bare <c>success</c>; processing happens afterwards. Anything wrong gets a 4xx, changes nothing and
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
        IDbContextFactory<PortalDbContext> dbFactory,
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

        await using var db = await dbFactory.CreateDbContextAsync(context.RequestAborted);
        var now = time.GetUtcNow();
        if (!await request.RememberAsync(db, string.Empty, now, context.RequestAborted))
        {
            LogRejected(logger, ip, "replayed timestamp/nonce");
            return Results.Conflict("replayed");
        }

        if (poison is { } poisonReason)
        {
            await PoisonPushes.AddAsync(db, protector, xml, PoisonSource.ComponentEvents, null, poisonReason, now, context.RequestAborted);
            await SaveIgnoringRaceAsync(db, context.RequestAborted);
            LogPoison(logger, poisonReason);
            return Results.Text("success");
        }

        // Expired entries are pruned by the prune-replay-guard job, never here: a push must stay fast however many there are.
        var accepted = push!;
        var dedupeKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(xml)));
        var isNew = !await db.Inbox.AnyAsync(m => m.DedupeKey == dedupeKey, context.RequestAborted);
        if (isNew)
        {
            db.Inbox.Add(new InboxMessage
            {
                DedupeKey = dedupeKey,
                InfoType = Cap(accepted.InfoType, 64),
                AuthorizerAppId = AuthorizerOf(accepted) is { } authorizer ? Cap(authorizer, 32) : null,
                ReceivedAt = now,
                CreateTime = DateTimeOffset.FromUnixTimeSeconds(accepted.CreateTime),
                PayloadProtected = protector.Protect(xml),
                Status = InboxStatus.Pending,
            });
        }

        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateException)
        {
            // The same push (or the same nonce) raced in on another request: it is stored once; answer as WeChat expects.
            LogDuplicateRace(logger, accepted.InfoType);
            return Results.Text("success");
        }

        LogAccepted(logger, accepted.InfoType, AuthorizerOf(accepted) ?? "-", isNew);
        signal.Notify();
        return Results.Text("success");
    }

    private static string Cap(string value, int max) => value.Length > max ? value[..max] : value;

    private static async Task SaveIgnoringRaceAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same poison push raced in on another request: it is kept once.
        }
    }

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

        var buffer = new byte[MaxBodyBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return total > MaxBodyBytes ? null : Encoding.UTF8.GetString(buffer, 0, total);
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Refused a push to the event URL from {RemoteIp}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string remoteIp, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Accepted push {InfoType} for {AuthorizerAppId} (new: {IsNew})")]
    private static partial void LogAccepted(ILogger logger, string infoType, string authorizerAppId, bool isNew);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Kept an authentic push that could not be understood ({Reason}) as a poison item; answered success")]
    private static partial void LogPoison(ILogger logger, PoisonReason reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Push {InfoType} arrived twice at once; stored once")]
    private static partial void LogDuplicateRace(ILogger logger, string infoType);
}

/// <summary>Wakes the inbox processor when something arrives.</summary>
public sealed class InboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public void Notify() => _signal.Release();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
