using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Portal.Testing;
using Portal.Web.Features.Onboarding;
using Portal.Web.Features.Onboarding.Pages;
using Portal.Web.Resources;

namespace Portal.Web.Tests;

/// <summary>Changing a store's account is never silent: the result names the account that was replaced.</summary>
public sealed class ReplacementTests(DefaultOnboardingHarness h) : IClassFixture<DefaultOnboardingHarness>
{
    [Fact]
    public async Task ASecondAuthorizationOfAStore_SaysWhichAccountItReplaced()
    {
        var first = await h.CallbackAsync(await h.AuthorizeAsync(await h.InviteAsync("晨光咖啡·西湖店"), "wx1a2b3c4d5e6f7002"));
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.DoesNotContain("data-replaced", first.Html);

        var second = await h.CallbackAsync(await h.AuthorizeAsync(await h.InviteAsync("晨光咖啡·西湖店"), "wx1a2b3c4d5e6f7102"));

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Contains("data-replaced=\"wx1a2b3c4d5e6f7002\"", second.Html);
        Assert.Contains("这个帐号替换了门店原来绑定的「晨光咖啡」（wx1a2b3c4d5e6f7002）", WebUtility.HtmlDecode(second.Html));
    }

    [Fact]
    public async Task ARefusedAuthorization_IsWrittenInTheStoresHistory_InWords()
    {
        Assert.Equal(HttpStatusCode.OK, (await h.CallbackAsync(await h.AuthorizeAsync(await h.InviteAsync("城东书店", user: "operator2"), "wx1a2b3c4d5e6f7003"))).Status);
        var refused = await h.CallbackAsync(await h.AuthorizeAsync(await h.InviteAsync("城东书店·新街口店", user: "operator2"), "wx1a2b3c4d5e6f7003"));
        Assert.Contains("bound_to_other_shop", refused.Html);

        var admin = await h.Portal.PrincipalAsync("admin");
        var directory = h.Portal.Services.GetRequiredService<StoreDirectory>();
        var shopId = (await directory.ListAsync(admin, new StoreQuery(Search: "新街口"), CancellationToken.None)).Items.Single().Id;
        var store = (await directory.DetailAsync(admin, shopId, CancellationToken.None))!;
        var refusal = store.History.First();
        Assert.Equal(OnboardingService.RefusedPrefix + "bound_to_other_shop", refusal.Reason);
        Assert.NotEqual(Portal.Data.Entities.BindingState.Invited, store.State); // no longer "pending"

        var texts = h.Portal.Services.GetRequiredService<IStringLocalizer<SharedResource>>();
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo("zh-CN");
        try
        {
            Assert.Equal("帐号 wx1a2b3c4d5e6f7003 已绑定到另一个门店，本次授权没有绑定到这里", HistoryText.Describe(texts, refusal));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }
}
