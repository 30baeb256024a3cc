using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data.Entities;
using Portal.Testing;

namespace Portal.E2E.Tests;

[Collection(BrowserCollection.Name)]
public sealed class OnboardingTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalFactory _portal = new(null, kestrel: true);
    private IBrowserContext _context = default!;

    public async Task InitializeAsync()
    {
        _portal.StartServer();
        await _portal.WaitForTicketAsync();
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 }, Locale = "zh-CN" });
    }

    public async Task DisposeAsync()
    {
        await _context.CloseAsync();
        await _portal.DisposeAsync();
    }

    private async Task<(PortalPage Portal, OnboardingPages Flow)> OpenAsync()
    {
        var portal = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        return (portal, new OnboardingPages(portal));
    }

    [Fact]
    public async Task Operator_BindsAnOfficialAccountThroughTheAuthorizationPage_AndSeesTheStoreBound()
    {
        var (portal, flow) = await OpenAsync();
        await flow.SignInAsync("operator1");
        await flow.OpenStoresAsync();
        await portal.ScreenshotAsync("onboarding-1-stores");

        await flow.CreateInviteAsync("好味道餐厅·人民广场店", "仅公众号");
        await portal.ScreenshotAsync("onboarding-2-invite");
        await flow.OpenLaunchPageFromDialogAsync();
        await portal.ScreenshotAsync("onboarding-3-launch");
        await flow.GoToWeChatAsync();
        await Assertions.Expect(portal.Page.Locator("label.acct", new() { HasText = "晨光咖啡" })).ToBeVisibleAsync();
        await Assertions.Expect(portal.Page.Locator("label.acct", new() { HasText = "好味道点餐" })).ToHaveCountAsync(0);
        await portal.ScreenshotAsync("onboarding-4-wechat");
        await flow.ConfirmOnWeChatAsync("wx1a2b3c4d5e6f7001");

        await Assertions.Expect(portal.Page.GetByRole(AriaRole.Heading, new() { Name = "授权成功" })).ToBeVisibleAsync();
        await Assertions.Expect(portal.Page.Locator(".portal-account-card")).ToContainTextAsync("好味道餐厅");
        await Assertions.Expect(portal.Page.Locator(".portal-account-card")).ToContainTextAsync("上海好味道餐饮管理有限公司");
        await Assertions.Expect(portal.Page.Locator(".portal-granted tr[data-set='1']")).ToContainTextAsync("消息管理权限");
        await Assertions.Expect(portal.Page.Locator(".portal-granted tbody tr")).ToHaveCountAsync(6);
        await portal.ScreenshotAsync("onboarding-5-result");

        await portal.Page.ReloadAsync();
        await Assertions.Expect(portal.Page.GetByRole(AriaRole.Heading, new() { Name = "授权成功" })).ToBeVisibleAsync();

        await flow.OpenStoresAsync();
        var row = flow.StoreRow("好味道餐厅·人民广场店");
        await Assertions.Expect(row).ToContainTextAsync("好味道餐厅");
        await Assertions.Expect(row.Locator("[data-state]")).ToHaveAttributeAsync("data-state", "Active");
        await portal.ScreenshotAsync("onboarding-6-stores-bound");
    }

    [Fact]
    public async Task Operator_BindsAMiniProgramWithBizAppId_MissingSetsAreHighlightedWithAReauthorizationInvite()
    {
        var (portal, flow) = await OpenAsync();
        await flow.SignInAsync("operator1");
        await flow.OpenStoresAsync();
        await flow.CreateInviteAsync("晨光咖啡·西湖店", "仅公众号", bizAppId: "wx1a2b3c4d5e6f7103");
        await flow.OpenLaunchPageFromDialogAsync();
        await flow.GoToWeChatAsync();

        await Assertions.Expect(portal.Page.Locator("label.acct")).ToHaveCountAsync(1);
        await flow.ConfirmOnWeChatAsync("wx1a2b3c4d5e6f7103");
        await Assertions.Expect(portal.Page.GetByRole(AriaRole.Heading, new() { Name = "授权成功" })).ToBeVisibleAsync();
        await Assertions.Expect(portal.Page.Locator(".portal-account-card")).ToContainTextAsync("小程序");
        var missing = portal.Page.Locator(".portal-missing li[data-set='18']");
        await Assertions.Expect(missing).ToContainTextAsync("开发管理与数据分析权限");
        await portal.ScreenshotAsync("onboarding-mp-missing");

        await portal.Page.Locator(".portal-reauth").ClickAsync();
        await Assertions.Expect(portal.Page).ToHaveURLAsync(new Regex("/onboarding/launch\\?invite="));
        await Assertions.Expect(portal.Page.Locator(".portal-facts")).ToContainTextAsync("wx1a2b3c4d5e6f7103");

        await flow.OpenStoresAsync();
        await Assertions.Expect(flow.StoreRow("晨光咖啡·西湖店").Locator("[data-state]")).ToHaveAttributeAsync("data-state", "PermissionsMissing");
    }

    [Fact]
    public async Task CancellingInTheEmulator_RevokesTheBinding()
    {
        var (portal, flow) = await OpenAsync();
        await flow.SignInAsync("operator1");
        await flow.OpenStoresAsync();
        await flow.CreateInviteAsync("好味道餐厅·徐家汇店", "公众号或小程序");
        await flow.OpenLaunchPageFromDialogAsync();
        await flow.GoToWeChatAsync();
        await flow.ConfirmOnWeChatAsync("wx1a2b3c4d5e6f7002");
        await Assertions.Expect(portal.Page.GetByRole(AriaRole.Heading, new() { Name = "授权成功" })).ToBeVisibleAsync();

        // The emulator's control page is for ops and admins only (and its forms carry the antiforgery token).
        await portal.Page.GotoAsync(_portal.BaseUrl + "/_emulator/admin");
        await Assertions.Expect(portal.Page).ToHaveURLAsync(new Regex("/account/denied"));
        await using var opsContext = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN" });
        var ops = new PortalPage(await opsContext.NewPageAsync(), _portal.BaseUrl);
        await new OnboardingPages(ops).SignInAsync("ops");
        await ops.Page.GotoAsync(_portal.BaseUrl + "/_emulator/admin");
        var account = ops.Page.Locator("tr[data-appid='wx1a2b3c4d5e6f7002']");
        await account.GetByRole(AriaRole.Button, new() { Name = "Cancel authorization" }).ClickAsync();
        await Assertions.Expect(ops.Page.Locator("tr[data-appid='wx1a2b3c4d5e6f7002']")).ToContainTextAsync("cancelled");

        await _portal.WaitForAsync(db => db.Bindings.AnyAsync(b => b.State == BindingState.Revoked));
        await flow.OpenStoresAsync();
        await Assertions.Expect(flow.StoreRow("好味道餐厅·徐家汇店").Locator("[data-state]")).ToHaveAttributeAsync("data-state", "Revoked");
        await portal.ScreenshotAsync("onboarding-revoked");
    }

    [Fact]
    public async Task LaunchPage_ShowsAQrCodeOfTheMobileLinkWithACountdown()
    {
        var (portal, flow) = await OpenAsync();
        await flow.SignInAsync("operator2");
        await flow.OpenStoresAsync();
        await flow.CreateInviteAsync("花间花店", "仅小程序");
        await flow.OpenLaunchPageFromDialogAsync();

        await portal.Page.Locator(".portal-launch-mobile").ClickAsync();
        await Assertions.Expect(portal.Page.Locator(".portal-qr img")).ToBeVisibleAsync();
        Assert.StartsWith("data:image/png;base64,", await portal.Page.Locator(".portal-qr img").GetAttributeAsync("src"));
        var href = await portal.Page.Locator(".portal-mobile-link").GetAttributeAsync("href");
        Assert.Matches("/_emulator/open/wxaopen/safe/bindcomponent\\?action=bindcomponent&no_scan=1&component_appid=.+&auth_type=2&category_id_list=17%7C18%7C19%7C30#wechat_redirect$", href);
        var seconds = int.Parse((await portal.Page.Locator(".portal-countdown").GetAttributeAsync("data-seconds"))!);
        Assert.InRange(seconds, 1700, 1800);
        await Assertions.Expect(portal.Page.Locator(".portal-countdown")).Not.ToHaveAttributeAsync("data-seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await portal.ScreenshotAsync("onboarding-mobile-qr");
    }
}
