using Portal.WeChat.Protocol.Links;

namespace Portal.WeChat.Protocol.Tests;

public class AuthorizationLinkBuilderTests
{
    private static readonly AuthorizationLinkBuilder Builder = new();

    [Fact]
    public void BuildPcLink_AllParameters_EncodesRedirectAndJoinsCategories()
    {
        var link = Builder.BuildPcLink(new AuthorizationLinkRequest(
            "wxcomponent", "preauthcode@@@A-b_c", "https://portal.example.com/onboarding/callback?invite=abc&x=1",
            AuthType.OfficialAccount, "wx570bc396a51b8ff8", [1, 2, 15]));

        Assert.Equal(
            "https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=wxcomponent&pre_auth_code=preauthcode%40%40%40A-b_c" +
            "&redirect_uri=https%3A%2F%2Fportal.example.com%2Fonboarding%2Fcallback%3Finvite%3Dabc%26x%3D1" +
            "&auth_type=1&biz_appid=wx570bc396a51b8ff8&category_id_list=1%7C2%7C15",
            link);
    }

    [Fact]
    public void BuildMobileLink_HasFixedActionNoScanAndWeChatRedirectFragment()
    {
        var link = Builder.BuildMobileLink(new AuthorizationLinkRequest("wxc", "code", "https://p.example.com/cb", AuthType.All));
        Assert.Equal(
            "https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=wxc&pre_auth_code=code" +
            "&redirect_uri=https%3A%2F%2Fp.example.com%2Fcb&auth_type=6#wechat_redirect",
            link);
    }

    [Fact]
    public void Build_OptionalParametersAbsent_AreOmitted()
    {
        var link = Builder.BuildPcLink(new AuthorizationLinkRequest("wxc", "code", "https://p.example.com/cb"));
        Assert.DoesNotContain("auth_type", link);
        Assert.DoesNotContain("biz_appid", link);
        Assert.DoesNotContain("category_id_list", link);
    }

    [Fact]
    public void Build_ConfiguredBaseHosts_AreUsed()
    {
        var emulator = new AuthorizationLinkBuilder("http://127.0.0.1:5080/_emulator/mp/", "http://127.0.0.1:5080/_emulator/open");
        var request = new AuthorizationLinkRequest("wxc", "code", "http://127.0.0.1:5080/cb");
        Assert.StartsWith("http://127.0.0.1:5080/_emulator/mp/cgi-bin/componentloginpage?", emulator.BuildPcLink(request));
        Assert.StartsWith("http://127.0.0.1:5080/_emulator/open/wxaopen/safe/bindcomponent?action=bindcomponent", emulator.BuildMobileLink(request));
    }

    [Fact]
    public void Build_RedirectWithHash_IsRejectedWithExplanation()
    {
        var ex = Assert.Throws<ArgumentException>(() => Builder.BuildPcLink(new AuthorizationLinkRequest("wxc", "code", "https://p.example.com/app/#/callback")));
        Assert.Contains("must not contain '#'", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/relative/path")]
    [InlineData("ftp://p.example.com/cb")]
    public void Build_BadRedirect_IsRejected(string redirect)
    {
        Assert.Throws<ArgumentException>(() => Builder.BuildPcLink(new AuthorizationLinkRequest("wxc", "code", redirect)));
    }

    [Fact]
    public void Build_AuthTypeOutOfRange_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => Builder.BuildPcLink(new AuthorizationLinkRequest("wxc", "code", "https://p/cb", (AuthType)7)));
        Assert.Throws<ArgumentException>(() => Builder.BuildPcLink(new AuthorizationLinkRequest("wxc", "code", "https://p/cb", (AuthType)0)));
    }

    [Fact]
    public void Build_MissingPreAuthCode_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => Builder.BuildPcLink(new AuthorizationLinkRequest("wxc", " ", "https://p/cb")));
    }

    [Fact]
    public void Request_ToString_HidesPreAuthCode()
    {
        Assert.DoesNotContain("secretcode", new AuthorizationLinkRequest("wxc", "secretcode", "https://p/cb").ToString());
    }
}
