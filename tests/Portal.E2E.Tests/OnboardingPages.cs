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
        // In either language: the walk signs in with the English culture cookie already set.
        await Page.GetByLabel(new System.Text.RegularExpressions.Regex("用户名|User name")).FillAsync(userName);
        await Page.GetByLabel(new System.Text.RegularExpressions.Regex("密码|Password")).FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^(登录|Sign in)$") }).ClickAsync();
        await Page.WaitForURLAsync(portal.BaseUrl + "/");
        // The home page prerenders before its circuit is up; a click in between is lost (a CI run lost one).
        await portal.WaitForInteractivityAsync();
    }

    public async Task OpenStoresAsync()
    {
        await portal.OpenAsync("/stores");
        await Page.Locator("[data-grid='stores'] [data-shop]").First.WaitForAsync();
    }

    public ILocator StoreRow(string name) => Page.Locator("[data-grid='stores'] tbody tr", new() { Has = Page.Locator("[data-shop]", new() { HasText = name }) });

    public ILocator Dialog => Page.GetByRole(AriaRole.Dialog);

    /// <summary>Opens the bind dialog for a store, picks the account kind ("公众号", "小程序", "两者皆可"), optionally "only this account", creates the invitation.</summary>
    public async Task CreateInviteAsync(string storeName, string kindLabel, string? bizAppId = null)
    {
        await StoreRow(storeName).Locator("[data-bind-shop]").ClickAsync();
        if (await StoreRow(storeName).Locator("[data-bind-mode='change']").CountAsync() > 0)
        {
            await Page.GetByRole(AriaRole.Button, new() { Name = "继续更换" }).ClickAsync();
        }

        await Dialog.GetByRole(AriaRole.Radio, new() { Name = kindLabel, Exact = true }).CheckAsync();
        if (bizAppId is not null)
        {
            await Dialog.GetByText("高级选项", new() { Exact = true }).ClickAsync();
            await Dialog.GetByLabel("仅限此帐号（可选）").FillAsync(bizAppId);
        }

        await Dialog.GetByRole(AriaRole.Button, new() { Name = "生成授权邀请" }).ClickAsync();
        await Dialog.Locator("[data-invite-created]").WaitForAsync();
    }

    public async Task OpenLaunchPageFromDialogAsync()
    {
        await Dialog.Locator("[data-action='open-launch']").ClickAsync();
        await Page.Locator("[data-portal-layout='public'][data-interactive='true']").WaitForAsync();
    }

    public async Task GoToWeChatAsync()
    {
        await Page.Locator("[data-action='launch-pc']").ClickAsync();
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
