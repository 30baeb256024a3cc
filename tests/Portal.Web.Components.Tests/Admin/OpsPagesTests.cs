using Microsoft.AspNetCore.Http;
using Portal.Web.Components.Pages;
using Portal.Web.Features.KeepAlive.Pages;
using Portal.Web.Features.Pushes.Pages;

namespace Portal.Web.Components.Tests.Admin;

/// <summary>The ops console, the push quarantine and the sign-in page.</summary>
public sealed class OpsPagesTests(PortalHost host) : PortalComponentTest(host)
{
    [Fact]
    public async Task Operations_ListsTheJobsInWords_WithTheirButtons()
    {
        await SignInAsync("ops");
        RenderProviders();
        var cut = RenderPage<OperationsPage>();

        cut.WaitForAssertion(() => cut.Find("[data-jobs] [data-job='renew-component-token']"));
        Assert.Equal("续期第三方平台令牌", cut.Find("[data-job='renew-component-token']").TextContent.Trim());
        Assert.NotEmpty(cut.FindAll("[data-action='run-now']"));
        Assert.NotNull(cut.Find("[data-metric='alerts'] [data-value]"));
    }

    [Fact]
    public async Task Pushes_WithNothingQuarantined_SaysSo()
    {
        await SignInAsync("ops");
        var cut = RenderPage<PoisonPushesPage>();

        cut.WaitForAssertion(() => Assert.Equal("没有无法识别的推送。", cut.Find("[data-empty]").TextContent.Trim()));
    }

    [Fact]
    public void Login_AnEmptySubmit_SaysWhatIsMissingNextToEachField()
    {
        var context = new DefaultHttpContext();
        var cut = Render<LoginPage>(p => p.AddCascadingValue(context));

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal("请填写用户名。", cut.Find("[data-error='username']").TextContent.Trim()));
        Assert.Equal("请填写密码。", cut.Find("[data-error='password']").TextContent.Trim());
    }
}
