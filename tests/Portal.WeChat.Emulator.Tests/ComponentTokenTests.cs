using static Portal.WeChat.Emulator.Tests.EmulatorHarness;

namespace Portal.WeChat.Emulator.Tests;

public sealed class ComponentTokenTests : IAsyncLifetime
{
    private EmulatorHarness _h = default!;

    public async Task InitializeAsync() => _h = await StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task ApiComponentToken_ValidTicket_IssuesTokenFor7200Seconds()
    {
        var answer = await _h.PostAsync("/component/api_component_token", new { component_appid = AppId, component_appsecret = Secret, component_verify_ticket = await _h.TicketAsync() });
        Assert.Equal(7200, answer.GetProperty("expires_in").GetInt32());
        Assert.Matches("^[0-9]{2}_[A-Za-z0-9_-]{100,}$", answer.GetProperty("component_access_token").GetString());
        Assert.False(answer.TryGetProperty("errcode", out _));
    }

    [Theory]
    [InlineData("wx0000000000000000", Secret, 40013)]
    [InlineData(AppId, "wrong-secret", 40125)]
    [InlineData("", Secret, 41002)]
    [InlineData(AppId, "", 41004)]
    public async Task ApiComponentToken_BadCredentials_AreRejected(string appId, string secret, int expected)
    {
        var answer = await _h.PostAsync("/component/api_component_token", new { component_appid = appId, component_appsecret = secret, component_verify_ticket = await _h.TicketAsync() });
        Assert.Equal(expected, ErrCode(answer));
        Assert.Matches(" rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$", answer.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task ApiComponentToken_UnknownTicket_Is61006_AndATicketOlderThan12Hours_Is61005()
    {
        var unknown = await _h.PostAsync("/component/api_component_token", new { component_appid = AppId, component_appsecret = Secret, component_verify_ticket = "ticket@@@forged" });
        Assert.Equal(61006, ErrCode(unknown));

        var ticket = await _h.TicketAsync();
        _h.Clock.Advance(TimeSpan.FromHours(12));
        var expired = await _h.PostAsync("/component/api_component_token", new { component_appid = AppId, component_appsecret = Secret, component_verify_ticket = ticket });
        Assert.Equal(61005, ErrCode(expired));
    }

    [Fact]
    public async Task Ticket_RotatesNowAndThen_NotOnEveryPush()
    {
        var first = await _h.TicketAsync();
        Assert.StartsWith("ticket@@@", first);
        Assert.Equal(first, await _h.TicketAsync());
        _h.Clock.Advance(TimeSpan.FromHours(1));
        Assert.NotEqual(first, await _h.TicketAsync());
    }

    [Fact]
    public async Task ComponentToken_Expires_AndTheSupersededOneLastsOnlyTheGracePeriod()
    {
        var first = await _h.ComponentTokenAsync();
        Assert.Equal(0, ErrCode(await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, first)));

        var second = await _h.ComponentTokenAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, ErrCode(await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, first)));
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(40001, ErrCode(await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, first)));

        _h.Clock.Advance(TimeSpan.FromSeconds(7200));
        Assert.Equal(42001, ErrCode(await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, second)));
    }

    [Fact]
    public async Task TokenParameter_BothNamesAccepted_MissingOrWrongRejected()
    {
        var token = await _h.ComponentTokenAsync();
        Assert.Equal(0, ErrCode(await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, token, "access_token")));
        Assert.Equal(0, ErrCode(await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, token, "component_access_token")));
        Assert.Equal(41001, ErrCode(await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId })));
        Assert.Equal(40001, ErrCode(await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, "12_not-a-token")));
    }

    [Fact]
    public async Task PreAuthCode_IsFreshEachTimeAndValid1800Seconds()
    {
        var token = await _h.ComponentTokenAsync();
        var a = await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, token);
        var b = await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, token);
        Assert.Equal(1800, a.GetProperty("expires_in").GetInt32());
        Assert.NotEqual(a.GetProperty("pre_auth_code").GetString(), b.GetProperty("pre_auth_code").GetString());
        Assert.Equal(61011, ErrCode(await _h.PostAsync("/component/api_create_preauthcode", new { component_appid = "wx0000000000000000" }, token)));
    }

    [Fact]
    public async Task MalformedBody_IsDataFormatError()
    {
        var token = await _h.ComponentTokenAsync();
        using var response = await _h.Http.PostAsync($"{_h.BaseUrl}/api/cgi-bin/component/api_create_preauthcode?component_access_token={token}", new StringContent("{not json"));
        Assert.Contains("\"errcode\":47001", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StartPushTicket_UsesComponentSecret_AndPushesAtOnce()
    {
        var before = _h.Receiver.Pushes.Count;
        var answer = await _h.PostAsync("/component/api_start_push_ticket", new { component_appid = AppId, component_secret = Secret });
        Assert.Equal(0, ErrCode(answer));
        Assert.Equal("in a normal state", answer.GetProperty("errmsg").GetString());
        await _h.Receiver.WaitForPushAsync(p => p.Push is Protocol.Xml.ComponentVerifyTicketPush && _h.Receiver.Pushes.ToList().IndexOf(p) >= before);

        await _h.AdminAsync("tickets/stop");
        var restarted = await _h.PostAsync("/component/api_start_push_ticket", new { component_appid = AppId, component_secret = Secret });
        Assert.Equal("ok", restarted.GetProperty("errmsg").GetString());
        Assert.True((await _h.AdminAsync("state", HttpMethod.Get)).GetProperty("ticketPushes").GetBoolean());

        Assert.Equal(41004, ErrCode(await _h.PostAsync("/component/api_start_push_ticket", new { component_appid = AppId, component_appsecret = Secret })));
        Assert.Equal(40125, ErrCode(await _h.PostAsync("/component/api_start_push_ticket", new { component_appid = AppId, component_secret = "wrong" })));
    }
}
