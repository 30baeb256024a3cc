using Microsoft.Playwright;

namespace Portal.E2E.Tests;

/// <summary>Page objects for the onboarding flow: sign-in, stores, the bind dialog, the launch page and the result.</summary>
public sealed class OnboardingPages(PortalPage portal)
{
    public const string DemoPassword = "Portal-demo-2026";

    private IPage Page => portal.Page;

    public async Task SignInAsync(string userName, string password = DemoPassword)
    {
        await Page.GotoAsync(portal.BaseUrl + "/account/login");
        await Page.GetByLabel("用户名").FillAsync(userName);
        await Page.GetByLabel("密码").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await Page.WaitForURLAsync(portal.BaseUrl + "/");
    }

    public async Task OpenStoresAsync()
    {
        await portal.OpenAsync("/stores");
        await Page.Locator(".portal-grid .rz-data-row").First.WaitForAsync();
    }

    public ILocator StoreRow(string name) => Page.Locator(".portal-grid .rz-data-row", new() { HasText = name });

    /// <summary>Opens the bind dialog for a store, picks the account kind, optionally "only this account", creates the invitation.</summary>
    public async Task CreateInviteAsync(string storeName, string authTypeLabel, string? bizAppId = null)
    {
        await StoreRow(storeName).GetByRole(AriaRole.Button, new() { Name = "绑定微信帐号" }).ClickAsync();
        var dialog = Page.Locator(".rz-dialog");
        await dialog.GetByText(authTypeLabel, new() { Exact = true }).ClickAsync();
        if (bizAppId is not null)
        {
            await dialog.Locator("input[name=biz_appid]").FillAsync(bizAppId);
        }

        await dialog.GetByRole(AriaRole.Button, new() { Name = "生成授权邀请" }).ClickAsync();
        await dialog.Locator(".portal-invite-link").WaitForAsync();
    }

    public async Task OpenLaunchPageFromDialogAsync()
    {
        await Page.Locator(".rz-dialog .portal-open-launch").ClickAsync();
        await Page.Locator(".portal-public[data-interactive='true']").WaitForAsync();
    }

    public async Task GoToWeChatAsync()
    {
        await Page.Locator(".portal-launch-pc").ClickAsync();
        await Page.WaitForURLAsync(url => url.Contains("/_emulator/mp/cgi-bin/componentloginpage", StringComparison.Ordinal));
    }

    /// <summary>On the emulator's page: pick the account and confirm.</summary>
    public async Task ConfirmOnWeChatAsync(string appId)
    {
        await Page.Locator($"label.acct:has(input[value='{appId}'])").ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "确认授权" }).ClickAsync();
        await Page.WaitForURLAsync(url => url.Contains("/onboarding/callback", StringComparison.Ordinal));
    }
}
