using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.Identity;

/// <summary>
/// Which shops a person may see and act on: admins and ops every shop, operators only the shops assigned to them.
/// Every page and endpoint that touches a shop goes through here, and the rights are read from the database inside
/// the same query (account enabled, security stamp unchanged, current roles and assignments), never from the
/// cookie's claims alone: a right taken away ends at the next read, even on a page that is already open.
/// </summary>
public sealed class ShopAccess
{
    private const string StampClaim = "AspNet.Identity.SecurityStamp";

    public static bool SeesAllShops(ClaimsPrincipal user) => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Ops);

    public static IQueryable<Shop> VisibleShops(PortalDbContext db, ClaimsPrincipal user)
    {
        var userId = user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;
        if (string.IsNullOrEmpty(userId))
        {
            return db.Shops.Where(_ => false);
        }

        var stamp = user.FindFirstValue(StampClaim);
        var active = db.Users.Where(u => u.Id == userId && !u.IsDisabled && u.SecurityStamp == stamp);
        var roles = db.UserRoles.Where(ur => ur.UserId == userId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name);
        return db.Shops.Where(s => active.Any()
            && (roles.Any(r => r == Roles.Admin || r == Roles.Ops)
                || (roles.Any(r => r == Roles.Operator) && db.OperatorShops.Any(o => o.UserId == userId && o.ShopId == s.Id))));
    }

    public static Task<bool> CanActOnAsync(PortalDbContext db, ClaimsPrincipal user, int shopId, CancellationToken cancellationToken = default)
        => VisibleShops(db, user).AnyAsync(s => s.Id == shopId, cancellationToken);
}
