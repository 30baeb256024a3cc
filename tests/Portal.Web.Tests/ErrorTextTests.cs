using Portal.Web.Features.Localization;

namespace Portal.Web.Tests;

public sealed class ErrorTextTests
{
    [Fact]
    public void StoredWeChatErrors_BecomeSentencesInTheUsersLanguage()
    {
        var stored = "api_authorizer_token: errcode 61023 (refresh token lost; recovery failed)";
        Assert.Equal("刷新令牌无效：将尝试从微信找回；找回失败则需要管理员重新授权。 (errcode 61023)", ErrorText.Explain(stored, english: false));
        Assert.StartsWith("The refresh token is invalid", ErrorText.Explain(stored, english: true));
        Assert.Equal("connection refused", ErrorText.Explain("connection refused", english: true));
        Assert.Null(ErrorText.Explain(null, english: false));
    }
}
