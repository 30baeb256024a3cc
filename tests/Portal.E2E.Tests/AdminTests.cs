using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;

namespace Portal.E2E.Tests;

/// <summary>Admins and ops in the browser: the permission matrix, release readiness, and every page in both languages.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class AdminTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string LackingAppId = "wxe2e0000000000018";
    private const string CompleteAppId = "wxe2e0000000000001";
    private readonly PortalFactory _portal = new(null, kestrel: true);
    private IBrowserContext _context = default!;

    public async Task InitializeAsync()
    {
        _portal.StartServer();
        await _portal.WaitForTicketAsync();
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, Locale = "zh-CN" });

        // Two bound accounts: a mini program without set 18 (required), an official account with every required set.
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var shops = await db.Shops.OrderBy(s => s.Id).Take(2).ToListAsync();
        var lacking = new Authorizer { AppId = LackingAppId, NickName = "缺权限的小程序", Kind = AuthorizerKind.MiniProgram, PrincipalName = "测试主体", IsAuthorized = true, Permissions = [new() { SetId = 17 }, new() { SetId = 19 }, new() { SetId = 30 }] };
        var complete = new Authorizer { AppId = CompleteAppId, NickName = "权限齐全的公众号", Kind = AuthorizerKind.OfficialAccount, PrincipalName = "测试主体", IsAuthorized = true, Permissions = [.. new[] { 1, 2, 4, 7, 11, 15 }.Select(id => new AuthorizerPermission { SetId = id })] };
        db.Authorizers.AddRange(lacking, complete);
        await db.SaveChangesAsync();
        foreach (var (shop, account, state) in new[] { (shops[0], lacking, BindingState.PermissionsMissing), (shops[1], complete, BindingState.Active) })
        {
            var binding = await db.Bindings.FirstOrDefaultAsync(b => b.ShopId == shop.Id);
            if (binding is null)
            {
                binding = new Binding { ShopId = shop.Id };
                db.Bindings.Add(binding);
            }

            (binding.AuthorizerId, binding.State, binding.UpdatedAt) = (account.Id, state, DateTimeOffset.UtcNow);
        }

        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.CloseAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Admin_FindsAnAccountMissingARequiredSetInTheMatrix_AndOpensItsDetail()
    {
        var portal = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        await new OnboardingPages(portal).SignInAsync("admin");
        await portal.NavLink("matrix").ClickAsync();
        await portal.WaitForInteractivityAsync();
        await Assertions.Expect(portal.Page.GetByRole(AriaRole.Heading, new() { Name = "权限矩阵" })).ToBeVisibleAsync();

        await portal.Page.GetByRole(AriaRole.Switch, new() { Name = "只看缺少必需权限集的帐号" }).Or(portal.Page.GetByLabel("只看缺少必需权限集的帐号")).First.ClickAsync();
        var row = portal.Page.Locator($"tr[data-appid='{LackingAppId}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(portal.Page.Locator($"tr[data-appid='{CompleteAppId}']")).ToHaveCountAsync(0);
        var cell = row.Locator("td[data-set='18']");
        await Assertions.Expect(cell).ToHaveAttributeAsync("data-state", "missing");
        await portal.ScreenshotAsync("admin-matrix");

        await cell.GetByRole(AriaRole.Button).ClickAsync();
        var explain = portal.Page.Locator("[data-explain='18']");
        await Assertions.Expect(explain).ToContainTextAsync("开发管理与数据分析权限");
        await Assertions.Expect(explain).ToContainTextAsync("必需权限集");
        await explain.Locator("[data-explain-open]").ClickAsync();

        await portal.Page.WaitForURLAsync(new Regex($"/authorizers/{LackingAppId}$"));
        await Assertions.Expect(portal.Page.GetByRole(AriaRole.Heading, new() { Name = "缺权限的小程序" })).ToBeVisibleAsync();
        await Assertions.Expect(portal.Page.Locator("[data-missing] li[data-set='18']")).ToBeVisibleAsync();
        await Assertions.Expect(portal.Page.Locator("[data-granted] tr[data-set='17']")).ToContainTextAsync("Account management");
        await portal.ScreenshotAsync("admin-authorizer-detail");
    }

    [Fact]
    public async Task Readiness_ShowsEveryCheckGreen_AgainstTheEmulator()
    {
        var portal = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        await new OnboardingPages(portal).SignInAsync("ops");
        await portal.OpenAsync("/operations/readiness");
        await Assertions.Expect(portal.Page.Locator("[data-check='release_test']")).ToHaveAttributeAsync("data-status", "warning");

        await portal.Page.Locator("[data-action='run-release-test']").ClickAsync();
        await Assertions.Expect(portal.Page.Locator("[data-emulator-summary]")).ToContainTextAsync("5 组全部通过", new() { Timeout = 120_000 });
        var checks = portal.Page.Locator("[data-check]");
        await Assertions.Expect(checks).ToHaveCountAsync(7);
        foreach (var check in await checks.AllAsync())
        {
            Assert.Equal("ok", await check.GetAttributeAsync("data-status"));
        }

        await Assertions.Expect(portal.Page.Locator("[data-check='message_url'] [data-paste]")).ToHaveTextAsync(_portal.BaseUrl + "/wechat/accounts/$APPID$/events");
        await Assertions.Expect(portal.Page.Locator("[data-release-results] tr[data-ok='true']")).ToHaveCountAsync(30);
        await portal.ScreenshotAsync("ops-readiness");
    }

    [Fact]
    public async Task EveryPage_RendersInChineseAndEnglish_WithoutMissingTexts()
    {
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var shopId = await db.Bindings.Where(b => b.AuthorizerId != null).Select(b => b.ShopId).FirstAsync();
        var pages = new Dictionary<string, string[]>
        {
            ["admin"] = ["/", "/stores", $"/stores/{shopId}", "/authorizers", "/authorizers/matrix", $"/authorizers/{LackingAppId}", $"/authorizers/{CompleteAppId}", "/operations", "/operations/readiness", "/settings", "/admin/users", "/no-such-page"],
            ["ops"] = ["/", "/operations", "/authorizers"],
            ["operator1"] = ["/", "/stores", $"/stores/{shopId}", "/operations"],
        };

        // Data (store, city, account and people's names) is Chinese in both languages; everything else must be translated.
        var data = (await db.Shops.Select(x => x.Name).ToListAsync()).Concat(await db.Shops.Select(x => x.City).ToListAsync())
            .Concat(await db.Authorizers.Select(x => x.NickName).ToListAsync()).Concat(await db.Authorizers.Where(x => x.PrincipalName != null).Select(x => x.PrincipalName!).ToListAsync())
            .Concat(await db.Users.Select(x => x.DisplayName).ToListAsync())
            .Where(x => !string.IsNullOrEmpty(x)).Distinct().OrderByDescending(x => x.Length).ToList();
        foreach (var (user, paths) in pages)
        {
            var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
            try
            {
                var portal = new PortalPage(await context.NewPageAsync(), _portal.BaseUrl);
                var errors = new List<string>();
                portal.Page.Console += (_, message) =>
                {
                    if (message.Type == "error" && !message.Text.Contains("status of 404", StringComparison.Ordinal) && !message.Text.Contains("status of 403", StringComparison.Ordinal))
                    {
                        errors.Add(message.Text);
                    }
                };
                await new OnboardingPages(portal).SignInAsync(user);
                foreach (var english in new[] { false, true, false })
                {
                    await SwitchLanguageAsync(portal, english);
                    foreach (var path in paths)
                    {
                        await CheckPageAsync(portal, path, english, data, $"{user} {(english ? "en" : "zh")} {path}");
                    }
                }

                Assert.True(errors.Count == 0, $"{user}: browser console errors: " + string.Join(" | ", errors));
            }
            finally
            {
                await context.CloseAsync();
            }
        }
    }

    private static async Task SwitchLanguageAsync(PortalPage portal, bool english)
    {
        await portal.OpenAsync("/");
        var current = await portal.Page.Locator("html").GetAttributeAsync("lang");
        if ((current == "en") != english)
        {
            await portal.LanguageSwitch.ClickAsync();
            await portal.WaitForInteractivityAsync();
        }

        await Assertions.Expect(portal.Page.Locator("html")).ToHaveAttributeAsync("lang", english ? "en" : "zh-CN");
    }

    private static async Task CheckPageAsync(PortalPage portal, string path, bool english, IReadOnlyList<string> data, string what)
    {
        await portal.Page.GotoAsync(portal.BaseUrl + path);
        await portal.WaitForInteractivityAsync();
        // Let the interactive render finish its first pass (data loads), then look for the circuit's error bar.
        await portal.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Assertions.Expect(portal.Page.Locator("h1").First).ToBeVisibleAsync();
        Assert.False(await portal.Page.Locator("#blazor-error-ui").IsVisibleAsync(), $"{what}: the circuit failed");
        var h1 = await portal.Page.Locator("h1").First.InnerTextAsync();
        Assert.False(h1 is "出错了" or "Something went wrong", $"{what}: error page");

        // Chrome (navigation, headings, table and button labels) must be in the chosen language; data (names) may be Chinese.
        var chrome = await portal.Page.Locator("nav[data-nav] a, h2, thead th, .portal-lead, button, .portal-toolbar a")
            .EvaluateAllAsync<string[]>("els => els.map(e => e.innerText)");
        foreach (var text in chrome.Where(t => !string.IsNullOrWhiteSpace(t)))
        {
            if (english)
            {
                var chromeOnly = data.Aggregate(text, (t, d) => t.Replace(d, string.Empty, StringComparison.Ordinal));
                Assert.False(Cjk().IsMatch(chromeOnly) && !AllowedInEnglish(chromeOnly), $"{what}: untranslated text '{text}'");
            }
        }

        await portal.ScreenshotAsync($"lang-{(english ? "en" : "zh")}-{Regex.Replace(path.Trim('/'), "[^a-z0-9]+", "-")}");
    }

    /// <summary>The language switch says "中文" in English.</summary>
    private static bool AllowedInEnglish(string text) => text.Trim() == "中文";

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Cjk();
}
