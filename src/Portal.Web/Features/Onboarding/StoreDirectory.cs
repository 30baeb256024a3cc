using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Onboarding;

/// <summary>What the store list can be sorted by.</summary>
public enum StoreSort
{
    Id,
    Name,
    City,
    AccountName,
    State,
    UpdatedAt,
}

/// <summary>
/// One page of the store list as the user may see it: search (case-insensitive, anywhere in the store's name, city, account
/// name or appid), state filter, typed sort, zero-based page. <paramref name="KnownTotal"/> is the total this same search
/// and filter counted before: paging and sorting pass it back so that only a new filter counts again.
/// </summary>
public sealed record StoreQuery(string? Search = null, BindingState? State = null, StoreSort Sort = StoreSort.Id, bool Descending = false, int Page = 0, int PageSize = 20, int? KnownTotal = null)
{
    /// <summary>What the total depends on: a page compares it with the one it counted for to know whether to pass <see cref="KnownTotal"/>.</summary>
    public string CountKey => $"{Search?.Trim().ToLowerInvariant()}\u0001{State}";
}

/// <summary>A page of rows and the number of rows over all pages.</summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Total);

/// <summary>A store in the list. <see cref="State"/> is what people should read: "pending" only while an invitation is live.</summary>
public sealed record StoreRow(int Id, string Name, string City, BindingState State, DateTimeOffset? UpdatedAt, string? AccountAppId, string? AccountName, string? AccountHeadImg, AuthorizerKind? AccountKind);

/// <summary>A store's page: the store, its bound account, its live invitation and its history.</summary>
public sealed record StoreDetail(int Id, string Name, string City, BindingState State, AuthorizerView? Account, LiveInvite? Invite, IReadOnlyList<BindingEvent> History);

/// <summary>The invitation that makes a store "pending", until it expires or is used.</summary>
public sealed record LiveInvite(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string CreatedBy);

/// <summary>
/// The stores a user may see, for the list and the store page. "Invited" and "authorizing" are shown only while the
/// store has a live invitation (open and not expired): a cancelled or refused authorization leaves a stored state
/// that would otherwise say "pending" for good.
/// </summary>
public sealed class StoreDirectory(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public async Task<PageOf<StoreRow>> ListAsync(ClaimsPrincipal user, StoreQuery query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var shops = ShopAccess.VisibleShops(db, user).AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Case-insensitive on both providers: the term in lower case against the stored lower-case search columns (the
            // store's name and city, the bound account's name, appid and principal), inside the store scope above.
            // The accounts are found through the search index (ListSearch), not by reading each bound account's row.
            var term = query.Search.Trim().ToLowerInvariant();
            var accounts = ListSearch.AuthorizerIds(db, term);
            shops = shops.Where(s => s.SearchText!.Contains(term)
                || (s.Binding != null && s.Binding.AuthorizerId != null && accounts.Contains(s.Binding.AuthorizerId.Value)));
        }

        var rows = shops.Select(s => new
        {
            Shop = s,
            s.Binding,
            Live = db.Invites.Any(i => i.ShopId == s.Id && i.Status == InviteStatus.Open && i.ExpiresAt > now),
        });

        if (query.State is { } state)
        {
            rows = state switch
            {
                BindingState.Unbound => rows.Where(r => r.Binding == null || r.Binding.State == BindingState.Unbound
                    || ((r.Binding.State == BindingState.Invited || r.Binding.State == BindingState.Authorizing) && !r.Live && r.Binding.AuthorizerId == null)),
                BindingState.Invited or BindingState.Authorizing => rows.Where(r => r.Binding != null && r.Binding.State == state && r.Live),
                BindingState.Active => rows.Where(r => r.Binding != null && (r.Binding.State == state
                    || ((r.Binding.State == BindingState.Invited || r.Binding.State == BindingState.Authorizing) && !r.Live && r.Binding.AuthorizerId != null))),
                _ => rows.Where(r => r.Binding != null && r.Binding.State == state),
            };
        }

        // The total is counted when the search or filter is new, not again for every page or sort of the same view.
        var total = query.KnownTotal is { } known and >= 0 ? known : await rows.CountAsync(cancellationToken);
        var d = query.Descending;
        // Each sort ends on the id, so pages of equal keys neither repeat nor skip a row.
        rows = query.Sort switch
        {
            StoreSort.Name => d ? rows.OrderByDescending(r => r.Shop.Name).ThenByDescending(r => r.Shop.Id) : rows.OrderBy(r => r.Shop.Name).ThenBy(r => r.Shop.Id),
            StoreSort.City => d ? rows.OrderByDescending(r => r.Shop.City).ThenByDescending(r => r.Shop.Id) : rows.OrderBy(r => r.Shop.City).ThenBy(r => r.Shop.Id),
            StoreSort.AccountName => d ? rows.OrderByDescending(r => r.Binding!.Authorizer!.NickName).ThenByDescending(r => r.Shop.Id) : rows.OrderBy(r => r.Binding!.Authorizer!.NickName).ThenBy(r => r.Shop.Id),
            StoreSort.State => d ? rows.OrderByDescending(r => r.Binding!.State).ThenByDescending(r => r.Shop.Id) : rows.OrderBy(r => r.Binding!.State).ThenBy(r => r.Shop.Id),
            StoreSort.UpdatedAt => d ? rows.OrderByDescending(r => r.Binding!.UpdatedAt).ThenByDescending(r => r.Shop.Id) : rows.OrderBy(r => r.Binding!.UpdatedAt).ThenBy(r => r.Shop.Id),
            _ => d ? rows.OrderByDescending(r => r.Shop.Id) : rows.OrderBy(r => r.Shop.Id),
        };

        // A page in two steps: the ids of the page (the filter, the sort and the offset; nothing else is computed for the
        // skipped rows), then the columns of those ids. In one query the database worked out each skipped store's binding,
        // account and open-invitation subquery too (page 50: a thousand of them).
        var size = Math.Clamp(query.PageSize, 1, 200);
        var ids = await rows.Skip(Math.Max(0, query.Page) * size).Take(size).Select(r => r.Shop.Id).ToListAsync(cancellationToken);
        var position = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var page = (await db.Shops.AsNoTracking().Where(s => ids.Contains(s.Id))
            .Select(s => new
            {
                s.Id,
                s.Name,
                s.City,
                State = s.Binding == null ? BindingState.Unbound : s.Binding.State,
                HasAccount = s.Binding != null && s.Binding.AuthorizerId != null,
                Live = db.Invites.Any(i => i.ShopId == s.Id && i.Status == InviteStatus.Open && i.ExpiresAt > now),
                UpdatedAt = s.Binding == null ? (DateTimeOffset?)null : s.Binding.UpdatedAt,
                AppId = s.Binding != null && s.Binding.Authorizer != null ? s.Binding.Authorizer.AppId : null,
                NickName = s.Binding != null && s.Binding.Authorizer != null ? s.Binding.Authorizer.NickName : null,
                HeadImg = s.Binding != null && s.Binding.Authorizer != null ? s.Binding.Authorizer.HeadImg : null,
                Kind = s.Binding != null && s.Binding.Authorizer != null ? s.Binding.Authorizer.Kind : (AuthorizerKind?)null,
            })
            .ToListAsync(cancellationToken)).OrderBy(r => position[r.Id]).ToList();
        return new PageOf<StoreRow>(
            page.Select(r => new StoreRow(r.Id, r.Name, r.City, Shown(r.State, r.Live, r.HasAccount), r.UpdatedAt, r.AppId, r.NickName, r.HeadImg, r.Kind)).ToList(),
            total);
    }

    /// <summary>The store's page, or null when the user may not see it (or it does not exist).</summary>
    public async Task<StoreDetail?> DetailAsync(ClaimsPrincipal user, int shopId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var shop = await ShopAccess.VisibleShops(db, user).AsNoTracking().Include(s => s.Binding).ThenInclude(b => b!.Authorizer)
            .FirstOrDefaultAsync(s => s.Id == shopId, cancellationToken);
        if (shop is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var live = await db.Invites.AsNoTracking().Where(i => i.ShopId == shopId && i.Status == InviteStatus.Open && i.ExpiresAt > now)
            .OrderByDescending(i => i.CreatedAt).Select(i => new LiveInvite(i.Id, i.CreatedAt, i.ExpiresAt, i.CreatedBy)).FirstOrDefaultAsync(cancellationToken);
        var history = await db.BindingEvents.AsNoTracking().Where(e => e.ShopId == shopId)
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(200).ToListAsync(cancellationToken);
        var a = shop.Binding?.Authorizer;
        var account = a is null ? null : new AuthorizerView(a.AppId, a.Kind, a.NickName, a.HeadImg, a.UserName, a.PrincipalName, a.VerifyType, a.AccountStatus, a.LastSyncedAt is not null);
        var state = Shown(shop.Binding?.State ?? BindingState.Unbound, live is not null, shop.Binding?.AuthorizerId is not null);
        return new StoreDetail(shop.Id, shop.Name, shop.City, state, account, live, history);
    }

    /// <summary>A pending state without a live invitation falls back to what the store has: its account, or nothing.</summary>
    public static BindingState Shown(BindingState stored, bool liveInvite, bool hasAccount)
        => stored is BindingState.Invited or BindingState.Authorizing && !liveInvite
            ? (hasAccount ? BindingState.Active : BindingState.Unbound)
            : stored;
}
