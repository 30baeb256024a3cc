namespace Portal.Data.Entities;

public enum InboxStatus
{
    Pending = 0,
    Processed = 1,
    Failed = 2,

    /// <summary>Authentic (signed and decrypted) but not understood: kept for ops, never processed.</summary>
    Poison = 3,
}

/// <summary>A verified, decrypted push from WeChat, stored before it is answered and processed afterwards.</summary>
public sealed class InboxMessage
{
    public long Id { get; set; }

    /// <summary>sha256 of the decrypted XML: the same push twice is one row.</summary>
    public required string DedupeKey { get; set; }

    public required string InfoType { get; set; }

    public string? AuthorizerAppId { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public DateTimeOffset CreateTime { get; set; }

    /// <summary>The decrypted XML, encrypted with Data Protection (it carries tickets and codes).</summary>
    public required string PayloadProtected { get; set; }

    public InboxStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>Why the last processing failed or why the push is poison, typed; the UI words it.</summary>
    public FailureKind? LastFailureKind { get; set; }

    public string? LastFailureApi { get; set; }

    public int? LastFailureErrCode { get; set; }

    public string? LastFailureCode { get; set; }

    /// <summary>The recorded failure as one value (null: none).</summary>
    public StoredFailure? LastFailure() => LastFailureKind is { } kind ? new StoredFailure(kind, LastFailureApi, LastFailureErrCode, LastFailureCode) : null;

    /// <summary>Records <paramref name="failure"/> (null clears it).</summary>
    public void RecordLastFailure(StoredFailure? failure)
    {
        LastFailureKind = failure?.Kind;
        LastFailureApi = failure?.Api is { Length: > 64 } api ? api[..64] : failure?.Api;
        LastFailureErrCode = failure?.ErrCode;
        LastFailureCode = failure?.Code is { Length: > 64 } code ? code[..64] : failure?.Code;
    }

    public DateTimeOffset? ProcessedAt { get; set; }
}

/// <summary>A (timestamp, nonce, signature) already accepted: a replay of it is refused.</summary>
public sealed class ReplayGuardEntry
{
    public required string Key { get; set; }

    public DateTimeOffset SeenAt { get; set; }
}

/// <summary>An authorization code exchanged with api_query_auth (hashed): each code is exchanged once.</summary>
public sealed class ExchangedAuthCode
{
    public required string CodeHash { get; set; }

    public required string AuthorizerAppId { get; set; }

    public DateTimeOffset ExchangedAt { get; set; }

    /// <summary>The launch attempt the code is recorded for: the one whose redirect presented it, or whose pre_auth_code the push named.</summary>
    public long? AttemptId { get; set; }

    /// <summary>sha256 of the pre_auth_code WeChat's push named for this code, once the push has arrived.</summary>
    public string? PreAuthCodeHash { get; set; }
}
