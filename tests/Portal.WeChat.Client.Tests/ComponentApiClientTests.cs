using System.Net;
using System.Text.Json;
using Portal.WeChat.Client.Models;
using Portal.WeChat.Protocol.Errors;

namespace Portal.WeChat.Client.Tests;

public class ComponentApiClientTests
{
    private const string Token = "SECRET-component-token-1234567890";

    [Fact]
    public async Task GetComponentAccessToken_SendsAppIdSecretAndTicketWithoutTokenInUrl()
    {
        using var h = new ClientHarness(new RecordingTransport().Answer("""{"component_access_token":"abc","expires_in":7200}"""));
        var r = await h.Client.GetComponentAccessTokenAsync(new GetComponentAccessTokenRequest("ticket@@@x"));

        Assert.Equal("abc", r.ComponentAccessToken);
        var (method, uri, body) = h.Transport.Requests.Single();
        Assert.Equal("POST", method);
        Assert.Equal("https://api.example.test/cgi-bin/component/api_component_token", uri.ToString());
        using var json = JsonDocument.Parse(body);
        Assert.Equal("wxcomponent0000001", json.RootElement.GetProperty("component_appid").GetString());
        Assert.Equal("component-secret-value", json.RootElement.GetProperty("component_appsecret").GetString());
        Assert.Equal("ticket@@@x", json.RootElement.GetProperty("component_verify_ticket").GetString());
    }

    [Fact]
    public async Task StartPushTicket_UsesComponentSecretKeyAndNoToken()
    {
        using var h = new ClientHarness(new RecordingTransport().Answer("""{"errcode":0,"errmsg":"ok"}"""));
        await h.Client.StartPushTicketAsync(new StartPushTicketRequest());

        var (_, uri, body) = h.Transport.Requests.Single();
        Assert.Equal("/cgi-bin/component/api_start_push_ticket", uri.AbsolutePath);
        Assert.Empty(uri.Query);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("component-secret-value", json.RootElement.GetProperty("component_secret").GetString());
        Assert.False(json.RootElement.TryGetProperty("component_appsecret", out _));
    }

    [Fact]
    public async Task ComponentTokenApis_PutTokenInComponentAccessTokenParameter()
    {
        using var h = new ClientHarness(new RecordingTransport()
            .Answer("""{"pre_auth_code":"p","expires_in":1800}""")
            .Answer("""{"authorization_info":{"authorizer_appid":"wxa","func_info":[]}}""")
            .Answer("""{"authorizer_access_token":"x","expires_in":7200,"authorizer_refresh_token":"r"}""")
            .Answer("""{"total_count":0,"list":[]}"""));

        await h.Client.CreatePreAuthCodeAsync(new CreatePreAuthCodeRequest(Token));
        await h.Client.QueryAuthorizationAsync(new QueryAuthorizationRequest(Token, "code@@@1"));
        await h.Client.RefreshAuthorizerTokenAsync(new RefreshAuthorizerTokenRequest(Token, "wxa", "refresh"));
        await h.Client.GetAuthorizerListAsync(new GetAuthorizerListRequest(Token, 0, 500));

        Assert.All(h.Transport.Requests, r => Assert.Equal("?component_access_token=" + Token, r.Uri.Query));
        using var query = JsonDocument.Parse(h.Transport.Requests[1].Body);
        Assert.Equal("code@@@1", query.RootElement.GetProperty("authorization_code").GetString());
        using var refresh = JsonDocument.Parse(h.Transport.Requests[2].Body);
        Assert.Equal("refresh", refresh.RootElement.GetProperty("authorizer_refresh_token").GetString());
        Assert.Equal("wxa", refresh.RootElement.GetProperty("authorizer_appid").GetString());
    }

    [Fact]
    public async Task SendCustomMessage_UsesAuthorizerAccessTokenAndTextShape()
    {
        using var h = new ClientHarness(new RecordingTransport().Answer("""{"errcode":0,"errmsg":"ok"}"""));
        await h.Client.SendCustomMessageAsync(new SendCustomMessageRequest("authorizer-token", "openid1", "code_from_api"));

        var (_, uri, body) = h.Transport.Requests.Single();
        Assert.Equal("/cgi-bin/message/custom/send", uri.AbsolutePath);
        Assert.Equal("?access_token=authorizer-token", uri.Query);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("openid1", json.RootElement.GetProperty("touser").GetString());
        Assert.Equal("text", json.RootElement.GetProperty("msgtype").GetString());
        Assert.Equal("code_from_api", json.RootElement.GetProperty("text").GetProperty("content").GetString());
    }

    [Fact]
    public async Task GetAuthorizerList_CountAbove500_IsRejectedBeforeSending()
    {
        using var h = new ClientHarness(new RecordingTransport());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => h.Client.GetAuthorizerListAsync(new GetAuthorizerListRequest(Token, 0, 501)));
        Assert.Empty(h.Transport.Requests);
    }

    [Fact]
    public async Task SystemBusy_IsRetriedUntilSuccess()
    {
        using var h = new ClientHarness(new RecordingTransport()
            .Answer("""{"errcode":-1,"errmsg":"system error"}""")
            .Answer("", HttpStatusCode.BadGateway)
            .Answer("""{"pre_auth_code":"p","expires_in":1800}"""));

        var r = await h.Client.CreatePreAuthCodeAsync(new CreatePreAuthCodeRequest(Token));
        Assert.Equal("p", r.PreAuthCode);
        Assert.Equal(3, h.Transport.Requests.Count);
    }

    [Fact]
    public async Task ConnectionFailure_IsRetried()
    {
        using var h = new ClientHarness(new RecordingTransport()
            .Throw(new HttpRequestException("connection refused"))
            .Answer("""{"pre_auth_code":"p","expires_in":1800}"""));

        Assert.Equal("p", (await h.Client.CreatePreAuthCodeAsync(new CreatePreAuthCodeRequest(Token))).PreAuthCode);
        Assert.Equal(2, h.Transport.Requests.Count);
    }

    [Theory]
    [InlineData(40001, WeChatErrorCategory.TokenInvalid)]
    [InlineData(42001, WeChatErrorCategory.TokenInvalid)]
    [InlineData(61023, WeChatErrorCategory.NeedsReauthorization)]
    [InlineData(45009, WeChatErrorCategory.Quota)]
    [InlineData(61010, WeChatErrorCategory.AuthorizationCodeInvalid)]
    public async Task WeChatError_IsNeverRetriedAndCarriesCategory(int code, WeChatErrorCategory category)
    {
        using var h = new ClientHarness(new RecordingTransport().Answer($$"""{"errcode":{{code}},"errmsg":"x rid: 64b0000"}"""));
        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => h.Client.QueryAuthorizationAsync(new QueryAuthorizationRequest(Token, "c")));

        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(category, ex.Category);
        Assert.Single(h.Transport.Requests);
    }

    [Fact]
    public async Task PersistentFailure_GivesUpAfterMaxRetriesAsRetryableError()
    {
        var transport = new RecordingTransport();
        for (var i = 0; i < 4; i++)
        {
            transport.Answer("""{"errcode":-1,"errmsg":"system error"}""");
        }

        using var h = new ClientHarness(transport, maxRetries: 3);
        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => h.Client.CreatePreAuthCodeAsync(new CreatePreAuthCodeRequest(Token)));
        Assert.Equal(-1, ex.ErrorCode);
        Assert.True(ex.Error.IsRetryable);
        Assert.Equal(4, transport.Requests.Count);
    }

    [Fact]
    public async Task Cancellation_IsHonouredAndNotRetried()
    {
        using var h = new ClientHarness(new RecordingTransport().Answer("""{"pre_auth_code":"p","expires_in":1800}"""));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Client.CreatePreAuthCodeAsync(new CreatePreAuthCodeRequest(Token), cts.Token));
        Assert.Empty(h.Transport.Requests);
    }

    [Fact]
    public async Task Logs_NeverContainTokensSecretsOrBodies()
    {
        using var h = new ClientHarness(new RecordingTransport()
            .Answer("""{"errcode":-1,"errmsg":"system error"}""")
            .Answer("""{"authorizer_access_token":"NEW-ACCESS-TOKEN-SECRET","expires_in":7200,"authorizer_refresh_token":"NEW-REFRESH-SECRET"}""")
            .Answer("""{"component_access_token":"COMPONENT-TOKEN-SECRET","expires_in":7200}"""));

        await h.Client.RefreshAuthorizerTokenAsync(new RefreshAuthorizerTokenRequest(Token, "wxa", "OLD-REFRESH-SECRET"));
        await h.Client.GetComponentAccessTokenAsync(new GetComponentAccessTokenRequest("ticket@@@SECRET"));

        Assert.NotEmpty(h.Logs.Lines);
        Assert.Contains(h.Logs.Lines, l => l.Contains("api_authorizer_token", StringComparison.Ordinal));
        foreach (var secret in new[] { Token, "NEW-ACCESS-TOKEN-SECRET", "NEW-REFRESH-SECRET", "OLD-REFRESH-SECRET", "COMPONENT-TOKEN-SECRET", "ticket@@@SECRET", "component-secret-value" })
        {
            Assert.DoesNotContain(h.Logs.Lines, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }
}
