using Microsoft.Extensions.Options;

namespace Portal.Web.Infrastructure;

/// <summary>One fixed-window limit: at most <see cref="PermitLimit"/> in each <see cref="Window"/>.</summary>
public sealed class RateLimitRule
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }

    public RateLimitRule()
    {
    }

    public RateLimitRule(int permitLimit, TimeSpan window)
    {
        PermitLimit = permitLimit;
        Window = window;
    }
}

/// <summary>
/// <c>RateLimits</c>: how often anyone may knock. Per client address where no account is known, per address and
/// account for sign-in (so one address cannot lock an account, see <see cref="Features.Identity.LoginService"/>),
/// per invitation for launch clicks (each mints a pre_auth_code at WeChat), per user for invitations.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Sign-in form posts per client address.</summary>
    public RateLimitRule LoginPerIp { get; set; } = new(30, TimeSpan.FromMinutes(5));

    /// <summary>Failed sign-ins per client address and user name; trips well before the account lockout.</summary>
    public RateLimitRule LoginPerIpAndAccount { get; set; } = new(5, TimeSpan.FromMinutes(15));

    /// <summary>
    /// Token-API requests per client address. Internal services ask before every WeChat call, often many workers behind
    /// one address, and a cached answer costs the portal ~30 µs of CPU: the default (2,000/s per address) stops a runaway
    /// client, not normal use. API keys are 40 random characters (~238 bits), so guessing is not what this limit is for.
    /// </summary>
    public RateLimitRule TokenApiPerIp { get; set; } = new(120_000, TimeSpan.FromMinutes(1));

    /// <summary>Launch clicks (pre_auth_codes minted) per invitation.</summary>
    public RateLimitRule LaunchPerInvite { get; set; } = new(10, TimeSpan.FromMinutes(10));

    /// <summary>Launch clicks per client address, over all invitations.</summary>
    public RateLimitRule LaunchPerIp { get; set; } = new(30, TimeSpan.FromMinutes(10));

    /// <summary>Invitations created per signed-in user.</summary>
    public RateLimitRule InvitesPerUser { get; set; } = new(30, TimeSpan.FromHours(1));

    /// <summary>Invitations created (or re-authorization links asked for) per client address.</summary>
    public RateLimitRule InvitesPerIp { get; set; } = new(60, TimeSpan.FromHours(1));

    /// <summary>Failed sign-ins (from any address) after which an account is locked; never the last active admin.</summary>
    public int LockoutAfterFailures { get; set; } = 10;

    /// <summary>How long a locked account stays locked.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    public IEnumerable<(string Key, RateLimitRule Rule)> Rules =>
    [
        (nameof(LoginPerIp), LoginPerIp), (nameof(LoginPerIpAndAccount), LoginPerIpAndAccount), (nameof(TokenApiPerIp), TokenApiPerIp),
        (nameof(LaunchPerInvite), LaunchPerInvite), (nameof(LaunchPerIp), LaunchPerIp), (nameof(InvitesPerUser), InvitesPerUser),
        (nameof(InvitesPerIp), InvitesPerIp),
    ];
}

public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = options.Rules
            .Where(r => r.Rule is null || r.Rule.PermitLimit < 1 || r.Rule.Window <= TimeSpan.Zero)
            .Select(r => $"{RateLimitOptions.SectionName}:{r.Key} needs PermitLimit >= 1 and a positive Window")
            .ToList();
        if (options.LoginPerIpAndAccount is { } perAccount && perAccount.PermitLimit >= options.LockoutAfterFailures)
        {
            failures.Add($"{RateLimitOptions.SectionName}:LoginPerIpAndAccount:PermitLimit must be below {RateLimitOptions.SectionName}:LockoutAfterFailures (one address must not be able to lock an account)");
        }

        if (options.LockoutDuration <= TimeSpan.Zero)
        {
            failures.Add($"{RateLimitOptions.SectionName}:LockoutDuration must be positive");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
