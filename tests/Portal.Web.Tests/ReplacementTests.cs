using System.Net;

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
}
