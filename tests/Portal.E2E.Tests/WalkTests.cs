using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Onboarding;

namespace Portal.E2E.Tests;

/// <summary>
/// Every page as every role, in both languages, on a desktop (1440×900) and a phone (390×844): no console error, no
/// missing text key, no sideways scrolling on a phone, interactive within a second; a screenshot of each into
/// artifacts/screenshots and the timings into artifacts/timings.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WalkTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string AppId = "wxwalk000000000001";
    private static readonly (string Name, int Width, int Height)[] Sizes = [("desktop", 1440, 900), ("phone", 390, 844)];
    private readonly PortalFactory _portal = new(null, kestrel: true);
    private int _shopId;
    private string _launchPath = string.Empty;

    public async Task InitializeAsync()
    {
        _portal.StartServer();
        await _portal.WaitForTicketAsync();
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var shop = await db.Shops.OrderBy(s => s.Id).FirstAsync();
        _shopId = shop.Id;
        var account = new Authorizer { AppId = AppId, NickName = "好味道餐厅", Kind = AuthorizerKind.OfficialAccount, PrincipalName = "上海好味道餐饮管理有限公司", IsAuthorized = true, Permissions = [.. new[] { 1, 2, 4 }.Select(id => new AuthorizerPermission { SetId = id })] };
        db.Authorizers.Add(account);
        await db.SaveChangesAsync();
        var binding = await db.Bindings.FirstOrDefaultAsync(b => b.ShopId == shop.Id) ?? db.Bindings.Add(new Binding { ShopId = shop.Id }).Entity;
        (binding.AuthorizerId, binding.State, binding.UpdatedAt) = (account.Id, BindingState.PermissionsMissing, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();

        var second = await db.Shops.OrderBy(s => s.Id).Skip(1).FirstAsync();
        var onboarding = _portal.Services.GetRequiredService<OnboardingService>();
        var admin = await _portal.PrincipalAsync("admin");
        _launchPath = (await onboarding.CreateInviteAsync(Actor.From(admin, null), second.Id, new InviteRequest(null, null, [1, 2]), CancellationToken.None)).LaunchPath;
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private string[] PagesFor(string role) => role switch
    {
        "admin" => ["/", "/stores", $"/stores/{_shopId}", "/authorizers", "/authorizers/matrix", $"/authorizers/{AppId}", "/operations", "/operations/pushes", "/operations/readiness", "/settings", "/admin/users", "/no-such-page"],
        "ops" => ["/", "/stores", "/authorizers", "/operations", "/operations/readiness"],
        "operator1" => ["/", "/stores", $"/stores/{_shopId}", "/operations"],
        _ => ["/", "/account/login", _launchPath, "/no-such-page"],
    };

    [Theory]
    [InlineData("operator1")]
    [InlineData("admin")]
    [InlineData("ops")]
    [InlineData("anonymous")]
    public async Task EveryPage_AsRole_InBothLanguagesAtBothWidths(string role)
    {
        var timings = new List<string>();
        foreach (var (size, width, height) in Sizes)
        {
            foreach (var language in new[] { "zh-CN", "en" })
            {
                var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, IsMobile = size == "phone", HasTouch = size == "phone" });
                try
                {
                    await context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = $"c%3D{language}%7Cuic%3D{language}", Url = _portal.BaseUrl }]);
                    var portal = new PortalPage(await context.NewPageAsync(), _portal.BaseUrl);
                    var errors = new List<string>();
                    portal.Page.Console += (_, message) =>
                    {
                        if (message.Type == "error" && !message.Text.Contains("status of 404", StringComparison.Ordinal) && !message.Text.Contains("status of 403", StringComparison.Ordinal))
                        {
                            errors.Add(message.Text);
                        }
                    };
                    portal.Page.PageError += (_, error) => errors.Add(error);
                    if (role != "anonymous")
                    {
                        await new OnboardingPages(portal).SignInAsync(role);
                    }

                    var first = true;
                    foreach (var path in PagesFor(role))
                    {
                        var what = $"{role} {language} {size} {path}";
                        var clock = Stopwatch.StartNew();
                        await portal.Page.GotoAsync(_portal.BaseUrl + path);
                        var interactive = !path.StartsWith("/account/login", StringComparison.Ordinal);
                        if (interactive)
                        {
                            await portal.WaitForInteractivityAsync();
                            clock.Stop();
                            timings.Add(string.Create(CultureInfo.InvariantCulture, $"{role},{language},{size},{path},{clock.ElapsedMilliseconds},{(first ? "cold" : "warm")}"));
                            first = false;
                        }

                        await portal.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                        await Assertions.Expect(portal.Page.Locator("h1").First).ToBeVisibleAsync();
                        Assert.False(await portal.Page.Locator("#blazor-error-ui").IsVisibleAsync(), $"{what}: the circuit failed");
                        Assert.Equal(language, await portal.Page.Locator("html").GetAttributeAsync("lang"));
                        var missing = await portal.Page.EvaluateAsync<string[]>(MissingKeysScript);
                        Assert.True(missing.Length == 0, $"{what}: missing text keys {string.Join(", ", missing)}");
                        if (size == "phone")
                        {
                            var overflow = await portal.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                            Assert.True(overflow <= 0, $"{what}: {overflow} px of horizontal overflow");
                        }

                        var name = path == _launchPath ? "launch" : path.Trim('/').Replace('/', '-');
                        await portal.ScreenshotAsync($"{role}-{(language == "en" ? "en" : "zh")}-{size}-{(name.Length == 0 ? "home" : name)}");
                    }

                    Assert.True(errors.Count == 0, $"{role} {language} {size}: browser console errors: " + string.Join(" | ", errors));
                }
                finally
                {
                    await context.CloseAsync();
                }
            }
        }

        await File.WriteAllLinesAsync(Path.Combine(RepoPaths.Artifacts("timings"), $"walk-{role}.csv"), ["role,language,size,path,ms_to_interactive,cache", .. timings]);
        // Time to interactive is recorded here for every page (artifacts/timings/walk-<role>.csv) but not gated: a functional
        // test on a shared CI machine is no place for a speed target. The target (each page interactive under 1 s with the
        // demo data) is measured by the benchmark's `pages` path (docs/benchmarks.md), which exits non-zero when it is missed.
        Assert.True(timings.Count > 0, "no page was timed");
    }

    /// <summary>A text key the resources lack is rendered as the key itself ("stores.title"): no text node may look like one.</summary>
    private const string MissingKeysScript = """
        () => {
          const found = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const t = walker.currentNode.textContent.trim();
            if (/^[a-z]+(\.[A-Za-z0-9_]+)+$/.test(t) && !/\.(com|cn|net|org|json|js|css|png|csv|xml)$/.test(t)) found.push(t);
          }
          for (const el of document.querySelectorAll('[aria-label],[title],[placeholder]')) {
            for (const a of ['aria-label', 'title', 'placeholder']) {
              const v = el.getAttribute(a);
              if (v && /^[a-z]+(\.[A-Za-z0-9_]+)+$/.test(v)) found.push(a + '=' + v);
            }
          }
          return found;
        }
        """;
}
