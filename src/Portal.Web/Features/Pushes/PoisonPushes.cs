using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Pushes;

/// <summary>Why an authentic push was not understood.</summary>
public enum PoisonReason
{
    /// <summary>The decrypted XML does not parse, or lacks a required field.</summary>
    Malformed,

    /// <summary>CreateTime is not a time the portal can represent.</summary>
    CreateTime,

    /// <summary>Anything else the portal could not make sense of.</summary>
    Unknown,
}

/// <summary>Where a poison item arrived.</summary>
public enum PoisonSource
{
    ComponentEvents,
    AccountMessages,
}

/// <summary>One poison item as ops see it: never the payload, which stays encrypted.</summary>
public sealed record PoisonItem(long Id, DateTimeOffset ReceivedAt, PoisonSource Source, string? AuthorizerAppId, PoisonReason Reason, int Size);

/// <summary>
/// An authentic push whose content the portal cannot understand is kept (encrypted with Data Protection, in the inbox
/// with status <see cref="InboxStatus.Poison"/>, never processed) and answered <c>success</c>, or WeChat would retry it
/// forever. Ops (and admins) see them at <c>/operations/pushes</c>.
/// </summary>
public sealed class PoisonPushes(IDbContextFactory<PortalDbContext> dbFactory, ActorRights rights)
{
    /// <summary>The inbox InfoType that marks a poison item from the message URL.</summary>
    public const string MessageInfoType = "(message)";

    /// <summary>The latest representable unix time (9999-12-31).</summary>
    public const long MaxUnixSeconds = 253_402_300_799;

    public static bool IsRepresentable(long unixSeconds) => unixSeconds is >= 0 and <= MaxUnixSeconds;

    /// <summary>The inbox row that keeps a poison item (stored once per plaintext by the group-commit writer).</summary>
    public static InboxMessage Row(TokenProtector protector, string plainXml, PoisonSource source, string? authorizerAppId, PoisonReason reason, DateTimeOffset now) => new()
    {
        DedupeKey = "poison:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(plainXml))),
        InfoType = source == PoisonSource.AccountMessages ? MessageInfoType : "(component)",
        AuthorizerAppId = authorizerAppId is { Length: > 32 } ? authorizerAppId[..32] : authorizerAppId,
        ReceivedAt = now,
        CreateTime = now,
        PayloadProtected = protector.ProtectPayload(plainXml),
        Status = InboxStatus.Poison,
        LastFailureKind = FailureKind.Poison,
        LastFailureCode = reason.ToString(),
    };

    /// <summary>The newest poison items, for Ops and Admin only.</summary>
    public async Task<IReadOnlyList<PoisonItem>> ListAsync(ClaimsPrincipal user, int take, CancellationToken cancellationToken)
    {
        await rights.DemandAsync(new Audit.Actor(user.Identity?.Name ?? "anonymous", null, user), cancellationToken, Roles.Ops, Roles.Admin);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Inbox.AsNoTracking().Where(m => m.Status == InboxStatus.Poison)
            .OrderByDescending(m => m.Id).Take(Math.Clamp(take, 1, 500))
            .Select(m => new { m.Id, m.ReceivedAt, m.InfoType, m.AuthorizerAppId, m.LastFailureCode, m.PayloadProtected.Length })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new PoisonItem(
            r.Id,
            r.ReceivedAt,
            r.InfoType == MessageInfoType ? PoisonSource.AccountMessages : PoisonSource.ComponentEvents,
            r.AuthorizerAppId,
            Enum.TryParse<PoisonReason>(r.LastFailureCode, out var reason) ? reason : PoisonReason.Unknown,
            r.Length)).ToList();
    }
}
