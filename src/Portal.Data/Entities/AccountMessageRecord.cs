namespace Portal.Data.Entities;

/// <summary>
/// A message or event of an authorized account that arrived at the message URL, kept for
/// <c>Messages:RetentionDays</c>. The decrypted XML is encrypted at rest (it carries what users wrote and, in the
/// release test, authorization codes).
/// </summary>
public sealed class AccountMessageRecord
{
    public long Id { get; set; }

    public required string AuthorizerAppId { get; set; }

    /// <summary>MsgId when WeChat sends one, otherwise FromUserName + CreateTime + Event (WeChat's own advice for events).</summary>
    public required string DedupeKey { get; set; }

    public required string MsgType { get; set; }

    public string? Event { get; set; }

    /// <summary>The sender's openid.</summary>
    public string? FromUser { get; set; }

    public DateTimeOffset CreateTime { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public required string PayloadProtected { get; set; }

    /// <summary>What the portal answered: <c>success</c>, <c>empty</c>, <c>passive:text</c>.</summary>
    public required string Reply { get; set; }

    /// <summary>
    /// The replay key (timestamp, nonce, signature) of the signed request that stored this message. On SQLite a new message's
    /// key is kept here instead of in the replay guard (ADR-017): a replay of that request finds it when its message is
    /// refused as already stored. Null for messages stored before this column existed (their keys are in the replay guard).
    /// </summary>
    public string? RequestKey { get; set; }
}

/// <summary>What the portal did for one case of WeChat's full-network release test (reference §7).</summary>
public sealed class ReleaseTestRecord
{
    public long Id { get; set; }

    public int Group { get; set; }

    public required string AuthorizerAppId { get; set; }

    /// <summary><c>text</c>, <c>api</c> or <c>event</c>.</summary>
    public required string Case { get; set; }

    public DateTimeOffset At { get; set; }

    public bool Succeeded { get; set; }

    /// <summary>Why the case failed, typed (null when it succeeded); the UI words it.</summary>
    public FailureKind? FailureKind { get; set; }

    public string? FailureApi { get; set; }

    public int? FailureErrCode { get; set; }

    public string? FailureCode { get; set; }

    /// <summary>The recorded failure as one value (null: none).</summary>
    public StoredFailure? Failure() => FailureKind is { } kind ? new StoredFailure(kind, FailureApi, FailureErrCode, FailureCode) : null;

    /// <summary>Records <paramref name="failure"/> (null clears it).</summary>
    public void RecordFailure(StoredFailure? failure)
    {
        FailureKind = failure?.Kind;
        FailureApi = failure?.Api is { Length: > 64 } api ? api[..64] : failure?.Api;
        FailureErrCode = failure?.ErrCode;
        FailureCode = failure?.Code is { Length: > 64 } code ? code[..64] : failure?.Code;
    }
}
