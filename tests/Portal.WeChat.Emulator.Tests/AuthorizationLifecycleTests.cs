using System.Text.Json;
using Portal.WeChat.Protocol.Xml;
using static Portal.WeChat.Emulator.Tests.EmulatorHarness;

namespace Portal.WeChat.Emulator.Tests;

public sealed class AuthorizationLifecycleTests
{
    private static async Task<(EmulatorHarness H, string Token)> StartAsync(params string[] settings)
    {
        var h = await EmulatorHarness.StartAsync(settings);
        return (h, await h.ComponentTokenAsync());
    }

    private static Task<JsonElement> QueryAuth(EmulatorHarness h, string token, string code)
        => h.PostAsync("/component/api_query_auth", new { component_appid = AppId, authorization_code = code }, token);

    private static Task<JsonElement> Refresh(EmulatorHarness h, string token, string appId, string refreshToken)
        => h.PostAsync("/component/api_authorizer_token", new { component_appid = AppId, authorizer_appid = appId, authorizer_refresh_token = refreshToken }, token);

    private static async Task<JsonElement> AuthorizeAsync(EmulatorHarness h, string token, string appId, IEnumerable<int>? sets = null)
    {
        var redirect = await h.AuthorizeAsync(await h.PreAuthCodeAsync(token), appId, sets);
        return (await QueryAuth(h, token, AuthCodeOf(redirect))).GetProperty("authorization_info");
    }

    [Fact]
    public async Task QueryAuth_ReturnsTokensAndGrantedSets_AndTheCodeIsSingleUse()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        var redirect = await h.AuthorizeAsync(await h.PreAuthCodeAsync(token), "wx1a2b3c4d5e6f7001", [1, 2, 15]);
        var info = (await QueryAuth(h, token, AuthCodeOf(redirect))).GetProperty("authorization_info");

        Assert.Equal("wx1a2b3c4d5e6f7001", info.GetProperty("authorizer_appid").GetString());
        Assert.Equal(7200, info.GetProperty("expires_in").GetInt32());
        Assert.StartsWith("refreshtoken@@@", info.GetProperty("authorizer_refresh_token").GetString());
        Assert.False(string.IsNullOrEmpty(info.GetProperty("authorizer_access_token").GetString()));
        Assert.Equal(new[] { 1, 2, 15 }, info.GetProperty("func_info").EnumerateArray().Select(f => f.GetProperty("funcscope_category").GetProperty("id").GetInt32()));
        Assert.Equal(0, info.GetProperty("func_info")[0].GetProperty("confirm_info").GetProperty("need_confirm").GetInt32());

        Assert.Equal(61009, ErrCode(await QueryAuth(h, token, AuthCodeOf(redirect))));
        Assert.Equal(61009, ErrCode(await QueryAuth(h, token, "queryauthcode@@@forged")));
    }

    [Fact]
    public async Task QueryAuth_After600Seconds_IsExpired()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        var redirect = await h.AuthorizeAsync(await h.PreAuthCodeAsync(token), "wx1a2b3c4d5e6f7001", [1]);
        h.Clock.Advance(TimeSpan.FromSeconds(600));
        var fresh = await h.ComponentTokenAsync();
        Assert.Equal(61010, ErrCode(await QueryAuth(h, fresh, AuthCodeOf(redirect))));
    }

    [Fact]
    public async Task Grant_MutuallyExclusiveSetHeldByAnotherPlatform_IsSilentlyDropped()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        var info = await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7103", [17, 18, 19]);
        Assert.Equal(new[] { 17, 19 }, info.GetProperty("func_info").EnumerateArray().Select(f => f.GetProperty("funcscope_category").GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task Grant_SetsOfTheOtherAccountKind_AreNotGranted()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        var info = await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7101", [1, 17, 18]);
        Assert.Equal(new[] { 17, 18 }, info.GetProperty("func_info").EnumerateArray().Select(f => f.GetProperty("funcscope_category").GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task Refresh_StableMode_ReturnsTheSameRefreshToken()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        var info = await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7001");
        var refresh = info.GetProperty("authorizer_refresh_token").GetString()!;

        var first = await Refresh(h, token, "wx1a2b3c4d5e6f7001", refresh);
        var second = await Refresh(h, token, "wx1a2b3c4d5e6f7001", refresh);
        Assert.Equal(refresh, first.GetProperty("authorizer_refresh_token").GetString());
        Assert.Equal(refresh, second.GetProperty("authorizer_refresh_token").GetString());
        Assert.NotEqual(first.GetProperty("authorizer_access_token").GetString(), second.GetProperty("authorizer_access_token").GetString());
        Assert.Equal(61023, ErrCode(await Refresh(h, token, "wx1a2b3c4d5e6f7001", "refreshtoken@@@wrong")));
    }

    [Fact]
    public async Task Refresh_RotateMode_ReturnsANewRefreshTokenAndTheOldOneDiesAtOnce()
    {
        var (h, token) = await StartAsync("RefreshTokenMode=Rotate");
        await using var _ = h;
        var info = await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7001");
        var old = info.GetProperty("authorizer_refresh_token").GetString()!;

        var rotated = (await Refresh(h, token, "wx1a2b3c4d5e6f7001", old)).GetProperty("authorizer_refresh_token").GetString()!;
        Assert.NotEqual(old, rotated);
        Assert.Equal(61023, ErrCode(await Refresh(h, token, "wx1a2b3c4d5e6f7001", old)));
        Assert.Equal(0, ErrCode(await Refresh(h, token, "wx1a2b3c4d5e6f7001", rotated)));
    }

    [Fact]
    public async Task Refresh_ModeCanBeSwitchedAtRunTime()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        var old = (await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7001")).GetProperty("authorizer_refresh_token").GetString()!;
        await h.AdminAsync("settings?refreshTokenMode=Rotate");
        Assert.NotEqual(old, (await Refresh(h, token, "wx1a2b3c4d5e6f7001", old)).GetProperty("authorizer_refresh_token").GetString());
    }

    [Fact]
    public async Task ReAuthorization_InvalidatesThePreviousRefreshToken()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        var old = (await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7001")).GetProperty("authorizer_refresh_token").GetString()!;
        var renewed = (await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7001")).GetProperty("authorizer_refresh_token").GetString()!;
        Assert.NotEqual(old, renewed);
        Assert.Equal(61023, ErrCode(await Refresh(h, token, "wx1a2b3c4d5e6f7001", old)));
    }

    [Fact]
    public async Task Revoke_PushesUnauthorized_AndEveryCallAfterIs61003()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        var info = await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7001");
        var accessToken = info.GetProperty("authorizer_access_token").GetString()!;

        var result = await h.AdminAsync("accounts/wx1a2b3c4d5e6f7001/revoke");
        Assert.True(result.GetProperty("delivered").GetBoolean());
        var push = await h.Receiver.WaitForPushAsync(p => p.Push is UnauthorizedPush);
        Assert.Equal("wx1a2b3c4d5e6f7001", ((UnauthorizedPush)push.Push).AuthorizerAppId);

        Assert.Equal(61003, ErrCode(await Refresh(h, token, "wx1a2b3c4d5e6f7001", info.GetProperty("authorizer_refresh_token").GetString()!)));
        Assert.Equal(61003, ErrCode(await h.PostAsync("/component/api_get_authorizer_info", new { component_appid = AppId, authorizer_appid = "wx1a2b3c4d5e6f7001" }, token)));
        Assert.Equal(40001, ErrCode(await h.PostAsync("/message/custom/send", new { touser = "o1", msgtype = "text", text = new { content = "x" } }, accessToken, "access_token")));
    }

    [Fact]
    public async Task ChangeSets_PushesUpdateAuthorizedWithAUsableCode()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7001", [1, 2]);
        await h.AdminAsync("accounts/wx1a2b3c4d5e6f7001/sets?sets=1,2,3,15");
        var push = (UpdateAuthorizedPush)(await h.Receiver.WaitForPushAsync(p => p.Push is UpdateAuthorizedPush)).Push;
        var info = (await QueryAuth(h, token, push.Grant.AuthorizationCode)).GetProperty("authorization_info");
        Assert.Equal(new[] { 1, 2, 3, 15 }, info.GetProperty("func_info").EnumerateArray().Select(f => f.GetProperty("funcscope_category").GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task AuthorizerInfo_OfficialAccountAndMiniProgram_HaveRealisticDetails()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        var refresh = (await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7001")).GetProperty("authorizer_refresh_token").GetString();
        await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7101");

        var oa = await h.PostAsync("/component/api_get_authorizer_info", new { component_appid = AppId, authorizer_appid = "wx1a2b3c4d5e6f7001" }, token);
        var a = oa.GetProperty("authorizer_info");
        Assert.Equal("好味道餐厅", a.GetProperty("nick_name").GetString());
        Assert.StartsWith("gh_", a.GetProperty("user_name").GetString());
        Assert.Equal(2, a.GetProperty("service_type_info").GetProperty("id").GetInt32());
        Assert.Equal(0, a.GetProperty("verify_type_info").GetProperty("id").GetInt32());
        Assert.Equal(JsonValueKind.Number, a.GetProperty("business_info").GetProperty("open_pay").ValueKind);
        Assert.Equal(1, a.GetProperty("account_status").GetInt32());
        Assert.False(a.TryGetProperty("MiniProgramInfo", out JsonElement _));
        Assert.Equal(refresh, oa.GetProperty("authorization_info").GetProperty("authorizer_refresh_token").GetString());

        var mp = (await h.PostAsync("/component/api_get_authorizer_info", new { component_appid = AppId, authorizer_appid = "wx1a2b3c4d5e6f7101" }, token)).GetProperty("authorizer_info");
        Assert.Equal(16, mp.GetProperty("MiniProgramInfo").GetProperty("network").EnumerateObject().Count());
        Assert.Equal("餐饮", mp.GetProperty("MiniProgramInfo").GetProperty("categories")[0].GetProperty("first").GetString());

        await h.AdminAsync("accounts/wx1a2b3c4d5e6f7001/status?status=16");
        var banned = await h.PostAsync("/component/api_get_authorizer_info", new { component_appid = AppId, authorizer_appid = "wx1a2b3c4d5e6f7001" }, token);
        Assert.Equal(16, banned.GetProperty("authorizer_info").GetProperty("account_status").GetInt32());
    }

    [Fact]
    public async Task AuthorizerList_PagesWithRefreshTokenKey_AndCapsCountAt500()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7001");
        await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7002");
        await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7101");

        var page1 = await h.PostAsync("/component/api_get_authorizer_list", new { component_appid = AppId, offset = 0, count = 2 }, token);
        var page2 = await h.PostAsync("/component/api_get_authorizer_list", new { component_appid = AppId, offset = 2, count = 2 }, token);
        Assert.Equal(3, page1.GetProperty("total_count").GetInt32());
        Assert.Equal(2, page1.GetProperty("list").GetArrayLength());
        Assert.Equal(1, page2.GetProperty("list").GetArrayLength());
        var item = page1.GetProperty("list")[0];
        Assert.StartsWith("refreshtoken@@@", item.GetProperty("refresh_token").GetString());
        Assert.True(item.GetProperty("auth_time").GetInt64() > 1_700_000_000);
        Assert.Equal(47001, ErrCode(await h.PostAsync("/component/api_get_authorizer_list", new { component_appid = AppId, offset = 0, count = 501 }, token)));
    }

    [Fact]
    public async Task AuthorizerOptions_GetAndSet_ValidateNamesAndValues()
    {
        var (h, token) = await StartAsync();
        await using var _ = h;
        await AuthorizeAsync(h, token, "wx1a2b3c4d5e6f7001");
        object Body(string name, string? value = null) => value is null
            ? new { component_appid = AppId, authorizer_appid = "wx1a2b3c4d5e6f7001", option_name = name }
            : new { component_appid = AppId, authorizer_appid = "wx1a2b3c4d5e6f7001", option_name = name, option_value = value };

        Assert.Equal(0, ErrCode(await h.PostAsync("/component/api_set_authorizer_option", Body("voice_recognize", "1"), token)));
        var got = await h.PostAsync("/component/api_get_authorizer_option", Body("voice_recognize"), token);
        Assert.Equal("1", got.GetProperty("option_value").GetString());
        Assert.Equal("wx1a2b3c4d5e6f7001", got.GetProperty("authorizer_appid").GetString());
        Assert.Equal(61012, ErrCode(await h.PostAsync("/component/api_get_authorizer_option", Body("nonsense"), token)));
        Assert.Equal(61013, ErrCode(await h.PostAsync("/component/api_set_authorizer_option", Body("location_report", "7"), token)));
    }
}
