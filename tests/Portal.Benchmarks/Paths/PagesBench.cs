using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Benchmarks;

/// <summary>
/// <c>pages</c> (issue 11: each page interactive under 1 s with the demo data): the portal's default offline run (emulator
/// mode, demo seed) as its own process on a real port; Chromium visits every page of the E2E walk
/// (tests/Portal.E2E.Tests/WalkTests.cs) as operator1, admin, ops and an anonymous visitor — once untimed, then warm visits
/// timed from navigation to the layout's interactivity marker (<c>data-interactive='true'</c>, the walk's definition).
/// Passed = every page's median &lt; 1000 ms. Floor: the same browser loading the sign-in page, which is static server
/// rendering with no circuit (the least a page of this portal can cost).
/// </summary>
public static class PagesBench
{
    private const string AppId = "wxbenchpages000001";

    public static async Task<BenchResult> RunAsync(BenchOptions options)
    {
        // --quick: 2 timed visits a page (3 otherwise), and the untimed first visit only for a page no role has opened yet.
        var visits = int.Parse(options.Arg("--visits", options.Quick ? "2" : "3"), CultureInfo.InvariantCulture);
        var wall = Stopwatch.StartNew();
        await using var portal = await BrowserPortal.StartAsync(options, new Dictionary<string, string>());
        var (shopId, secondShopId) = await SeedAsync(portal);

        // A live invitation for the launch page, made as an admin makes one (the portal's own endpoint, signed in).
        var adminPage = await portal.NewPageAsync("admin");
        var created = await adminPage.APIRequest.PostAsync($"{portal.BaseUrl}/api/shops/{secondShopId}/invites", new APIRequestContextOptions { DataObject = new { authType = 1, categoryIds = new[] { 1, 2 } } });
        if (!created.Ok)
        {
            throw new InvalidOperationException($"creating the invitation answered {created.Status}");
        }

        var launchPath = JsonDocument.Parse(await created.TextAsync()).RootElement.GetProperty("launchUrl").GetString()!;
        await adminPage.Context.CloseAsync();

        (string Role, string[] Paths)[] walk =
        [
            ("admin", ["/", "/stores", $"/stores/{shopId}", "/authorizers", "/authorizers/matrix", $"/authorizers/{AppId}", "/operations", "/operations/pushes", "/operations/readiness", "/settings", "/admin/users", "/no-such-page"]),
            ("operator1", ["/", "/stores", $"/stores/{shopId}", "/operations"]),
            ("ops", ["/", "/stores", "/authorizers", "/operations", "/operations/readiness"]),
            ("anonymous", ["/", launchPath, "/no-such-page"]),
        ];

        var all = new List<double>();
        var table = new List<string>
        {
            $"pages: the walk's pages, demo data ({options.Provider}), desktop 1440×900, zh-CN; {(options.Quick ? "1 untimed visit of each distinct page" : "1 untimed visit each")} then {visits} warm visits each; ms to interactive",
            "| role | page | median | max |",
            "|---|---|---|---|",
        };
        var passed = true;
        var warmed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (role, paths) in walk)
        {
            var page = await portal.NewPageAsync(role == "anonymous" ? null : role);
            foreach (var path in paths)
            {
                if (!options.Quick || warmed.Add(path))
                {
                    await portal.OpenAsync(page, path);
                }

                var times = new List<double>();
                for (var v = 0; v < visits; v++)
                {
                    times.Add(await portal.OpenAsync(page, path));
                }

                all.AddRange(times);
                var median = BrowserPortal.Median(times);
                passed &= median < 1000;
                var shown = path == launchPath ? "/onboarding/launch?invite=…" : path;
                table.Add($"| {role} | {shown} | {BrowserPortal.Ms(median)}{(median < 1000 ? "" : " MISSED")} | {BrowserPortal.Ms(times.Max())} |");
            }

            await page.Context.CloseAsync();
        }

        // The floor: the static sign-in page (no circuit, no query) on the same browser, until its form is there.
        var anonymous = await portal.NewPageAsync(null);
        var floor = new List<double>();
        for (var v = 0; v < visits + 3; v++)
        {
            var clock = Stopwatch.StartNew();
            await anonymous.GotoAsync(portal.BaseUrl + "/account/login");
            await anonymous.Locator("input[type=password]").WaitForAsync();
            floor.Add(clock.Elapsed.TotalMilliseconds);
        }

        await anonymous.Context.CloseAsync();
        var rate = all.Count / (all.Sum() / 1000);
        var floorRate = 1000 / BrowserPortal.Median(floor);
        table.Add($"floor: the static sign-in page {BrowserPortal.Ms(BrowserPortal.Median(floor))} ms median; every page's median < 1000 ms: {(passed ? "yes" : "NO")}; whole path {wall.Elapsed.TotalSeconds:0} s");
        return new BenchResult("pages", rate, BrowserPortal.Percentile(all, 0.99), floorRate, passed, table);
    }

    /// <summary>As the walk does: one authorized account bound to the first demo store (the demo seed binds none).</summary>
    private static async Task<(int Shop, int Second)> SeedAsync(BrowserPortal portal)
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        if (portal.PostgresConnection is { } pg)
        {
            builder.UseNpgsql(pg);
        }
        else
        {
            builder.UseSqlite($"Data Source={portal.SqlitePath};Pooling=False;Default Timeout=30");
        }

        await using var db = new PortalDbContext(builder.Options);
        var shops = await db.Shops.OrderBy(s => s.Id).Select(s => s.Id).Take(2).ToListAsync();
        var account = new Authorizer
        {
            AppId = AppId, NickName = "好味道餐厅", Kind = AuthorizerKind.OfficialAccount, PrincipalName = "上海好味道餐饮管理有限公司", IsAuthorized = true,
            AuthorizedAt = DateTimeOffset.UtcNow, Permissions = [.. new[] { 1, 2, 4 }.Select(id => new AuthorizerPermission { SetId = id })],
        };
        db.Authorizers.Add(account);
        await db.SaveChangesAsync();
        var binding = await db.Bindings.FirstOrDefaultAsync(b => b.ShopId == shops[0]) ?? db.Bindings.Add(new Binding { ShopId = shops[0] }).Entity;
        (binding.AuthorizerId, binding.State, binding.UpdatedAt) = (account.Id, BindingState.PermissionsMissing, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
        return (shops[0], shops[1]);
    }
}
