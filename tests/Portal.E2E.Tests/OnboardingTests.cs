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

        await flow.CreateInviteAsync("好味道餐厅·人民广场店", "公众号");
        await portal.ScreenshotAsync("onboarding-2-invite");
        await flow.OpenLaunchPageFromDialogAsync();
        await portal.ScreenshotAsync("onboarding-3-launch");
        await flow.GoToWeChatAsync();
        await Assertions.Expect(portal.Page.Locator("label.acct", new() { HasText = "晨光咖啡" })).ToBeVisibleAsync();
        await Assertions.Expect(portal.Page.Locator("label.acct", new() { HasText = "好味道点餐" })).ToHaveCountAsync(0);
        await portal.ScreenshotAsync("onboarding-4-wechat");
        await flow.ConfirmOnWeChatAsync("wx1a2b3c4d5e6f7001");

        await Assertions.Expect(portal.Page.GetByRole(AriaRole.Heading, new() { Name = "授权成功" })).ToBeVisibleAsync();
        var card = portal.Page.Locator("[data-appid='wx1a2b3c4d5e6f7001']");
        await Assertions.Expect(card).ToContainTextAsync("好味道餐厅");
        await Assertions.Expect(card).ToContainTextAsync("上海好味道餐饮管理有限公司");
        await Assertions.Expect(portal.Page.Locator("[data-granted] tr[data-set='1']")).ToContainTextAsync("消息管理权限");
        await Assertions.Expect(portal.Page.Locator("[data-granted] tbody tr")).ToHaveCountAsync(6);
        // The next step for a signed-in operator: back to the store.
        await Assertions.Expect(portal.Page.Locator("[data-next='store']")).ToBeVisibleAsync();
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
        await flow.CreateInviteAsync("晨光咖啡·西湖店", "公众号", bizAppId: "wx1a2b3c4d5e6f7103");
        await flow.OpenLaunchPageFromDialogAsync();
        await flow.GoToWeChatAsync();

        await Assertions.Expect(portal.Page.Locator("label.acct")).ToHaveCountAsync(1);
        await flow.ConfirmOnWeChatAsync("wx1a2b3c4d5e6f7103");
        // Partial success: a warning heading, not "授权成功".
        await Assertions.Expect(portal.Page.GetByRole(AriaRole.Heading, new() { Name = "授权完成，但缺少必需权限" })).ToBeVisibleAsync();
        await Assertions.Expect(portal.Page.Locator("[data-appid='wx1a2b3c4d5e6f7103']")).ToContainTextAsync("小程序");
        var missing = portal.Page.Locator("[data-missing] li[data-set='18']");
        await Assertions.Expect(missing).ToContainTextAsync("开发管理与数据分析权限");
        await portal.ScreenshotAsync("onboarding-mp-missing");

        await portal.Page.Locator("[data-action='reauthorize']").ClickAsync();
        await Assertions.Expect(portal.Page).ToHaveURLAsync(new Regex("/onboarding/launch\\?invite="));
        await Assertions.Expect(portal.Page.Locator("[data-invite-facts]")).ToContainTextAsync("wx1a2b3c4d5e6f7103");

        await flow.OpenStoresAsync();
        await Assertions.Expect(flow.StoreRow("晨光咖啡·西湖店").Locator("[data-state]")).ToHaveAttributeAsync("data-state", "PermissionsMissing");
    }

    [Fact]
    public async Task CancellingInTheEmulator_RevokesTheBinding()
    {
        var (portal, flow) = await OpenAsync();
        await flow.SignInAsync("operator1");
        await flow.OpenStoresAsync();
        await flow.CreateInviteAsync("好味道餐厅·徐家汇店", "两者皆可");
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
    public async Task Phone_OpensTheQrCodesShortLaunchUrlInWeChat_PressesOneButton_AndLandsOnTheResult()
    {
        var (portal, flow) = await OpenAsync();
        await flow.SignInAsync("operator2");
        await flow.OpenStoresAsync();
        await flow.CreateInviteAsync("花间花店", "小程序");
        await flow.OpenLaunchPageFromDialogAsync();

        // The QR code carries this page's own address, not WeChat's ~600-character link.
        var qr = portal.Page.Locator("[data-launch-qr] img");
        await Assertions.Expect(qr).ToBeVisibleAsync();
        Assert.StartsWith("data:image/png;base64,", await qr.GetAttributeAsync("src"));
        var launchUrl = (await qr.GetAttributeAsync("data-qr-url"))!;
        Assert.Equal(portal.Page.Url, launchUrl);
        Assert.True(launchUrl.Length < 300, launchUrl); // the bindcomponent link it replaces is about 600 characters
        await portal.ScreenshotAsync("onboarding-launch-desktop");

        // The administrator scans it with WeChat on a phone: no Referer from the scan, one button on our page.
        await using var phone = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
            UserAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN",
            Locale = "zh-CN",
        });
        var page = new PortalPage(await phone.NewPageAsync(), _portal.BaseUrl);
        var navigations = 0;
        page.Page.FrameNavigated += (_, frame) => navigations += frame == page.Page.MainFrame ? 1 : 0;
        await page.Page.GotoAsync(launchUrl);
        await page.WaitForInteractivityAsync();
        await Assertions.Expect(page.Page.Locator("[data-action='launch-pc']")).ToHaveCountAsync(0);
        await page.ScreenshotAsync("onboarding-launch-phone");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "在微信中授权" }).ClickAsync();
        await page.Page.WaitForURLAsync(url => url.Contains("/safe/bindcomponent", StringComparison.Ordinal));
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Name = "微信内授权" })).ToBeVisibleAsync();
        await page.ScreenshotAsync("onboarding-wechat-phone");
        await page.Page.Locator("label.acct:has(input[value='wx1a2b3c4d5e6f7101'])").ClickAsync();
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "确认授权" }).ClickAsync();
        await page.Page.WaitForURLAsync(url => url.Contains("/onboarding/callback", StringComparison.Ordinal));
        await Assertions.Expect(page.Page.Locator("[data-outcome]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Page.Locator("[data-appid='wx1a2b3c4d5e6f7101']")).ToBeVisibleAsync();
        // The account administrator is no portal user: told what to do next, in the public layout.
        await Assertions.Expect(page.Page.Locator("[data-next='operator']")).ToBeVisibleAsync();
        Assert.True(navigations < 10, $"{navigations} navigations: a redirect loop");
        Assert.True(await page.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await page.ScreenshotAsync("onboarding-result-phone");
    }
}
