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

    public string? LastError { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public long Version { get; set; }
}
