using Portal.WeChat.Protocol.Release;

namespace Portal.WeChat.Protocol.Tests;

public sealed class ReleaseTestTests
{
    [Theory]
    [InlineData("QUERY_AUTH_CODE:queryauthcode@@@abc", "queryauthcode@@@abc")]
    [InlineData("QUERY_AUTH_CODE: code-with-space ", "code-with-space")]
    [InlineData("QUERY_AUTH_CODE:", null)]
    [InlineData("query_auth_code:abc", null)]
    [InlineData("TESTCOMPONENT_MSG_TYPE_TEXT", null)]
    [InlineData(null, null)]
    public void QueryAuthCode_IsTakenOnlyAfterTheExactPrefix(string? content, string? expected)
        => Assert.Equal(expected, ReleaseTest.QueryAuthCodeOf(content));

    [Fact]
    public void TheFiveGroups_HaveAnOfficialAccountAndAMiniProgramEach_AsTheChinesePageLists()
    {
        Assert.Equal(10, ReleaseTest.Accounts.Select(a => a.AppId).Distinct().Count());
        Assert.All(Enumerable.Range(1, 5), g => Assert.Equal([false, true], ReleaseTest.Accounts.Where(a => a.Group == g).Select(a => a.IsMiniProgram).Order()));
        // The English page repeats group 4's username for group 2; the Chinese page is authoritative.
        Assert.Equal("gh_c0f28a78b318", ReleaseTest.Find("wx9252c5e0bb1836fc")!.UserName);
        Assert.Equal("TESTCOMPONENT_MSG_TYPE_TEXT_callback", ReleaseTest.TextReply);
    }
}
