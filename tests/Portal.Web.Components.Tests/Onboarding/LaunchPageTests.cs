using Portal.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Onboarding;
using Portal.Web.Features.Onboarding.Pages;

namespace Portal.Web.Components.Tests.Onboarding;

public sealed class LaunchPageTests(PortalHost host) : PortalComponentTest(host)
{
    private const string WeChatPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50";

    private async Task<string> InviteTokenAsync()
    {
        var admin = await Host.Factory.PrincipalAsync("admin");
        var created = await Host.Services.GetRequiredService<OnboardingService>()
            .CreateInviteAsync(Actor.From(admin, null), 5, new InviteRequest(null, null, [1, 2]), CancellationToken.None);
        return created.Token;
    }

    [Fact]
    public async Task OnAComputer_OffersThePcPage_AndAQrCodeOfThisPagesOwnShortAddress()
    {
        var token = await InviteTokenAsync();
        var nav = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        nav.NavigateTo($"onboarding/launch?invite={Uri.EscapeDataString(token)}");
        var cut = RenderPage<LaunchPage>();

        cut.WaitForAssertion(() => cut.Find("[data-action='launch-pc']"));
        var qr = cut.Find("[data-launch-qr] img");
        Assert.StartsWith("data:image/png;base64,", qr.GetAttribute("src"));
        Assert.EndsWith($"/onboarding/launch?invite={Uri.EscapeDataString(token)}", qr.GetAttribute("data-qr-url"));
        Assert.DoesNotContain("预授权码", cut.Markup);
        Assert.DoesNotContain("bindcomponent", cut.Markup);
    }

    [Fact]
    public async Task InWeChatOnAPhone_ShowsOneButton_AndNoQrCode()
    {
        var token = await InviteTokenAsync();
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo($"onboarding/launch?invite={Uri.EscapeDataString(token)}");
        var cut = RenderPage<LaunchPage>(userAgent: WeChatPhone);

        cut.WaitForAssertion(() => Assert.Equal("在微信中授权", cut.Find("[data-action='launch-mobile']").TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-launch-qr]"));
        Assert.Empty(cut.FindAll("[data-action='launch-pc']"));
    }

    [Fact]
    public void ABrokenLink_SaysWhatHappenedAndWhomToAsk()
    {
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("onboarding/launch?invite=broken");
        var cut = RenderPage<LaunchPage>();

        cut.WaitForAssertion(() => Assert.Equal("invite_invalid", cut.Find("[data-problem]").GetAttribute("data-problem")));
        Assert.Contains("请向门店运营人员索取新的邀请链接", cut.Find("[data-next-step]").TextContent);
        Assert.Empty(cut.FindAll("[data-action]"));
    }
}
