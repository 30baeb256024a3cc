using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Component;

namespace Portal.Web.Features.Identity;

/// <summary>A person's rights as the database holds them now (not as a cookie or an open page remembers them).</summary>
public sealed record CurrentRights(string UserId, string UserName, IReadOnlySet<string> Roles)
{
    public bool SeesAllShops => Roles.Contains(Identity.Roles.Admin) || Roles.Contains(Identity.Roles.Ops);
}

/// <summary>
/// The security boundary of every privileged operation: re-reads the actor's account, roles and security stamp from the
/// database before the operation acts. A user disabled, demoted or signed out everywhere since the page was opened is
/// refused here, whatever the page or circuit still believes.
/// </summary>
public sealed class ActorRights(IDbContextFactory<PortalDbContext> dbFactory, IOptions<IdentityOptions> identity)
{
    /// <summary>The actor's current rights, or null when the actor is no signed-in, enabled user whose session is still valid.</summary>
    public async Task<CurrentRights?> CurrentAsync(ClaimsPrincipal? user, CancellationToken cancellationToken)
    {
        var userId = user?.FindFirstValue(identity.Value.ClaimsIdentity.UserIdClaimType);
        if (user?.Identity?.IsAuthenticated != true || string.IsNullOrEmpty(userId))
        {
            return null;
        }

        var stamp = user.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var account = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.UserName, u.IsDisabled, u.SecurityStamp }).FirstOrDefaultAsync(cancellationToken);
        if (account is null || account.IsDisabled || !string.Equals(account.SecurityStamp, stamp, StringComparison.Ordinal))
        {
            return null;
        }

        var roles = await db.UserRoles.Where(ur => ur.UserId == userId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
            .ToListAsync(cancellationToken);
        return new CurrentRights(userId, account.UserName ?? string.Empty, roles.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The actor's current rights if they hold one of <paramref name="anyOf"/>; otherwise a typed refusal.</summary>
    public async Task<CurrentRights> DemandAsync(Actor actor, CancellationToken cancellationToken, params string[] anyOf)
    {
        var rights = await CurrentAsync(actor.User, cancellationToken);
        if (rights is null || (anyOf.Length > 0 && !anyOf.Any(rights.Roles.Contains)))
        {
            throw Forbidden();
        }

        return rights;
    }

    public static PortalException Forbidden() => new(FailureCode.Forbidden);
}
