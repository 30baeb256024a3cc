using Portal.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Entities;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Onboarding;
using Portal.Web.Features.Onboarding.Pages;

namespace Portal.Web.Components.Tests.Onboarding;

public sealed class StoreDetailPageTests(PortalHost host) : PortalComponentTest(host)
{
    [Fact]
    public async Task AnotherOperatorsStore_IsRefused()
    {
        await SignInAsync("operator1");
        RenderProviders();
        var cut = RenderPage<StoreDetailPage>(p => p.Add(s => s.ShopId, 6));

        cut.WaitForAssertion(() => Assert.Equal("无权访问", cut.Find("h1").TextContent.Trim()));
    }

    [Fact]
    public async Task AStoreWithALiveInvitation_IsPending_AndItsHistorySpeaksInWords()
    {
        var admin = await Host.Factory.PrincipalAsync("admin");
        await Host.Services.GetRequiredService<OnboardingService>().CreateInviteAsync(Actor.From(admin, null), 7, new InviteRequest(null, null, [1]), CancellationToken.None);
        await SignInAsync("admin");
        RenderProviders();
        var cut = RenderPage<StoreDetailPage>(p => p.Add(s => s.ShopId, 7));

        cut.WaitForAssertion(() => cut.Find("[data-live-invite]"));
        Assert.Equal("Invited", cut.Find(".portal-store-facts [data-state]").GetAttribute("data-state"));
        var history = cut.Find("[data-history]").TextContent;
        Assert.Contains("发出了授权邀请", history);
        Assert.Contains("admin", history);
        Assert.DoesNotContain("invitation", history);
        Assert.Contains("绑定微信帐号", cut.Find("[data-bind-shop]").TextContent);
    }

    [Theory]
    [InlineData(BindingState.Invited, true, false, BindingState.Invited)]
    [InlineData(BindingState.Authorizing, false, false, BindingState.Unbound)]
    [InlineData(BindingState.Authorizing, false, true, BindingState.Active)]
    [InlineData(BindingState.Revoked, false, true, BindingState.Revoked)]
    public void PendingIsShown_OnlyWhileAnInvitationIsLive(BindingState stored, bool live, bool hasAccount, BindingState shown)
        => Assert.Equal(shown, StoreDirectory.Shown(stored, live, hasAccount));
}
