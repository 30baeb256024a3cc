using System.Text.Json;
using Portal.WeChat.Protocol.Xml;
using static Portal.WeChat.Emulator.Tests.EmulatorHarness;

namespace Portal.WeChat.Emulator.Tests;

public sealed class OperationsTests
{
    [Fact]
    public async Task DailyQuota_Exceeded_Is45009_UntilClearQuotaOrTheNextBeijingDay()
    {
        await using var h = await EmulatorHarness.StartAsync("DailyQuotas:api_create_preauthcode=2");
        var token = await h.ComponentTokenAsync();
        Task<JsonElement> Call() => h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, token);

        Assert.Equal(0, ErrCode(await Call()));
        Assert.Equal(0, ErrCode(await Call()));
        Assert.Equal(45009, ErrCode(await Call()));

        Assert.Equal(40125, ErrCode(await h.PostAsync("/component/clear_quota/v2", new { component_appid = AppId, appsecret = "wrong" })));
        Assert.Equal(0, ErrCode(await h.PostAsync("/component/clear_quota/v2", new { component_appid = AppId, appsecret = Secret })));
        Assert.Equal(0, ErrCode(await Call()));
        Assert.Equal(0, ErrCode(await Call()));
        Assert.Equal(45009, ErrCode(await Call()));

        // 02:00 UTC is 10:00 in Beijing; 14 hours later it is the next day there.
        h.Clock.Advance(TimeSpan.FromHours(14));
        var fresh = await h.ComponentTokenAsync();
        Assert.Equal(0, ErrCode(await h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, fresh)));
    }

    [Fact]
    public async Task ClearQuota_IsLimitedPerMonth()
    {
        await using var h = await EmulatorHarness.StartAsync("MonthlyQuotaClears=1");
        Assert.Equal(0, ErrCode(await h.PostAsync("/component/clear_quota/v2", new { component_appid = AppId, appsecret = Secret })));
        Assert.Equal(48006, ErrCode(await h.PostAsync("/component/clear_quota/v2", new { component_appid = AppId, appsecret = Secret })));
    }

    [Fact]
    public async Task IpAllowList_CallerNotListed_Is61004()
    {
        await using var h = await EmulatorHarness.StartAsync("IpAllowList:0=10.9.9.9");
        var answer = await h.PostAsync("/component/api_component_token", new { component_appid = AppId, component_appsecret = Secret, component_verify_ticket = "x" });
        Assert.Equal(61004, ErrCode(answer));
        Assert.StartsWith("access clientip is not registered", answer.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Faults_NextNCallsSystemErrorThenNormal()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var token = await h.ComponentTokenAsync();
        await h.AdminAsync("faults?target=api_create_preauthcode&kind=SystemError&count=2");
        Task<JsonElement> Call() => h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, token);
        Assert.Equal(-1, ErrCode(await Call()));
        Assert.Equal(-1, ErrCode(await Call()));
        Assert.Equal(0, ErrCode(await Call()));
        Assert.Empty((await h.AdminAsync("faults", HttpMethod.Get)).EnumerateArray());
    }

    [Theory]
    [InlineData("Http500", 500)]
    [InlineData("Http502", 502)]
    public async Task Faults_HttpErrors(string kind, int status)
    {
        await using var h = await EmulatorHarness.StartAsync();
        await h.AdminAsync($"faults?target=*&kind={kind}&count=1");
        using var response = await h.Http.PostAsync(h.BaseUrl + "/api/cgi-bin/component/api_component_token", new StringContent("{}"));
        Assert.Equal(status, (int)response.StatusCode);
    }

    [Fact]
    public async Task Faults_TimeoutNeverAnswers_LatencyDelays()
    {
        await using var h = await EmulatorHarness.StartAsync();
        await h.AdminAsync("faults?target=api_component_token&kind=Timeout&count=1");
        using var shortClient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => shortClient.PostAsync(h.BaseUrl + "/api/cgi-bin/component/api_component_token", new StringContent("{}")));

        await h.AdminAsync("faults?target=api_component_token&kind=Latency&latencyMs=300&count=1");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await h.PostAsync("/component/api_component_token", new { component_appid = AppId });
        Assert.True(watch.ElapsedMilliseconds >= 280, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Faults_DroppedPushIsRecordedAndNotSent()
    {
        await using var h = await EmulatorHarness.StartAsync();
        await h.AdminAsync("faults?target=push:component_verify_ticket&kind=DropPush&count=1");
        var result = await h.AdminAsync("tickets/push");
        Assert.False(result.GetProperty("delivered").GetBoolean());
        Assert.Empty(h.Receiver.Pushes);
        Assert.Contains((await h.AdminAsync("pushes", HttpMethod.Get)).EnumerateArray(), p => p.GetProperty("outcome").GetString() == "dropped (fault)");
    }

    [Fact]
    public async Task Push_NotAnsweredSuccess_IsRetriedUpTo3TimesThenRecordedFailed()
    {
        await using var h = await EmulatorHarness.StartAsync();
        h.Receiver.AnswerNext("fail", "");
        Assert.True((await h.AdminAsync("tickets/push")).GetProperty("delivered").GetBoolean());
        Assert.Equal(3, h.Receiver.Pushes.Count);

        h.Receiver.AnswerNext("no", "no", "no", "no");
        Assert.False((await h.AdminAsync("tickets/push")).GetProperty("delivered").GetBoolean());
        var pushes = (await h.AdminAsync("pushes", HttpMethod.Get)).EnumerateArray().ToList();
        Assert.Equal(4, pushes.Count(p => p.GetProperty("attempt").GetInt32() >= 1 && p.GetProperty("outcome").GetString() != "success" && pushes.IndexOf(p) >= 3));
        Assert.Equal("failed", pushes.Last().GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task TicketPushes_ComeAtStartAndEveryInterval_OnTheEmulatedClock()
    {
        await using var h = await EmulatorHarness.StartAsync("AutoPushTickets=true", "TicketPushInterval=00:10:00");
        await h.Receiver.WaitForPushAsync(p => p.Push is ComponentVerifyTicketPush);
        Assert.Single(h.Receiver.Pushes);

        h.Clock.Advance(TimeSpan.FromMinutes(10));
        await h.Receiver.WaitForPushAsync(_ => h.Receiver.Pushes.Count >= 2);

        await h.AdminAsync("tickets/stop");
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        await Task.Delay(300);
        Assert.Equal(2, h.Receiver.Pushes.Count);
    }

    [Fact]
    public async Task CallRecord_ListsWhatWasSentWithSecretsMasked_AndCanBeCleared()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var token = await h.ComponentTokenAsync();
        await h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, token);

        var calls = (await h.AdminAsync("calls", HttpMethod.Get)).EnumerateArray().ToList();
        var tokenCall = calls.Single(c => c.GetProperty("api").GetString() == "api_component_token");
        Assert.Equal("***", tokenCall.GetProperty("parameters").GetProperty("component_appsecret").GetString());
        Assert.StartsWith("***", tokenCall.GetProperty("parameters").GetProperty("component_verify_ticket").GetString());
        var preAuth = calls.Single(c => c.GetProperty("api").GetString() == "api_create_preauthcode");
        Assert.Equal("***" + token[^4..], preAuth.GetProperty("parameters").GetProperty("component_access_token").GetString());
        Assert.Equal(0, preAuth.GetProperty("errCode").GetInt32());
        Assert.DoesNotContain(Secret, (await h.Http.GetStringAsync(h.BaseUrl + "/admin/api/calls")));

        await h.AdminAsync("calls", HttpMethod.Delete);
        Assert.Empty((await h.AdminAsync("calls", HttpMethod.Get)).EnumerateArray());
    }

    [Fact]
    public async Task AdminPage_RendersAndResetForgetsEverything()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var token = await h.ComponentTokenAsync();
        var html = await h.Http.GetStringAsync(h.BaseUrl + "/admin");
        Assert.Contains("WeChat emulator", html);
        Assert.Contains("全网发布测试公众号1", html);
        Assert.DoesNotContain("<script src", html);

        await h.AdminAsync("reset");
        Assert.Equal(40001, ErrCode(await h.PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, token)));
    }

    [Fact]
    public async Task CustomSend_RequiresAValidAuthorizerTokenAndTextShape()
    {
        await using var h = await EmulatorHarness.StartAsync();
        Assert.Equal(40001, ErrCode(await h.PostAsync("/message/custom/send", new { touser = "o1", msgtype = "text", text = new { content = "x" } }, "12_bogus", "access_token")));
    }
}
