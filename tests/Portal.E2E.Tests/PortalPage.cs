using Microsoft.Playwright;
using Portal.Testing;

namespace Portal.E2E.Tests;

/// <summary>Page object for the portal's shell: navigation, interactivity, screenshots.</summary>
public sealed class PortalPage
{
    private readonly IPage page;
    private readonly string baseUrl;

    public PortalPage(IPage page, string baseUrl)
    {
        this.page = page;
        this.baseUrl = baseUrl;
    }

    public IPage Page => page;

    public string BaseUrl => baseUrl;

    public async Task OpenAsync(string path = "/")
    {
        await page.GotoAsync(baseUrl + path);
        await WaitForInteractivityAsync();
    }

    /// <summary>Clicks before the circuit is up are lost: wait until the layout says it renders interactively.</summary>
    public Task WaitForInteractivityAsync()
        => page.Locator("[data-portal-layout][data-interactive='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

    /// <summary>The navigation drawer's menu (hidden when the drawer is folded away).</summary>
    public ILocator Navigation => page.Locator("nav[data-nav]");

    public ILocator NavLink(string hook) => page.Locator($"nav[data-nav] a[data-nav-link='{hook}']");

    public ILocator MenuToggle => page.Locator("[data-menu-toggle]");

    public ILocator LanguageSwitch => page.Locator("[data-language-switch]");

    public async Task ScreenshotAsync(string name)
        => await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Artifacts("screenshots"), name + ".png"), FullPage = true });
}
