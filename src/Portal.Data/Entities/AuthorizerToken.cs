namespace Portal.Data.Entities;

/// <summary>
/// An authorizer's tokens, encrypted at rest with ASP.NET Data Protection (the columns hold ciphertext only), and
/// what the refresh machinery needs: expiry, failures, back-off and a lease. <see cref="Version"/> is the
/// optimistic-concurrency token: a stale writer loses.
/// </summary>
public sealed class AuthorizerToken
{
    public int AuthorizerId { get; set; }

    public Authorizer? Authorizer { get; set; }

    public string? AccessTokenProtected { get; set; }

    public DateTimeOffset? AccessTokenExpiresAt { get; set; }

    public required string RefreshTokenProtected { get; set; }

    public DateTimeOffset? LastRefreshedAt { get; set; }

    /// <summary>When the keep-alive sweep should refresh: expiry less the margin less a per-token jitter (indexed).</summary>
    public DateTimeOffset? RefreshDueAt { get; set; }

    public int ConsecutiveFailures { get; set; }

    /// <summary>The last failure, typed (null when the last refresh succeeded); the UI words it.</summary>
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

    public DateTimeOffset? NextAttemptAt { get; set; }

    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public long Version { get; set; }
}
