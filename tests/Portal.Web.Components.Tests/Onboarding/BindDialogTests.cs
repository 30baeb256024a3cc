using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Data;
using Portal.Web.Features.Onboarding.Pages;

namespace Portal.Web.Components.Tests.Onboarding;

public sealed class BindDialogTests(PortalHost host) : PortalComponentTest(host)
{
    private const int ShopId = 3;

    private async Task<int> InvitesAsync()
    {
        await using var db = await Host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Invites.CountAsync(i => i.ShopId == ShopId);
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenAsync(string? replacing = null)
    {
        await SignInAsync("operator1");
        var providers = RenderProviders();
        var button = RenderPage<BindButton>(p => p.Add(b => b.ShopId, ShopId).Add(b => b.ShopName, "晨光咖啡·西湖店")
            .Add(b => b.AccountAppId, replacing).Add(b => b.AccountName, replacing is null ? null : "晨光咖啡"));
        // The button's handler waits for the dialog to close: start it, do not wait for it.
        _ = button.Find("[data-bind-shop]").ClickAsync(new());
        if (replacing is not null)
        {
            providers.WaitForAssertion(() => Assert.Contains(replacing, providers.Markup));
            _ = providers.FindAll("button").Single(b => b.TextContent.Contains("继续更换")).ClickAsync(new());
        }

        providers.WaitForAssertion(() => providers.Find("[data-dialog='bind']"));
        return providers;
    }

    [Fact]
    public async Task OffersThreePlainChoices_WithTheRareOnesUnderAdvancedOptions()
    {
        var dialog = await OpenAsync();

        var kinds = dialog.Find("[data-bind-kind]");
        Assert.Equal(3, kinds.QuerySelectorAll("input[type=radio]").Length);
        Assert.Equal("公众号小程序两者皆可", string.Concat(kinds.TextContent.Where(c => !char.IsWhiteSpace(c))));
        Assert.Contains("高级选项", dialog.Find("[data-bind-advanced]").TextContent);
        Assert.DoesNotContain("微信文档", dialog.Markup);
        Assert.DoesNotContain("#", dialog.Find("[data-bind-advanced]").TextContent);
    }

    [Fact]
    public async Task UntickingEverySet_IsAValidationError_AndNothingIsRequested()
    {
        var before = await InvitesAsync();
        var dialog = await OpenAsync();
        await dialog.Find("[data-bind-advanced] .mud-expand-panel-header").ClickAsync(new());
        var ticked = dialog.FindAll("input[type=checkbox][data-set]").Where(b => b.HasAttribute("checked")).Select(b => b.GetAttribute("data-set")).ToList();
        Assert.NotEmpty(ticked);
        foreach (var id in ticked)
        {
            await dialog.Find($"input[data-set='{id}']").ChangeAsync(new() { Value = false });
        }

        await dialog.Find("[data-action='create-invite']").ClickAsync(new());

        dialog.WaitForAssertion(() => Assert.Equal("请至少勾选一个权限集。", dialog.Find("[data-error='sets']").TextContent.Trim()));
        Assert.Empty(dialog.FindAll("[data-invite-created]"));
        Assert.Equal(before, await InvitesAsync());
    }

    [Fact]
    public async Task AMalformedAppId_IsAValidationErrorNextToTheField()
    {
        var dialog = await OpenAsync();
        await dialog.Find("[data-bind-advanced] .mud-expand-panel-header").ClickAsync(new());
        dialog.Find("[data-bind-appid] input, input[data-bind-appid]").Change("wx123");

        await dialog.Find("[data-action='create-invite']").ClickAsync(new());

        dialog.WaitForAssertion(() => Assert.Contains("AppID 应为 wx 开头的 18 位字母或数字。", dialog.Markup));
        Assert.Empty(dialog.FindAll("[data-invite-created]"));
    }

    [Fact]
    public async Task Creating_ShowsTheLinkToCopy_AndASnackbar_AndADoubleClickCreatesOneInvitation()
    {
        var before = await InvitesAsync();
        var dialog = await OpenAsync();

        Assert.Contains(dialog.FindAll("input[type=checkbox][data-set]"), b => b.HasAttribute("checked"));
        var first = dialog.Find("[data-action='create-invite']").ClickAsync(new());
        // A second press while the first is still running (the button is disabled then) creates nothing more.
        if (!first.IsCompleted && dialog.FindAll("[data-action='create-invite']") is [var again])
        {
            Assert.True(again.HasAttribute("disabled"));
        }

        await first;

        dialog.WaitForAssertion(() => Assert.True(dialog.FindAll("[data-invite-created]").Count > 0, dialog.Find("[data-dialog='bind']").TextContent));
        Assert.Contains("/onboarding/launch?invite=", dialog.Find("[data-invite-link]").GetAttribute("data-invite-link"));
        var snackbars = Snackbars!;
        snackbars.WaitForAssertion(() => Assert.Contains("授权邀请已生成", snackbars.Markup));
        Assert.Equal(before + 1, await InvitesAsync());
    }

    [Fact]
    public async Task ChangingTheAccount_IsConfirmedAgainstTheCurrentAccount_AndTheDialogNamesIt()
    {
        var dialog = await OpenAsync(replacing: "wx1a2b3c4d5e6f7002");

        Assert.Contains("完成授权后将替换当前帐号：晨光咖啡 (wx1a2b3c4d5e6f7002)", dialog.Find("[data-replacing]").TextContent);
    }

    [Fact]
    public async Task CancellingTheChange_OpensNoDialog()
    {
        await SignInAsync("operator1");
        var providers = RenderProviders();
        var button = RenderPage<BindButton>(p => p.Add(b => b.ShopId, ShopId).Add(b => b.ShopName, "晨光咖啡·西湖店")
            .Add(b => b.AccountAppId, "wx1a2b3c4d5e6f7002").Add(b => b.AccountName, "晨光咖啡"));

        Assert.Contains("更换帐号", button.Find("[data-bind-shop]").TextContent);
        var handler = button.Find("[data-bind-shop]").ClickAsync(new());
        providers.WaitForAssertion(() => Assert.Contains("晨光咖啡", providers.Markup));
        await providers.FindAll("button").Single(b => b.TextContent.Trim() == "取消").ClickAsync(new());
        await handler.WaitAsync(TimeSpan.FromSeconds(5));

        providers.WaitForAssertion(() => Assert.Empty(providers.FindAll("[data-dialog='bind']")));
    }
}
