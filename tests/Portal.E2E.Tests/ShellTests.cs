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
        await Assertions.Expect(page.NavLink("stores")).ToBeInViewportAsync();
        // MudBlazor's theme is applied (the app bar is fixed at the top), not a flash of unstyled content.
        Assert.Equal("fixed", await page.Page.Locator("header.mud-appbar").EvaluateAsync<string>("e => getComputedStyle(e).position"));

        await page.MenuToggle.ClickAsync();
        await Assertions.Expect(page.NavLink("stores")).Not.ToBeInViewportAsync();
    }

    [Fact]
    public async Task LanguageSwitch_ShowsEnglishAndIsRemembered()
    {
        var page = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        await page.OpenAsync();

        await page.LanguageSwitch.ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Name = "Merchant Onboarding Portal" })).ToBeVisibleAsync();
        await page.WaitForInteractivityAsync();

        await page.OpenAsync("/");
        await Assertions.Expect(page.LanguageSwitch).ToHaveTextAsync("中文");
    }
}
