using System.Net;
using AngleSharp.Html.Parser;
using Portal.WeChat.Protocol.Xml;
using static Portal.WeChat.Emulator.Tests.EmulatorHarness;

namespace Portal.WeChat.Emulator.Tests;

public sealed class AuthorizationPageTests : IAsyncLifetime
{
    private EmulatorHarness _h = default!;
    private string _token = default!;

    public async Task InitializeAsync()
    {
        _h = await StartAsync();
        _token = await _h.ComponentTokenAsync();
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static List<string> ListedAccounts(string html)
        => new HtmlParser().ParseDocument(html).QuerySelectorAll("input[name=appid]").Select(e => e.GetAttribute("value")!).ToList();

    private static List<int> OfferedSets(string html)
        => new HtmlParser().ParseDocument(html).QuerySelectorAll("input[name=set]").Select(e => int.Parse(e.GetAttribute("value")!)).ToList();

    [Fact]
    public async Task Page_WithoutReferer_ShowsDomainErrorWithEmptyEntryDomain()
    {
        var (status, html, error) = await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token)), referer: null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("-14", error);
        Assert.Contains("授权入口页所在域名：空", html);
    }

    [Fact]
    public async Task Page_FromAnotherDomain_ShowsThatDomain()
    {
        var (_, html, error) = await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token)), referer: "https://evil.example.com/x");
        Assert.Equal("-14", error);
        Assert.Contains("授权入口页所在域名：evil.example.com", html);
    }

    [Fact]
    public async Task Page_RedirectUriOnAnotherDomain_IsRefused()
    {
        var (_, _, error) = await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token), "https://other.example.com/cb"));
        Assert.Equal("-14", error);
    }

    [Theory]
    [InlineData("pre_auth_code=x&redirect_uri=https%3A%2F%2Fportal.test%2Fcb", "-306")]
    [InlineData("component_appid=wx0123456789abcdef&redirect_uri=https%3A%2F%2Fportal.test%2Fcb", "-307")]
    [InlineData("component_appid=wx0123456789abcdef&pre_auth_code=x", "-308")]
    [InlineData("component_appid=wx9999999999999999&pre_auth_code=x&redirect_uri=https%3A%2F%2Fportal.test%2Fcb", "-305")]
    [InlineData("component_appid=wx0123456789abcdef&pre_auth_code=preauthcode@@@unknown&redirect_uri=https%3A%2F%2Fportal.test%2Fcb", "-11")]
    public async Task Page_BadParameters_ShowThePageErrorCodes(string query, string expected)
    {
        var (_, _, error) = await _h.OpenPageAsync(query);
        Assert.Equal(expected, error);
    }

    [Fact]
    public async Task Page_ExpiredPreAuthCode_IsInvalid()
    {
        var code = await _h.PreAuthCodeAsync(_token);
        _h.Clock.Advance(TimeSpan.FromSeconds(1800));
        Assert.Equal("-11", (await _h.OpenPageAsync(_h.PageQuery(code))).ErrorCode);
    }

    [Fact]
    public async Task Page_AuthType_FiltersKinds_AndHidesBannedAccounts()
    {
        var oa = ListedAccounts((await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token), extra: "&auth_type=1"))).Html);
        var mp = ListedAccounts((await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token), extra: "&auth_type=2"))).Html);
        var both = ListedAccounts((await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token), extra: "&auth_type=3"))).Html);

        Assert.Contains("wx1a2b3c4d5e6f7001", oa);
        Assert.DoesNotContain("wx1a2b3c4d5e6f7101", oa);
        Assert.Contains("wx1a2b3c4d5e6f7101", mp);
        Assert.DoesNotContain("wx1a2b3c4d5e6f7001", mp);
        Assert.Equal(oa.Count + mp.Count, both.Count);
        Assert.Contains("wx570bc396a51b8ff8", oa);
        Assert.Contains("wx1a2b3c4d5e6f7004", oa);
        Assert.DoesNotContain("wx1a2b3c4d5e6f7005", both);
    }

    [Fact]
    public async Task Page_BizAppId_ListsOnlyThatAccount_EvenAgainstAuthType()
    {
        var html = (await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token), extra: "&auth_type=1&biz_appid=wx1a2b3c4d5e6f7101"))).Html;
        Assert.Equal(new[] { "wx1a2b3c4d5e6f7101" }, ListedAccounts(html));
        Assert.Equal("-19", (await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token), extra: "&biz_appid=wx1a2b3c4d5e6f7005"))).ErrorCode);
    }

    [Fact]
    public async Task Page_CategoryIdList_RestrictsOfferedSets()
    {
        var html = (await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token), extra: "&category_id_list=1%7C2%7C15"))).Html;
        Assert.Equal(new[] { 1, 2, 15 }, OfferedSets(html).Order());
        Assert.True(OfferedSets((await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token)))).Html).Count > 50);
    }

    [Fact]
    public async Task MobilePages_RequireActionAndServeBothPaths()
    {
        var code = await _h.PreAuthCodeAsync(_token);
        var query = "action=bindcomponent&no_scan=1&" + _h.PageQuery(code);
        Assert.Null((await _h.OpenPageAsync(query, path: "/open/wxaopen/safe/bindcomponent")).ErrorCode);
        Assert.Null((await _h.OpenPageAsync(query, path: "/mp/safe/bindcomponent")).ErrorCode);
        Assert.Equal("-13", (await _h.OpenPageAsync(_h.PageQuery(code), path: "/open/wxaopen/safe/bindcomponent")).ErrorCode);
    }

    [Fact]
    public async Task Confirm_RedirectsWithAuthCode_PushesAuthorized_AndConsumesThePreAuthCode()
    {
        var preAuthCode = await _h.PreAuthCodeAsync(_token);
        var redirect = await _h.AuthorizeAsync(preAuthCode, "wx1a2b3c4d5e6f7001", [1, 2, 15]);

        Assert.StartsWith(_h.RedirectUri + "&auth_code=queryauthcode%40%40%40", redirect.OriginalString);
        Assert.EndsWith("&expires_in=600", redirect.OriginalString);

        var received = await _h.Receiver.WaitForPushAsync(p => p.Push is AuthorizedPush);
        var grant = ((AuthorizedPush)received.Push).Grant;
        Assert.Equal("wx1a2b3c4d5e6f7001", grant.AuthorizerAppId);
        Assert.Equal(AuthCodeOf(redirect), grant.AuthorizationCode);
        Assert.Equal(preAuthCode, grant.PreAuthCode);
        Assert.Equal(_h.Clock.GetUtcNow().ToUnixTimeSeconds() + 600, grant.AuthorizationCodeExpiredTime);
        Assert.Equal(AppId, received.EnvelopeAppId);
        Assert.Equal(new[] { "encrypt_type", "msg_signature", "nonce", "signature", "timestamp" }, received.Query.Keys.Order());
        Assert.Equal("aes", received.Query["encrypt_type"]);

        Assert.Equal("-28", (await _h.OpenPageAsync(_h.PageQuery(preAuthCode))).ErrorCode);
    }

    [Fact]
    public async Task Confirm_RedirectWithFragment_InsertsQueryBeforeIt()
    {
        var redirect = await _h.AuthorizeAsync(await _h.PreAuthCodeAsync(_token), "wx1a2b3c4d5e6f7001", [1], redirectUri: $"https://{Domain}/app/#/done");
        Assert.Matches($"^https://{Domain}/app/\\?auth_code=[^#]+&expires_in=600#/done$", redirect.OriginalString);
    }

    [Fact]
    public async Task Confirm_AgainForAnAuthorizedAccount_PushesUpdateAuthorized()
    {
        await _h.AuthorizeAsync(await _h.PreAuthCodeAsync(_token), "wx1a2b3c4d5e6f7002", [1]);
        await _h.AuthorizeAsync(await _h.PreAuthCodeAsync(_token), "wx1a2b3c4d5e6f7002", [1, 2]);
        await _h.Receiver.WaitForPushAsync(p => p.Push is UpdateAuthorizedPush u && u.Grant.AuthorizerAppId == "wx1a2b3c4d5e6f7002");
    }

    [Fact]
    public async Task Confirm_UsedPageSession_IsRefused()
    {
        var (_, html, _) = await _h.OpenPageAsync(_h.PageQuery(await _h.PreAuthCodeAsync(_token)));
        var session = new HtmlParser().ParseDocument(html).QuerySelector("input[name=session]")!.GetAttribute("value")!;
        var form = new Dictionary<string, string> { ["session"] = session, ["appid"] = "wx1a2b3c4d5e6f7001", ["decision"] = "confirm", ["set"] = "1" };
        using var first = await _h.Http.PostAsync(_h.BaseUrl + "/mp/cgi-bin/componentloginpage/confirm", new FormUrlEncodedContent(form));
        using var second = await _h.Http.PostAsync(_h.BaseUrl + "/mp/cgi-bin/componentloginpage/confirm", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("-12", second.Headers.GetValues("X-Emulator-Error").Single());
    }
}
