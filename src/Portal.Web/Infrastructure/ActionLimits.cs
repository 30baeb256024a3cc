using System.Security.Cryptography;
using System.Text;
using Portal.Web.Features.Component;

namespace Portal.Web.Infrastructure;

/// <summary>
/// The limits on actions taken inside a Blazor circuit, which the HTTP rate limiter never sees: launch clicks (each
/// mints a pre_auth_code at WeChat) per invitation and per address, and invitations per user and per address. A refusal
/// is a <see cref="PortalException"/> with code <see cref="Code"/> and the wait in seconds, shown by the page like any
/// other refusal.
/// </summary>
public sealed class ActionLimits(ActionRateLimiter limiter)
{
    public const string Code = "rate_limited";

    /// <summary>Before minting a pre_auth_code for the invitation <paramref name="inviteToken"/>.</summary>
    public void EnsureLaunchAllowed(string? inviteToken, string? remoteIp)
    {
        Ensure(nameof(RateLimitOptions.LaunchPerInvite), Fingerprint(inviteToken));
        Ensure(nameof(RateLimitOptions.LaunchPerIp), remoteIp ?? "unknown");
    }

    /// <summary>Before creating an invitation (or a re-authorization link) for <paramref name="userName"/>.</summary>
    public void EnsureInviteAllowed(string? userName, string? remoteIp)
    {
        if (!string.IsNullOrEmpty(userName))
        {
            Ensure(nameof(RateLimitOptions.InvitesPerUser), userName.ToUpperInvariant());
        }

        Ensure(nameof(RateLimitOptions.InvitesPerIp), remoteIp ?? "unknown");
    }

    private void Ensure(string rule, string key)
    {
        if (!limiter.TryAcquire(rule, key, out var retryAfter))
        {
            throw new PortalException(FailureCode.RateLimited, Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)));
        }
    }

    // The invitation token is a credential: only a hash of it is kept in memory.
    private static string Fingerprint(string? token)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token ?? string.Empty)))[..32];
}
