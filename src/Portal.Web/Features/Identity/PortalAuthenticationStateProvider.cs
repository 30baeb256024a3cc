using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Portal.Web.Features.Identity;

/// <summary>
/// The authentication state of an interactive circuit, checked against the database on an interval (as the Identity
/// template's provider does): a user disabled, demoted or whose security stamp changed loses the open page's rights at
/// the next check. Privileged operations do not wait for it: <see cref="ActorRights"/> checks them as they act.
/// </summary>
public sealed class PortalAuthenticationStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IConfiguration configuration)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    /// <summary>Setting for how often an open page re-checks its user.</summary>
    public const string IntervalKey = "Portal:SessionRevalidationInterval";

    protected override TimeSpan RevalidationInterval => Interval(configuration);

    public static TimeSpan Interval(IConfiguration configuration) => configuration.GetValue<TimeSpan?>(IntervalKey) ?? TimeSpan.FromSeconds(30);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ActorRights>().CurrentAsync(authenticationState.User, cancellationToken) is not null;
    }
}
