using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Portal.Web.Features.Onboarding.Pages;

namespace Portal.Web.Components.Tests.Onboarding;

public sealed class CallbackPageTests(PortalHost host) : PortalComponentTest(host)
{
    [Fact]
    public void AResultWithoutAValidInvitation_SaysNothingChanged_AndTellsTheAdministratorWhatToDo()
    {
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("onboarding/callback?invite=broken&attempt=x&auth_code=y");
        var context = new DefaultHttpContext();
        var cut = Render<CallbackPage>(p => p.AddCascadingValue(context));

        cut.WaitForAssertion(() => Assert.Equal("failed", cut.Find("[data-outcome]").GetAttribute("data-outcome")));
        Assert.Equal("授权未能完成", cut.Find("h1").TextContent.Trim());
        Assert.Equal("invite_invalid", cut.Find("[data-code]").GetAttribute("data-code"));
        Assert.Contains("门店的绑定没有任何改变", cut.Markup);
        Assert.NotNull(cut.Find("[data-next='operator']"));
        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
    }
}
