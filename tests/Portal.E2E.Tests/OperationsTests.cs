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
    public async Task Ops_RunsAJobNow_AndSeesItRunWithin5Seconds()
    {
        var portal = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        await new OnboardingPages(portal).SignInAsync("ops");
        await portal.OpenAsync("/operations");
        await Assertions.Expect(portal.Page.Locator("[data-metric='ticket']")).ToContainTextAsync("分钟前收到");

        var job = portal.Page.Locator("[data-jobs] tbody tr", new() { Has = portal.Page.Locator("[data-job='renew-component-token']") });
        await Assertions.Expect(job.Locator("[data-outcome]")).ToHaveTextAsync("—");
        await Assertions.Expect(job).ToContainTextAsync("0 * * * * *");
        var clicked = DateTime.UtcNow;
        await job.GetByRole(AriaRole.Button, new() { Name = "立即运行" }).ClickAsync();

        // Where it was started: queued, then running, then done with its outcome in words, within 5 s, without a reload.
        var progress = portal.Page.Locator("[data-runs] [data-run]").First;
        await Assertions.Expect(progress).ToContainTextAsync("续期第三方平台令牌");
        await Assertions.Expect(progress).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 5_000 });
        Assert.True(DateTime.UtcNow - clicked < TimeSpan.FromSeconds(5.5), "ran within 5 s of the click");
        await Assertions.Expect(progress).ToContainTextAsync("已完成");
        await Assertions.Expect(progress).ToContainTextAsync("已续期，有效至");
        await Assertions.Expect(job.Locator("[data-outcome]")).ToContainTextAsync("✓ 已续期，有效至");
        await Assertions.Expect(job.Locator("[data-outcome]")).ToHaveAttributeAsync("data-outcome", "ComponentTokenRenewed");
        await portal.ScreenshotAsync("operations-jobs");

        await portal.Page.GetByRole(AriaRole.Tab, new() { Name = "运行记录" }).ClickAsync();
        await Assertions.Expect(portal.Page.Locator("[data-history] tbody tr", new() { Has = portal.Page.Locator("[data-job='renew-component-token']") }).First).ToContainTextAsync("ops:ops");
        await portal.Page.GetByRole(AriaRole.Tab, new() { Name = "审计日志" }).ClickAsync();
        await Assertions.Expect(portal.Page.Locator("[data-audit] [data-action-code='job.run_now']").First).ToContainTextAsync("立即运行任务");
    }

    [Fact]
    public async Task Ops_PausesAJob_AndOpensTheHangfireDashboardReadOnly()
    {
        var portal = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        await new OnboardingPages(portal).SignInAsync("ops");
        await portal.OpenAsync("/operations");
        var job = portal.Page.Locator("[data-jobs] tbody tr", new() { Has = portal.Page.Locator("[data-job='ticket-watchdog']") });
        await job.GetByRole(AriaRole.Button, new() { Name = "暂停" }).ClickAsync();
        await Assertions.Expect(job).ToContainTextAsync("已暂停");
        await job.GetByRole(AriaRole.Button, new() { Name = "恢复" }).ClickAsync();
        await Assertions.Expect(job).Not.ToContainTextAsync("已暂停");

        var dashboardLink = portal.Page.GetByRole(AriaRole.Link, new() { Name = "打开 Hangfire 控制台" });
        var href = await dashboardLink.GetAttributeAsync("href");
        var dashboard = await _context.NewPageAsync();
        await dashboard.GotoAsync(_portal.BaseUrl + href + "recurring");
        await Assertions.Expect(dashboard.Locator("body")).ToContainTextAsync("refresh-authorizer-tokens");
        await Assertions.Expect(dashboard.Locator("body")).ToContainTextAsync("定期作业");
        await Assertions.Expect(dashboard.Locator("button.js-jobs-list-command")).ToHaveCountAsync(0);
        await dashboard.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Artifacts("screenshots"), "hangfire-dashboard-ops.png"), FullPage = true });
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
