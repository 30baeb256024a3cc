using Microsoft.Playwright;
using Portal.Testing;

namespace Portal.E2E.Tests;

[Collection(BrowserCollection.Name)]
public sealed class OperationsTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalFactory _portal = new(null, kestrel: true);
    private IBrowserContext _context = default!;

    public async Task InitializeAsync()
    {
        _portal.StartServer();
        await _portal.WaitForTicketAsync();
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
    }

    public async Task DisposeAsync()
    {
        await _context.CloseAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Ops_RunsAJobNowAndSeesItsOutcome()
    {
        var portal = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        await new OnboardingPages(portal).SignInAsync("ops");
        await portal.OpenAsync("/operations");
        await Assertions.Expect(portal.Page.Locator("[data-metric='ticket']")).ToContainTextAsync("分钟前收到");

        var job = portal.Page.Locator("tr[data-job='renew-component-token']");
        await Assertions.Expect(job.Locator(".portal-job-outcome")).ToHaveTextAsync("—");
        await job.GetByRole(AriaRole.Button, new() { Name = "立即运行" }).ClickAsync();
        await Assertions.Expect(portal.Page.Locator(".portal-alert")).ToContainTextAsync("已开始运行");

        // The job runs on Quartz's threads: wait for its recorded run, then reload the console.
        await _portal.WaitForAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(db.JobRuns, r => r.JobName == "renew-component-token"));
        await portal.Page.Locator(".portal-reload").ClickAsync();
        await Assertions.Expect(job.Locator(".portal-job-outcome")).ToContainTextAsync("✓ renewed");
        await portal.ScreenshotAsync("operations-jobs");

        await portal.Page.GetByRole(AriaRole.Tab, new() { Name = "审计日志" }).ClickAsync();
        await Assertions.Expect(portal.Page.Locator(".portal-audit")).ToContainTextAsync("job.run_now");
    }

    [Fact]
    public async Task Operator_CannotOpenTheOpsConsole()
    {
        var portal = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        await new OnboardingPages(portal).SignInAsync("operator1");
        await portal.Page.GotoAsync(_portal.BaseUrl + "/operations");
        await Assertions.Expect(portal.Page.GetByRole(AriaRole.Heading, new() { Name = "无权访问" })).ToBeVisibleAsync();
    }
}
