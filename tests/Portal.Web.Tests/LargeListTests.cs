using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Identity;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Tests;

/// <summary>
/// The list services of issue 14 (large lists): search is case-insensitive on both providers, the store scope is applied
/// inside the same query (rows and total), a total counted once is reused by paging, and sorts page without repeats.
/// test.sh runs this class again on PostgreSQL.
/// </summary>
public sealed class LargeListTests(DefaultPortalFactory factory) : IClassFixture<DefaultPortalFactory>
{
    private IDbContextFactory<PortalDbContext> DbFactory => factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    /// <summary>Two shops named <paramref name="tag"/> in mixed case: the first assigned to operator2, the second to nobody; the first bound to an account.</summary>
    private async Task<(int Mine, int Foreign, string AppId)> SeedAsync(string tag)
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        var mine = new Shop { Name = $"Lakeside {tag} Café", City = "Hangzhou", CreatedAt = DateTimeOffset.UtcNow };
        var foreign = new Shop { Name = $"HARBOUR {tag.ToUpperInvariant()} Bistro", City = "Ningbo", CreatedAt = DateTimeOffset.UtcNow };
        var appId = "wxCase" + tag[..8];
        var account = new Authorizer { AppId = appId, NickName = $"Mixed {tag} Coffee", PrincipalName = $"Mixed {tag} Ltd", Kind = AuthorizerKind.OfficialAccount, IsAuthorized = true };
        db.AddRange(mine, foreign, account);
        await db.SaveChangesAsync();
        db.Bindings.Add(new Binding { ShopId = mine.Id, AuthorizerId = account.Id, State = BindingState.Active, UpdatedAt = DateTimeOffset.UtcNow });
        var operator2 = await db.Users.SingleAsync(u => u.UserName == "operator2");
        db.OperatorShops.Add(new OperatorShop { UserId = operator2.Id, ShopId = mine.Id });
        await db.SaveChangesAsync();
        return (mine.Id, foreign.Id, appId);
    }

    private static string Tag() => "t" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task StoreSearch_IgnoresCase_InNameCityAccountAndAppId()
    {
        var tag = Tag();
        var (mine, foreign, appId) = await SeedAsync(tag);
        var stores = factory.Services.GetRequiredService<StoreDirectory>();
        var admin = await factory.PrincipalAsync("admin");

        foreach (var term in new[] { tag.ToUpperInvariant(), tag, " " + tag[..4].ToUpperInvariant() + tag[4..] + " " })
        {
            var page = await stores.ListAsync(admin, new StoreQuery(term), CancellationToken.None);
            Assert.Equal([mine, foreign], page.Items.Select(r => r.Id).Order());
            Assert.Equal(2, page.Total);
        }

        Assert.Equal([mine], (await stores.ListAsync(admin, new StoreQuery("lakeside " + tag.ToUpperInvariant()), CancellationToken.None)).Items.Select(r => r.Id));
        Assert.Equal([foreign], (await stores.ListAsync(admin, new StoreQuery("harbour " + tag + " bistro"), CancellationToken.None)).Items.Select(r => r.Id));

        // The bound account's name and appid, in the other case.
        Assert.Equal([mine], (await stores.ListAsync(admin, new StoreQuery($"MIXED {tag.ToUpperInvariant()} coffee"), CancellationToken.None)).Items.Select(r => r.Id));
        Assert.Equal([mine], (await stores.ListAsync(admin, new StoreQuery(appId.ToUpperInvariant()), CancellationToken.None)).Items.Select(r => r.Id));
        Assert.Equal([mine], (await stores.ListAsync(admin, new StoreQuery("hangzhou"), CancellationToken.None)).Items.Select(r => r.Id).Where(id => id == mine || id == foreign));
        Assert.Empty((await stores.ListAsync(admin, new StoreQuery(tag + "-nothing"), CancellationToken.None)).Items);
    }

    [Fact]
    public async Task StoreSearch_StaysInsideTheOperatorsStores_ForRowsAndTotal()
    {
        var tag = Tag();
        var (mine, _, _) = await SeedAsync(tag);
        var stores = factory.Services.GetRequiredService<StoreDirectory>();
        var operator2 = await factory.PrincipalAsync("operator2");
        var operator1 = await factory.PrincipalAsync("operator1");

        var page = await stores.ListAsync(operator2, new StoreQuery(tag.ToUpperInvariant()), CancellationToken.None);
        Assert.Equal([mine], page.Items.Select(r => r.Id));
        Assert.Equal(1, page.Total);
        var none = await stores.ListAsync(operator1, new StoreQuery(tag), CancellationToken.None);
        Assert.Empty(none.Items);
        Assert.Equal(0, none.Total);

        // Without a search: the total is the operator's own stores, whatever the size of the table.
        await using var db = await DbFactory.CreateDbContextAsync();
        var own = await ShopAccess.VisibleShops(db, operator2).CountAsync();
        Assert.Equal(own, (await stores.ListAsync(operator2, new StoreQuery(PageSize: 2), CancellationToken.None)).Total);
        Assert.True(own < await db.Shops.CountAsync());
        // A sort by the account's name still shows only what the operator may see.
        var sorted = await stores.ListAsync(operator2, new StoreQuery(Sort: StoreSort.AccountName, PageSize: 200), CancellationToken.None);
        var visible = await ShopAccess.VisibleShops(db, operator2).Select(s => s.Id).ToListAsync();
        Assert.All(sorted.Items, r => Assert.Contains(r.Id, visible));
    }

    [Fact]
    public async Task StoreTotal_IsCountedForANewFilter_AndReusedWhenPaging()
    {
        var tag = Tag();
        await SeedAsync(tag);
        var stores = factory.Services.GetRequiredService<StoreDirectory>();
        var admin = await factory.PrincipalAsync("admin");
        var first = await stores.ListAsync(admin, new StoreQuery(tag, PageSize: 1), CancellationToken.None);
        Assert.Equal(2, first.Total);

        // Paging passes the total back: the service answers with it instead of counting again (the page says which filter it counted for).
        var second = await stores.ListAsync(admin, new StoreQuery(tag, Page: 1, PageSize: 1, KnownTotal: first.Total), CancellationToken.None);
        Assert.Equal(2, second.Total);
        Assert.NotEqual(first.Items.Single().Id, second.Items.Single().Id);
        var reused = await stores.ListAsync(admin, new StoreQuery(tag, PageSize: 1, KnownTotal: 7), CancellationToken.None);
        Assert.Equal(7, reused.Total);
        Assert.Equal(new StoreQuery(tag.ToUpperInvariant() + " ", Sort: StoreSort.City, Page: 3).CountKey, new StoreQuery(tag).CountKey);
        Assert.NotEqual(new StoreQuery(tag, BindingState.Active).CountKey, new StoreQuery(tag).CountKey);
    }

    [Fact]
    public async Task StoreSorts_PageThroughEqualKeys_WithoutRepeatsOrGaps()
    {
        var twin = "Twin " + Tag();
        await using (var db = await DbFactory.CreateDbContextAsync())
        {
            db.Shops.AddRange(Enumerable.Range(0, 5).Select(_ => new Shop { Name = twin, City = "Same", CreatedAt = DateTimeOffset.UtcNow }));
            await db.SaveChangesAsync();
        }

        var stores = factory.Services.GetRequiredService<StoreDirectory>();
        var admin = await factory.PrincipalAsync("admin");
        foreach (var sort in Enum.GetValues<StoreSort>())
        {
            foreach (var descending in new[] { false, true })
            {
                var seen = new List<int>();
                for (var page = 0; page < 3; page++)
                {
                    seen.AddRange((await stores.ListAsync(admin, new StoreQuery(twin, Sort: sort, Descending: descending, Page: page, PageSize: 2), CancellationToken.None)).Items.Select(r => r.Id));
                }

                Assert.Equal(5, seen.Distinct().Count());
                Assert.Equal(5, seen.Count);
            }
        }
    }

    [Fact]
    public async Task AuthorizerSearch_IgnoresCase_InNamePrincipalAppIdAndStore()
    {
        var tag = Tag();
        var (_, _, appId) = await SeedAsync(tag);
        var directory = factory.Services.GetRequiredService<AuthorizerDirectory>();
        foreach (var term in new[] { $"mixed {tag.ToUpperInvariant()} COFFEE", $"{tag.ToUpperInvariant()} ltd", appId.ToLowerInvariant(), $"LAKESIDE {tag.ToUpperInvariant()}" })
        {
            var page = await directory.PageAsync(new AuthorizerFilter(term), AuthorizerSort.Id, false, 0, 20, CancellationToken.None);
            Assert.Equal([appId], page.Rows.Select(r => r.AppId));
            Assert.Equal(1, page.Count);
            var (matrix, count) = await directory.MatrixAsync(new AuthorizerFilter(term), 0, 50, CancellationToken.None);
            Assert.Equal([appId], matrix.Select(r => r.Row.AppId));
            Assert.Equal(1, count);
        }

        // The foreign shop is unbound: its name finds no account.
        Assert.Empty((await directory.PageAsync(new AuthorizerFilter("harbour " + tag), AuthorizerSort.Id, false, 0, 20, CancellationToken.None)).Rows);
        // A count passed back is reused (paging), a missing one is counted.
        Assert.Equal(42, (await directory.PageAsync(new AuthorizerFilter(tag), AuthorizerSort.NickName, true, 0, 20, CancellationToken.None, knownCount: 42)).Count);
        Assert.Equal(42, (await directory.MatrixAsync(new AuthorizerFilter(tag), 0, 50, CancellationToken.None, knownCount: 42)).Count);
    }

    /// <summary>
    /// The search index (an FTS5 trigram table kept by triggers on SQLite, a pg_trgm index on PostgreSQL) follows every write
    /// of the accounts, and a term is taken literally whatever it holds: LIKE's wildcards, FTS5's quote, Chinese, one or two characters.
    /// </summary>
    [Fact]
    public async Task AuthorizerSearch_IndexFollowsRenamesAndDeletes_AndTakesTermsLiterally()
    {
        var tag = Tag();
        var appId = "wxIdx" + tag[..8];
        int id;
        await using (var db = await DbFactory.CreateDbContextAsync())
        {
            var account = new Authorizer { AppId = appId, NickName = $"Old{tag} 50%_off \"Quoted\" 面馆甲", PrincipalName = "Index Ltd", Kind = AuthorizerKind.OfficialAccount, IsAuthorized = true };
            db.Authorizers.Add(account);
            await db.SaveChangesAsync();
            id = account.Id;
        }

        var directory = factory.Services.GetRequiredService<AuthorizerDirectory>();
        async Task<List<string>> FindAsync(string term)
        {
            var page = await directory.PageAsync(new AuthorizerFilter(term), AuthorizerSort.Id, true, 0, 200, CancellationToken.None);
            var (matrix, count) = await directory.MatrixAsync(new AuthorizerFilter(term), 0, 200, CancellationToken.None);
            Assert.Equal(page.Count, count);
            Assert.Equal(page.Rows.Select(r => r.AppId).Order(), matrix.Select(r => r.Row.AppId).Order());
            return page.Rows.Select(r => r.AppId).ToList();
        }

        Assert.Equal([appId], await FindAsync("OLD" + tag));
        Assert.Equal([appId], await FindAsync($"{tag} 50%_off \"quoted\""));
        Assert.Equal([appId], await FindAsync(appId[2..].ToUpperInvariant()));
        // Wildcards are characters: "5_%" and "5%off" would match "50%_off" as LIKE patterns, and are not in the name.
        Assert.Empty(await FindAsync($"{tag} 5_%"));
        Assert.Empty(await FindAsync($"{tag} 5%off"));
        Assert.Empty(await FindAsync($"{tag} \""));
        // Chinese, three characters (the trigram index) and two (shorter than a trigram: the column itself is read).
        Assert.Contains(appId, await FindAsync("面馆甲"));
        Assert.Contains(appId, await FindAsync("馆甲"));
        Assert.Contains(appId, await FindAsync("甲"));

        await using (var db = await DbFactory.CreateDbContextAsync())
        {
            var account = await db.Authorizers.SingleAsync(a => a.Id == id);
            account.NickName = $"New{tag} Name";
            await db.SaveChangesAsync();
        }

        Assert.Empty(await FindAsync("old" + tag));
        Assert.Equal([appId], await FindAsync("new" + tag + " name"));
        Assert.DoesNotContain(appId, await FindAsync("面馆甲"));

        await using (var db = await DbFactory.CreateDbContextAsync())
        {
            await db.Authorizers.Where(a => a.Id == id).ExecuteDeleteAsync();
            if (db.Database.IsSqlite())
            {
                // FTS5 checks that its index is exactly that of the rows it indexes (an error otherwise).
                await db.Database.ExecuteSqlRawAsync($"INSERT INTO \"{ListSearch.SqliteIndexTable}\"(\"{ListSearch.SqliteIndexTable}\") VALUES ('integrity-check')");
            }
        }

        Assert.Empty(await FindAsync("new" + tag));
    }

    /// <summary>
    /// A page is read in two steps (the page's ids in the sort's order, then their rows): pages of two, for every sort of the
    /// list and for the matrix, are the sorted whole in order — with equal keys, a bound store, a missing-sets filter.
    /// </summary>
    [Fact]
    public async Task AuthorizerPages_KeepTheSortOrder_AcrossPages()
    {
        var tag = Tag();
        await using (var db = await DbFactory.CreateDbContextAsync())
        {
            var shop = new Shop { Name = "Pager " + tag, City = "Suzhou", CreatedAt = DateTimeOffset.UtcNow };
            db.Shops.Add(shop);
            for (var i = 0; i < 7; i++)
            {
                db.Authorizers.Add(new Authorizer
                {
                    AppId = $"wxPg{tag[..8]}{i}", NickName = $"Pager {tag} {(i % 3 == 0 ? "same" : i.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
                    PrincipalName = $"P{i % 2}", Kind = i % 2 == 0 ? AuthorizerKind.OfficialAccount : AuthorizerKind.MiniProgram, AccountStatus = 1 + i % 2, IsAuthorized = true,
                    Permissions = [.. Enumerable.Range(1, i % 4).Select(set => new AuthorizerPermission { SetId = set })],
                });
            }

            await db.SaveChangesAsync();
            var firstAppId = $"wxPg{tag[..8]}1";
            var first = await db.Authorizers.Where(a => a.AppId == firstAppId).SingleAsync();
            db.Bindings.Add(new Binding { ShopId = shop.Id, AuthorizerId = first.Id, State = BindingState.Active, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var directory = factory.Services.GetRequiredService<AuthorizerDirectory>();
        foreach (var filter in new[] { new AuthorizerFilter("pager " + tag), new AuthorizerFilter("PAGER " + tag, MissingRequired: true) })
        {
            foreach (var sort in Enum.GetValues<AuthorizerSort>())
            {
                foreach (var descending in new[] { false, true })
                {
                    var whole = (await directory.PageAsync(filter, sort, descending, 0, 200, CancellationToken.None)).Rows.Select(r => r.Id).ToList();
                    var paged = new List<int>();
                    for (var skip = 0; skip < whole.Count + 2; skip += 2)
                    {
                        paged.AddRange((await directory.PageAsync(filter, sort, descending, skip, 2, CancellationToken.None)).Rows.Select(r => r.Id));
                    }

                    Assert.Equal(whole, paged);
                    Assert.Equal(whole.Count, whole.Distinct().Count());
                }
            }

            var (all, count) = await directory.MatrixAsync(filter, 0, 200, CancellationToken.None);
            Assert.Equal(count, all.Count);
            Assert.Equal(all.Select(r => r.Row).OrderBy(r => r.Kind).ThenBy(r => r.NickName, StringComparer.Ordinal).ThenBy(r => r.Id).Select(r => r.Id), all.Select(r => r.Row.Id));
            var matrixPaged = new List<int>();
            for (var skip = 0; skip < all.Count + 2; skip += 2)
            {
                matrixPaged.AddRange((await directory.MatrixAsync(filter, skip, 2, CancellationToken.None)).Rows.Select(r => r.Row.Id));
            }

            Assert.Equal(all.Select(r => r.Row.Id), matrixPaged);
        }

        // The rows of a page are whole rows: the bound store and the granted counts come with them.
        var bound = (await directory.PageAsync(new AuthorizerFilter($"wxpg{tag[..8]}1"), AuthorizerSort.Id, false, 0, 20, CancellationToken.None)).Rows.Single();
        Assert.Equal("Pager " + tag, bound.ShopName);
        Assert.Equal(BindingState.Active, bound.State);
        Assert.Equal(1, bound.GrantedCount);
    }

    [Fact]
    public async Task TokenHealth_CountsAuthorizedAccounts_OnceAndPagesWithoutRepeats()
    {
        var tag = Tag();
        await using (var db = await DbFactory.CreateDbContextAsync())
        {
            var expires = DateTimeOffset.UtcNow.AddHours(2);
            for (var i = 0; i < 5; i++)
            {
                db.Authorizers.Add(new Authorizer
                {
                    AppId = $"wxth{tag[..8]}{i}", NickName = "Same " + tag, IsAuthorized = i < 4,
                    Token = new AuthorizerToken { RefreshTokenProtected = "x", AccessTokenExpiresAt = expires, LastRefreshedAt = expires.AddHours(-2) },
                });
            }

            await db.SaveChangesAsync();
        }

        var overview = factory.Services.GetRequiredService<OpsOverview>();
        await using var check = await DbFactory.CreateDbContextAsync();
        var authorized = await check.AuthorizerTokens.CountAsync(t => t.Authorizer!.IsAuthorized);
        var (_, total) = await overview.TokenHealthAsync(TokenHealthSort.NickName, false, 0, 20, CancellationToken.None);
        Assert.Equal(authorized, total);
        Assert.Equal(9999, (await overview.TokenHealthAsync(TokenHealthSort.NickName, false, 1, 20, CancellationToken.None, knownTotal: 9999)).Total);

        foreach (var sort in Enum.GetValues<TokenHealthSort>())
        {
            var ids = new List<int>();
            for (var page = 0; page * 3 < authorized; page++)
            {
                ids.AddRange((await overview.TokenHealthAsync(sort, sort == TokenHealthSort.Failures, page, 3, CancellationToken.None)).Rows.Select(r => r.AuthorizerId));
            }

            Assert.Equal(authorized, ids.Distinct().Count());
            Assert.Equal(authorized, ids.Count);
        }
    }
}
