using Microsoft.AspNetCore.Identity;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Audit;
using Portal.Web.Infrastructure;

namespace Portal.Web.Features.Identity;

/// <summary>How a sign-in ended. Only a correct password learns that an account is locked or disabled.</summary>
public enum LoginOutcome
{
    SignedIn,
    Failed,
    Throttled,
    LockedOut,
    Disabled,
}

public sealed record LoginResult(LoginOutcome Outcome, TimeSpan RetryAfter = default);

/// <summary>
/// Password sign-in with one answer and one cost for every wrong attempt: an unknown user name costs the same
/// password hash as a known one, and "locked" or "disabled" is said only after the password checked out. Failed
/// attempts are throttled per client address and account (<c>RateLimits:LoginPerIpAndAccount</c>) before the account
/// lockout (<c>RateLimits:LockoutAfterFailures</c>) can trip, and the last active admin is never locked out: an
/// attacker can slow sign-in from his own address, not shut the administrators out.
/// </summary>
public sealed partial class LoginService(
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    IPasswordHasher<PortalUser> hasher,
    ActionRateLimiter limiter,
    AuditLog audit,
    ILogger<LoginService> logger)
{
    public const int MaxUserNameLength = 256;
    public const string ThrottleRule = nameof(RateLimitOptions.LoginPerIpAndAccount);

    private static readonly PortalUser Nobody = new() { UserName = "nobody" };
    private static readonly Lazy<string> NobodyHash = new(() => new PasswordHasher<PortalUser>().HashPassword(Nobody, Guid.NewGuid().ToString("N")));

    public async Task<LoginResult> SignInAsync(string? userName, string? password, string? remoteIp, CancellationToken cancellationToken)
    {
        var name = (userName ?? string.Empty).Trim();
        password ??= string.Empty;
        var throttleKey = $"{remoteIp}|{name.ToUpperInvariant()}";
        var actor = new Actor(name, remoteIp);
        if (limiter.IsExhausted(ThrottleRule, throttleKey, out var wait))
        {
            await audit.WriteAsync(actor, "account.sign_in_failed", null, cancellationToken, "throttled");
            return new LoginResult(LoginOutcome.Throttled, wait);
        }

        var user = name.Length is > 0 and <= MaxUserNameLength ? await users.FindByNameAsync(name) : null;
        bool passwordOk;
        if (user is null)
        {
            // The same PBKDF2 work as for a real account, so timing does not tell which names exist.
            hasher.VerifyHashedPassword(Nobody, NobodyHash.Value, password);
            passwordOk = false;
        }
        else
        {
            passwordOk = await users.CheckPasswordAsync(user, password);
        }

        LoginOutcome outcome;
        if (!passwordOk)
        {
            limiter.TryAcquire(ThrottleRule, throttleKey, out _);
            if (user is not null && !await IsLastActiveAdminAsync(user))
            {
                await users.AccessFailedAsync(user);
            }

            outcome = LoginOutcome.Failed;
        }
        else if (user!.IsDisabled)
        {
            outcome = LoginOutcome.Disabled;
        }
        else if (await users.IsLockedOutAsync(user))
        {
            outcome = LoginOutcome.LockedOut;
        }
        else
        {
            await users.ResetAccessFailedCountAsync(user);
            await signIn.SignInAsync(user, isPersistent: false);
            outcome = LoginOutcome.SignedIn;
        }

        await audit.WriteAsync(actor, outcome == LoginOutcome.SignedIn ? "account.signed_in" : "account.sign_in_failed", null, cancellationToken,
            outcome switch { LoginOutcome.LockedOut => "locked out", LoginOutcome.Disabled => "disabled", _ => null });
        if (outcome != LoginOutcome.SignedIn)
        {
            LogFailed(logger, outcome, remoteIp ?? "?");
        }

        return new LoginResult(outcome);
    }

    private async Task<bool> IsLastActiveAdminAsync(PortalUser user)
        => !user.IsDisabled && await users.IsInRoleAsync(user, Roles.Admin)
           && (await users.GetUsersInRoleAsync(Roles.Admin)).Count(u => !u.IsDisabled) <= 1;

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Sign-in refused ({Outcome}) from {RemoteIp}")]
    private static partial void LogFailed(ILogger logger, LoginOutcome outcome, string remoteIp);
}
