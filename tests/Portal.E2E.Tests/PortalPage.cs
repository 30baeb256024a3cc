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
        => page.Locator(".portal-layout[data-interactive='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

    public ILocator Sidebar => page.Locator(".portal-sidebar");

    public ILocator MenuToggle => page.Locator(".portal-menu-toggle");

    public async Task ScreenshotAsync(string name)
        => await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Artifacts("screenshots"), name + ".png"), FullPage = true });
}
