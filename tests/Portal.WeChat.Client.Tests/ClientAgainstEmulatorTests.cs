using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.WeChat.Client.Models;
using Portal.WeChat.Emulator;
using Portal.WeChat.Emulator.Model;
using Portal.WeChat.Protocol.Errors;

namespace Portal.WeChat.Client.Tests;

/// <summary>The portal's client against the emulator hosted in memory (TestServer: no sockets).</summary>
public sealed class ClientAgainstEmulatorTests : IAsyncLifetime
{
    private const string AppId = "wx0123456789abcdef";
    private const string Secret = "client-test-secret-0123456789abcd";

    private WebApplication _emulator = default!;
    private ServiceProvider _services = default!;

    private ComponentApiClient Client => _services.GetRequiredService<ComponentApiClient>();

    private EmulatorState State => _emulator.Services.GetRequiredService<EmulatorState>();

    public async Task InitializeAsync()
    {
        _emulator = EmulatorProgram.Build(
            [
                "--Emulator:ComponentAppId=" + AppId, "--Emulator:ComponentAppSecret=" + Secret, "--Emulator:Token=clienttests",
                "--Emulator:EncodingAesKey=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "--Emulator:AutoPushTickets=false",
            ],
            b =>
            {
                b.WebHost.UseTestServer();
                b.Logging.ClearProviders();
            });
        await _emulator.StartAsync();

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WeChat:ApiBaseUrl"] = "http://emulator/api",
            ["WeChat:ComponentAppId"] = AppId,
            ["WeChat:ComponentAppSecret"] = Secret,
            ["WeChat:RetryBaseDelay"] = "00:00:00.001",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddWeChatComponentClient().ConfigurePrimaryHttpMessageHandler(() => _emulator.GetTestServer().CreateHandler());
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _emulator.StopAsync();
        await _emulator.DisposeAsync();
    }

    private async Task<string> TokenAsync()
        => (await Client.GetComponentAccessTokenAsync(new GetComponentAccessTokenRequest(State.NextTicketForPush()))).ComponentAccessToken;

    private string Authorize(string appId, params int[] sets)
    {
        var (preAuthCode, _) = State.IssuePreAuthCode();
        return State.ConfirmAuthorization(preAuthCode, appId, sets).AuthCode;
    }

    [Fact]
    public async Task FullLifecycle_TokenPreAuthQueryRefreshInfoList_Works()
    {
        var token = await TokenAsync();
        var preAuth = await Client.CreatePreAuthCodeAsync(new CreatePreAuthCodeRequest(token));
        Assert.StartsWith("preauthcode@@@", preAuth.PreAuthCode);
        Assert.Equal(1800, preAuth.ExpiresIn);

        var auth = (await Client.QueryAuthorizationAsync(new QueryAuthorizationRequest(token, Authorize("wx1a2b3c4d5e6f7101", 17, 18, 19)))).AuthorizationInfo;
        Assert.Equal("wx1a2b3c4d5e6f7101", auth.AuthorizerAppId);
        Assert.Equal(new[] { 17, 18, 19 }, auth.FuncInfo.Select(f => f.FuncScopeCategory.Id));
        Assert.NotNull(auth.FuncInfo[0].ConfirmInfo);

        var refreshed = await Client.RefreshAuthorizerTokenAsync(new RefreshAuthorizerTokenRequest(token, auth.AuthorizerAppId, auth.AuthorizerRefreshToken!));
        Assert.Equal(auth.AuthorizerRefreshToken, refreshed.AuthorizerRefreshToken);
        Assert.Equal(7200, refreshed.ExpiresIn);

        var info = await Client.GetAuthorizerInfoAsync(new GetAuthorizerInfoRequest(token, auth.AuthorizerAppId));
        Assert.True(info.AuthorizerInfo.IsMiniProgram);
        Assert.Equal("好味道点餐", info.AuthorizerInfo.NickName);
        Assert.Equal(auth.AuthorizerRefreshToken, info.AuthorizationInfo.AuthorizerRefreshToken);
        Assert.NotEmpty(info.AuthorizerInfo.MiniProgramInfo!.Network["RequestDomain"]);

        var list = await Client.GetAuthorizerListAsync(new GetAuthorizerListRequest(token, 0, 500));
        Assert.Equal(1, list.TotalCount);
        Assert.Equal(auth.AuthorizerRefreshToken, list.List.Single().RefreshToken);

        Assert.Equal(0, (await Client.SetAuthorizerOptionAsync(new SetAuthorizerOptionRequest(token, auth.AuthorizerAppId, "location_report", 2))).ErrCode);
        Assert.Equal(2, (await Client.GetAuthorizerOptionAsync(new GetAuthorizerOptionRequest(token, auth.AuthorizerAppId, "location_report"))).OptionValue);

        Assert.Equal(0, (await Client.SendCustomMessageAsync(new SendCustomMessageRequest(auth.AuthorizerAccessToken!, "openid1", "hello"))).ErrCode);
        Assert.Equal("hello", State.CustomMessages.Single().Content);
    }

    [Fact]
    public async Task OfficialAccountInfo_HasNoMiniProgramInfo()
    {
        var token = await TokenAsync();
        await Client.QueryAuthorizationAsync(new QueryAuthorizationRequest(token, Authorize("wx1a2b3c4d5e6f7001", 1, 2)));
        var info = await Client.GetAuthorizerInfoAsync(new GetAuthorizerInfoRequest(token, "wx1a2b3c4d5e6f7001"));
        Assert.False(info.AuthorizerInfo.IsMiniProgram);
        Assert.Equal(2, info.AuthorizerInfo.ServiceTypeInfo.Id);
        Assert.Equal("上海好味道餐饮管理有限公司", info.AuthorizerInfo.PrincipalName);
    }

    [Fact]
    public async Task Errors_AreClassifiedFromTheEmulatorsAnswers()
    {
        var token = await TokenAsync();
        var appId = (await Client.QueryAuthorizationAsync(new QueryAuthorizationRequest(token, Authorize("wx1a2b3c4d5e6f7001", 1)))).AuthorizationInfo.AuthorizerAppId;

        var wrongRefresh = await Assert.ThrowsAsync<WeChatApiException>(() => Client.RefreshAuthorizerTokenAsync(new RefreshAuthorizerTokenRequest(token, appId, "refreshtoken@@@wrong")));
        Assert.Equal(WeChatErrorCategory.NeedsReauthorization, wrongRefresh.Category);

        var badCode = await Assert.ThrowsAsync<WeChatApiException>(() => Client.QueryAuthorizationAsync(new QueryAuthorizationRequest(token, "queryauthcode@@@nope")));
        Assert.Equal(WeChatErrorCategory.AuthorizationCodeInvalid, badCode.Category);

        var badToken = await Assert.ThrowsAsync<WeChatApiException>(() => Client.CreatePreAuthCodeAsync(new CreatePreAuthCodeRequest("12_bogus")));
        Assert.Equal(WeChatErrorCategory.TokenInvalid, badToken.Category);
        Assert.Contains(" rid: ", badToken.ErrorMessage);

        State.Revoke(appId);
        var revoked = await Assert.ThrowsAsync<WeChatApiException>(() => Client.GetAuthorizerInfoAsync(new GetAuthorizerInfoRequest(token, appId)));
        Assert.Equal(WeChatErrorCategory.Revoked, revoked.Category);

        var badTicket = await Assert.ThrowsAsync<WeChatApiException>(() => Client.GetComponentAccessTokenAsync(new GetComponentAccessTokenRequest("ticket@@@forged")));
        Assert.Equal(WeChatErrorCategory.TicketInvalid, badTicket.Category);
    }

    [Fact]
    public async Task TransientEmulatorFaults_AreRetriedByTheClient_ButWeChatErrorsAreNot()
    {
        var token = await TokenAsync();
        State.AddFault(new FaultRule { Target = "api_create_preauthcode", Kind = FaultKind.SystemError, RemainingCount = 1 });
        State.AddFault(new FaultRule { Target = "api_create_preauthcode", Kind = FaultKind.Http502, RemainingCount = 1 });
        Assert.StartsWith("preauthcode@@@", (await Client.CreatePreAuthCodeAsync(new CreatePreAuthCodeRequest(token))).PreAuthCode);
        Assert.Equal(3, State.Calls.Count(c => c.Api == "api_create_preauthcode"));

        State.ClearRecords();
        await Assert.ThrowsAsync<WeChatApiException>(() => Client.QueryAuthorizationAsync(new QueryAuthorizationRequest(token, "queryauthcode@@@nope")));
        Assert.Single(State.Calls, c => c.Api == "api_query_auth");
    }

    [Fact]
    public async Task StartPushTicketAndClearQuota_AreAcceptedWithTheConfiguredSecret()
    {
        Assert.Equal(0, (await Client.StartPushTicketAsync(new StartPushTicketRequest())).ErrCode);
        Assert.Equal(0, (await Client.ClearQuotaAsync(new ClearQuotaRequest())).ErrCode);
        Assert.Equal("***", State.Calls.First(c => c.Api == "api_start_push_ticket").Parameters["component_secret"]);
    }
}
