using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.Identity;

/// <summary>
/// Which shops a person may see and act on: admins and ops every shop, operators only the shops assigned to them.
/// Every page and endpoint that touches a shop goes through here.
/// </summary>
public sealed class ShopAccess
{
    public static bool SeesAllShops(ClaimsPrincipal user) => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Ops);

    public static IQueryable<Shop> VisibleShops(PortalDbContext db, ClaimsPrincipal user)
    {
        if (SeesAllShops(user))
        {
            return db.Shops;
        }

        if (!user.IsInRole(Roles.Operator))
        {
            return db.Shops.Where(_ => false);
        }

        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? string.Empty;
        return db.Shops.Where(s => db.OperatorShops.Any(o => o.UserId == userId && o.ShopId == s.Id));
    }

    public static Task<bool> CanActOnAsync(PortalDbContext db, ClaimsPrincipal user, int shopId, CancellationToken cancellationToken = default)
        => VisibleShops(db, user).AnyAsync(s => s.Id == shopId, cancellationToken);
}
