using Microsoft.Playwright;
using Portal.Testing;

namespace Portal.E2E.Tests;

/// <summary>
/// Hole 9 in a real Chromium: under the portal's Content-Security-Policy every page still becomes interactive and
/// reacts to clicks, and the browser reports no CSP violation and no console error.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string RecordViolations =
        "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));";

    private readonly PortalFactory _portal = new(null, kestrel: true);
    private IBrowserContext _context = default!;

    public async Task InitializeAsync()
    {
        _portal.StartServer();
        await _portal.WaitForTicketAsync();
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, Locale = "zh-CN" });
        await _context.AddInitScriptAsync(RecordViolations);
    }

    public async Task DisposeAsync()
    {
        await _context.CloseAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task EveryPage_IsInteractiveUnderTheCsp_WithNoViolationOrConsoleError()
    {
        var page = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        var problems = new List<string>();
        page.Page.Console += (_, message) =>
        {
            // A missing resource is reported below with its address (the emulator's page has no favicon: not a CSP matter).
            if ((message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                || message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{page.Page.Url}: console {message.Type}: {message.Text}");
            }
        };
        page.Page.PageError += (_, error) => problems.Add($"{page.Page.Url}: page error: {error}");
        page.Page.Response += (_, response) =>
        {
            if (response.Status >= 400 && !response.Url.EndsWith("/favicon.ico", StringComparison.Ordinal))
            {
                problems.Add($"{response.Url}: {response.Status}");
            }
        };

        var document = await page.Page.GotoAsync(_portal.BaseUrl + "/account/login");
        var csp = await document!.HeaderValueAsync("content-security-policy");
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        await new OnboardingPages(page).SignInAsync("admin");

        string[] paths = ["/", "/stores", "/authorizers", "/authorizers/matrix", "/operations", "/operations/pushes", "/operations/readiness", "/settings", "/admin/users"];
        foreach (var path in paths)
        {
            await page.OpenAsync(path);
            await page.MenuToggle.ClickAsync();
            await Assertions.Expect(page.NavLink("stores")).Not.ToBeInViewportAsync();
            await page.MenuToggle.ClickAsync();
            await Assertions.Expect(page.NavLink("stores")).ToBeInViewportAsync();
            var violations = await page.Page.EvaluateAsync<string[]>("() => window.__csp");
            problems.AddRange(violations.Select(v => $"{path}: CSP violation {v}"));
        }

        // A dialog and the launch page (QR code as a data: image) of the onboarding flow.
        var flow = new OnboardingPages(page);
        await flow.OpenStoresAsync();
        await flow.CreateInviteAsync("花间花店", "小程序");
        await flow.OpenLaunchPageFromDialogAsync();
        await Assertions.Expect(page.Page.Locator("[data-launch-qr] img")).ToBeVisibleAsync();
        Assert.True(await page.Page.Locator("[data-launch-qr] img").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"));
        problems.AddRange((await page.Page.EvaluateAsync<string[]>("() => window.__csp")).Select(v => $"launch: CSP violation {v}"));

        // The emulator's pages (inline style) are served with the same headers.
        await page.Page.GotoAsync(_portal.BaseUrl + "/_emulator/admin");
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Name = "WeChat emulator" })).ToBeVisibleAsync();
        problems.AddRange((await page.Page.EvaluateAsync<string[]>("() => window.__csp")).Select(v => $"emulator: CSP violation {v}"));

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
