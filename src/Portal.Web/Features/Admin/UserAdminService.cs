using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Component;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Admin;

/// <summary>A user as the user-management page lists it.</summary>
public sealed record UserView(string Id, string UserName, string DisplayName, bool IsDisabled, IReadOnlyList<string> Roles, IReadOnlyList<int> ShopIds, DateTimeOffset? LockoutEnd);

/// <summary>What an admin sets for a user.</summary>
public sealed record ShopChoice(int Id, string Name);

public sealed record UserInput(string UserName, string DisplayName, string? Password, IReadOnlyCollection<string> Roles, IReadOnlyCollection<int> ShopIds);

/// <summary>
/// User management for admins: create users, set roles and shops, disable and enable. Every method checks that the
/// actor is an admin (the page's attribute is not the only guard) and writes the audit log. Disabling bumps the
/// security stamp, so the user's existing sessions end at the next validation (one minute).
/// </summary>
public sealed class UserAdminService(UserManager<PortalUser> users, IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, ActorRights rights)
{
    public async Task<IReadOnlyList<UserView>> ListAsync(Actor actor, CancellationToken cancellationToken)
    {
        await DemandAsync(actor, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var all = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync(cancellationToken);
        var shops = await db.OperatorShops.AsNoTracking().ToListAsync(cancellationToken);
        return all.Select(u => new UserView(u.Id, u.UserName ?? string.Empty, u.DisplayName, u.IsDisabled,
            roles.Where(r => r.UserId == u.Id).Select(r => r.Name!).Order().ToList(),
            shops.Where(s => s.UserId == u.Id).Select(s => s.ShopId).Order().ToList(), u.LockoutEnd)).ToList();
    }

    /// <summary>The stores an operator can be assigned to, by name.</summary>
    public async Task<IReadOnlyList<ShopChoice>> ShopsAsync(Actor actor, CancellationToken cancellationToken)
    {
        await DemandAsync(actor, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Shops.AsNoTracking().OrderBy(s => s.Name).Select(s => new ShopChoice(s.Id, s.Name)).ToListAsync(cancellationToken);
    }

    public async Task<string> CreateAsync(Actor actor, UserInput input, CancellationToken cancellationToken)
    {
        await DemandAsync(actor, cancellationToken);
        Validate(input, creating: true);
        var user = new PortalUser { UserName = input.UserName.Trim(), DisplayName = input.DisplayName.Trim(), LockoutEnabled = true };
        Check(await users.CreateAsync(user, input.Password!));
        Check(await users.AddToRolesAsync(user, input.Roles));
        await SetShopsAsync(user.Id, input.ShopIds, cancellationToken);
        await audit.WriteAsync(actor, "user.create", user.UserName, cancellationToken, $"roles={string.Join('+', input.Roles)}; shops={string.Join(' ', input.ShopIds)}");
        return user.Id;
    }

    public async Task UpdateAsync(Actor actor, string userId, UserInput input, CancellationToken cancellationToken)
    {
        await DemandAsync(actor, cancellationToken);
        Validate(input, creating: false);
        var user = await users.FindByIdAsync(userId) ?? throw NotFound();
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && !input.Roles.Contains(Roles.Admin))
        {
            await EnsureAnotherAdminAsync(user);
        }

        user.DisplayName = input.DisplayName.Trim();
        Check(await users.UpdateAsync(user));
        Check(await users.RemoveFromRolesAsync(user, current.Except(input.Roles)));
        Check(await users.AddToRolesAsync(user, input.Roles.Except(current)));
        await SetShopsAsync(user.Id, input.ShopIds, cancellationToken);
        if (!string.IsNullOrEmpty(input.Password))
        {
            Check(await users.RemovePasswordAsync(user));
            Check(await users.AddPasswordAsync(user, input.Password));
        }

        if (!current.Order().SequenceEqual(input.Roles.Order()) || !string.IsNullOrEmpty(input.Password))
        {
            await users.UpdateSecurityStampAsync(user);
        }

        await audit.WriteAsync(actor, "user.update", user.UserName, cancellationToken, $"roles={string.Join('+', input.Roles)}; shops={string.Join(' ', input.ShopIds)}{(string.IsNullOrEmpty(input.Password) ? "" : "; password reset")}");
    }

    public async Task SetDisabledAsync(Actor actor, string userId, bool disabled, CancellationToken cancellationToken)
    {
        var me = await DemandAsync(actor, cancellationToken);
        var user = await users.FindByIdAsync(userId) ?? throw NotFound();
        if (disabled && user.Id == me.UserId)
        {
            throw new PortalException(FailureCode.UserSelfDisable);
        }

        if (disabled && await users.IsInRoleAsync(user, Roles.Admin))
        {
            await EnsureAnotherAdminAsync(user);
        }

        user.IsDisabled = disabled;
        Check(await users.UpdateAsync(user));
        await users.UpdateSecurityStampAsync(user);
        await audit.WriteAsync(actor, disabled ? "user.disable" : "user.enable", user.UserName, cancellationToken);
    }

    private async Task EnsureAnotherAdminAsync(PortalUser user)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        if (!admins.Any(a => a.Id != user.Id && !a.IsDisabled))
        {
            throw new PortalException(FailureCode.UserLastAdmin);
        }
    }

    private async Task SetShopsAsync(string userId, IReadOnlyCollection<int> shopIds, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var known = await db.Shops.Where(s => shopIds.Contains(s.Id)).Select(s => s.Id).ToListAsync(cancellationToken);
        if (known.Count != shopIds.Distinct().Count())
        {
            throw new PortalException(FailureCode.UserUnknownShop);
        }

        await db.OperatorShops.Where(o => o.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        db.OperatorShops.AddRange(known.Select(id => new OperatorShop { UserId = userId, ShopId = id }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Only a currently enabled admin (as the database says now, not the open page) manages users.</summary>
    private async Task<CurrentRights> DemandAsync(Actor actor, CancellationToken cancellationToken)
    {
        try
        {
            return await rights.DemandAsync(actor, cancellationToken, Roles.Admin);
        }
        catch (PortalException)
        {
            throw new PortalException(FailureCode.Forbidden);
        }
    }

    private static void Validate(UserInput input, bool creating)
    {
        if (string.IsNullOrWhiteSpace(input.UserName) || input.UserName.Trim().Length > 64)
        {
            throw new PortalException(FailureCode.UserNameRequired);
        }

        if (input.Roles.Count == 0 || input.Roles.Any(r => !Roles.All.Contains(r)))
        {
            throw new PortalException(FailureCode.UserRoleRequired);
        }

        if (creating && string.IsNullOrEmpty(input.Password))
        {
            throw new PortalException(FailureCode.UserPasswordRequired);
        }
    }

    private static PortalException NotFound() => new(FailureCode.UserNotFound);

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new PortalException(FailureCode.UserInvalid, [.. result.Errors.Select(e => (object)e.Code)]);
        }
    }
}
