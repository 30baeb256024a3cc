using Portal.WeChat.Client.Models;

namespace Portal.WeChat.Client.Tests;

/// <summary>The JSON samples of reference §3, deserialised field by field.</summary>
public class GoldenSampleTests
{
    private static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ModelSamples", name + ".json"));

    [Fact]
    public void ApiComponentToken_Sample_Deserialises()
    {
        var r = ComponentApiClient.Parse<GetComponentAccessTokenResponse>("t", Sample("api_component_token"));
        Assert.Equal("61W3mEpU66027wgNZ_MhGHNQDHnFATkDa9-2llqrMBjUwxRSNPbVsMmyD-yq8wZETSoE5NQgecigDrSHkPtIYA", r.ComponentAccessToken);
        Assert.Equal(7200, r.ExpiresIn);
        Assert.DoesNotContain("61W3mEpU", r.ToString());
    }

    [Fact]
    public void ApiCreatePreAuthCode_Sample_Deserialises()
    {
        var r = ComponentApiClient.Parse<CreatePreAuthCodeResponse>("t", Sample("api_create_preauthcode"));
        Assert.Equal("Cx_Dk6qiBE0Dmx4EmlT3oRfArPvwSQ-oa3NL_fwHM7VI08r52wazoZX2Rhpz1dEw", r.PreAuthCode);
        Assert.Equal(600, r.ExpiresIn);
    }

    [Fact]
    public void ApiQueryAuth_Sample_Deserialises()
    {
        var info = ComponentApiClient.Parse<QueryAuthorizationResponse>("t", Sample("api_query_auth")).AuthorizationInfo;
        Assert.Equal("wxf8b4f85f3a794e77", info.AuthorizerAppId);
        Assert.Equal("QXjUqNqfYVH0yBE1iI_7vuN_9gQbpjfK7hYwJ3P7xOa88a89-Aga5x1NMYJyB8G2yKt1KCl0nPC3W9GJzw0Zzq_dBxc8pxIGUNi_bFes0qM", info.AuthorizerAccessToken);
        Assert.Equal(7200, info.ExpiresIn);
        Assert.Equal("dTo-YCXPL4llX-u1W1pPpnp8Hgm4wpJtlR6iV0doKdY", info.AuthorizerRefreshToken);
        Assert.Equal(new[] { 1, 2, 3 }, info.FuncInfo.Select(f => f.FuncScopeCategory.Id));
        Assert.All(info.FuncInfo, f => Assert.Null(f.ConfirmInfo));
        Assert.DoesNotContain("dTo-YCXPL4", info.ToString());
    }

    [Fact]
    public void ApiAuthorizerToken_Sample_Deserialises()
    {
        var r = ComponentApiClient.Parse<RefreshAuthorizerTokenResponse>("t", Sample("api_authorizer_token"));
        Assert.Equal("some-access-token", r.AuthorizerAccessToken);
        Assert.Equal(7200, r.ExpiresIn);
        Assert.Equal("refresh_token_value", r.AuthorizerRefreshToken);
    }

    [Fact]
    public void ApiGetAuthorizerInfo_Sample_DeserialisesEveryField()
    {
        var r = ComponentApiClient.Parse<GetAuthorizerInfoResponse>("t", Sample("api_get_authorizer_info"));
        var a = r.AuthorizerInfo;
        Assert.Equal("微信SDK Demo Special", a.NickName);
        Assert.Equal("http://wx.qlogo.cn/mmopen/GPy", a.HeadImg);
        Assert.Equal(2, a.ServiceTypeInfo.Id);
        Assert.Equal(0, a.VerifyTypeInfo.Id);
        Assert.Equal("gh_eb5e3a772040", a.UserName);
        Assert.Equal("腾讯计算机系统有限公司", a.PrincipalName);
        Assert.Equal("paytest01", a.Alias);
        Assert.Equal("URL", a.QrcodeUrl);
        Assert.NotNull(a.BusinessInfo);
        Assert.Equal(0, a.BusinessInfo!.OpenStore + a.BusinessInfo.OpenScan + a.BusinessInfo.OpenPay + a.BusinessInfo.OpenCard + a.BusinessInfo.OpenShake);
        Assert.Equal(1, a.Idc);
        Assert.Equal("账号介绍", a.Signature);
        Assert.Equal(1, a.AccountStatus);
        Assert.Equal(0, a.RegisterType);
        Assert.True(a.BasicConfig!.IsPhoneConfigured);
        Assert.True(a.BasicConfig.IsEmailConfigured);
        Assert.True(a.IsMiniProgram);
        Assert.Equal(new[] { "https://..." }, a.MiniProgramInfo!.Network["RequestDomain"]);
        Assert.Equal(16, a.MiniProgramInfo.Network.Count);
        Assert.Equal("工具", a.MiniProgramInfo.Categories.Single().First);
        Assert.Equal("效率", a.MiniProgramInfo.Categories.Single().Second);
        Assert.Equal(0, a.MiniProgramInfo.VisitStatus);

        var auth = r.AuthorizationInfo;
        Assert.Equal("wx326eecacf7370d4e", auth.AuthorizerAppId);
        Assert.Equal("refreshtoken@@@RU0Sgi7bD6apS7frS9gj8Sbws7OoDejK9Z-cm0EnCzg", auth.AuthorizerRefreshToken);
        Assert.Equal(new[] { 3, 7 }, auth.FuncInfo.Select(f => f.FuncScopeCategory.Id));
        var confirm = auth.FuncInfo[0].ConfirmInfo!;
        Assert.Equal((0, 0, 0), (confirm.NeedConfirm, confirm.AlreadyConfirm, confirm.CanConfirm));
        Assert.Null(auth.FuncInfo[1].ConfirmInfo);
    }

    [Fact]
    public void ApiGetAuthorizerList_Sample_UsesRefreshTokenKey()
    {
        var r = ComponentApiClient.Parse<GetAuthorizerListResponse>("t", Sample("api_get_authorizer_list"));
        Assert.Equal(33, r.TotalCount);
        var item = r.List.Single();
        Assert.Equal("authorizer_appid_1", item.AuthorizerAppId);
        Assert.Equal("refresh_token_1", item.RefreshToken);
        Assert.Equal(1558000607, item.AuthTime);
    }

    [Fact]
    public void ApiGetAuthorizerOption_Sample_ReadsStringValue()
    {
        var r = ComponentApiClient.Parse<GetAuthorizerOptionResponse>("t", Sample("api_get_authorizer_option"));
        Assert.Equal("wx7bc5ba58cabd00f4", r.AuthorizerAppId);
        Assert.Equal("voice_recognize", r.OptionName);
        Assert.Equal(1, r.OptionValue);
    }

    [Theory]
    [InlineData("ok", "ok")]
    [InlineData("in_a_normal_state", "in a normal state")]
    public void SetStyleAnswers_Samples_AreSuccess(string sample, string errmsg)
    {
        var r = ComponentApiClient.Parse<WeChatResult>("t", Sample(sample));
        Assert.Equal(0, r.ErrCode);
        Assert.Equal(errmsg, r.ErrMsg);
    }

    [Fact]
    public void ErrorSample_61003_BecomesRevokedException()
    {
        var ex = Assert.Throws<WeChatApiException>(() => ComponentApiClient.Parse<RefreshAuthorizerTokenResponse>("api_authorizer_token", Sample("error_61003")));
        Assert.Equal(61003, ex.ErrorCode);
        Assert.Equal("component is not authorized by this account hint: [JWXnAA02851976]", ex.ErrorMessage);
        Assert.Equal(Protocol.Errors.WeChatErrorCategory.Revoked, ex.Category);
        Assert.Equal("api_authorizer_token", ex.Api);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public void Parse_NotAJsonObject_IsDataFormatError(string text)
    {
        var ex = Assert.Throws<WeChatApiException>(() => ComponentApiClient.Parse<WeChatResult>("t", text));
        Assert.Equal(47001, ex.ErrorCode);
    }
}
