using Microsoft.Playwright;
using Portal.Testing;

namespace Portal.E2E.Tests;

[Collection(BrowserCollection.Name)]
public sealed class ShellTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalFactory _portal = new(null, kestrel: true);
    private IBrowserContext _context = default!;

    public async Task InitializeAsync()
    {
        _portal.StartServer();
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
    }

    public async Task DisposeAsync()
    {
        await _context.CloseAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Home_BecomesInteractiveWithThePinnedScript_AndTheMenuToggleWorks()
    {
        var page = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        await page.OpenAsync();

        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Name = "商户授权门户" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Sidebar).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("rz-sidebar-expanded"));
        // The Radzen theme is applied (a fixed header), not a flash of unstyled content.
        Assert.Equal("grid", await page.Page.Locator(".rz-layout").EvaluateAsync<string>("e => getComputedStyle(e).display"));
        await page.ScreenshotAsync("home-zh");

        await page.MenuToggle.ClickAsync();
        await Assertions.Expect(page.Sidebar).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("rz-sidebar-collapsed"));
    }

    [Fact]
    public async Task LanguageSwitch_ShowsEnglishAndIsRemembered()
    {
        var page = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        await page.OpenAsync();

        await page.Page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Name = "Merchant Onboarding Portal" })).ToBeVisibleAsync();
        await page.WaitForInteractivityAsync();
        await page.ScreenshotAsync("home-en");

        await page.OpenAsync("/");
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = "中文" })).ToBeVisibleAsync();
    }
}
