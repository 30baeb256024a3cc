using Portal.Web.Features.Onboarding.Pages;

namespace Portal.Web.Components.Tests.Onboarding;

public sealed class StoresPageTests(PortalHost host) : PortalComponentTest(host)
{
    [Fact]
    public async Task Operator_SeesOnlyTheirStores_WithABindButtonEach()
    {
        await SignInAsync("operator1");
        RenderProviders();
        var cut = RenderPage<StoresPage>();

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("[data-grid='stores'] [data-shop]").Count));
        Assert.Equal(["1", "2", "3", "4"], cut.FindAll("[data-shop]").Select(a => a.GetAttribute("data-shop")!).Order());
        Assert.Equal(4, cut.FindAll("[data-bind-shop]").Count);
        Assert.Equal("门店", cut.Find("h1").TextContent.Trim());
    }

    [Fact]
    public async Task Admin_SeesEveryStore()
    {
        await SignInAsync("admin");
        RenderProviders();
        var cut = RenderPage<StoresPage>();

        cut.WaitForAssertion(() => Assert.Equal(8, cut.FindAll("[data-grid='stores'] [data-shop]").Count));
    }

    [Fact]
    public async Task ASearchWithNoMatch_SaysSoInASentence()
    {
        await SignInAsync("operator1");
        RenderProviders();
        var cut = RenderPage<StoresPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-shop]")));

        cut.Find("[data-stores-search] input, input[data-stores-search]").Input("没有这样的门店");
        cut.WaitForAssertion(() => Assert.Equal("没有符合条件的门店。", cut.Find("[data-empty]").TextContent.Trim()), TimeSpan.FromSeconds(5));
        Assert.Empty(cut.FindAll("[data-shop]"));
    }

    [Fact]
    public async Task InEnglish_TheChromeIsEnglish()
    {
        UseCulture("en");
        await SignInAsync("operator1");
        RenderProviders();
        var cut = RenderPage<StoresPage>();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-shop]")));
        Assert.Equal("Stores", cut.Find("h1").TextContent.Trim());
        Assert.Contains("Bind WeChat account", cut.Find("[data-bind-shop]").TextContent);
    }
}
