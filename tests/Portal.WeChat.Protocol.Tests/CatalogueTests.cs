using Portal.WeChat.Protocol.Errors;
using Portal.WeChat.Protocol.Permissions;

namespace Portal.WeChat.Protocol.Tests;

public class CatalogueTests
{
    [Theory]
    [InlineData(1, "消息管理权限", "Message management", AccountSide.OfficialAccount)]
    [InlineData(18, "开发管理与数据分析权限", "Development management & data analysis", AccountSide.MiniProgram)]
    [InlineData(129, "视频号小店商品管理", "Channels shop: products", AccountSide.Channels)]
    [InlineData(34, "微信商品库权限", "WeChat product library", AccountSide.Unspecified)]
    public void FuncScopeCatalog_KnownId_HasBothNamesAndSide(int id, string zh, string en, AccountSide side)
    {
        var scope = FuncScopeCatalog.Get(id);
        Assert.True(scope.IsKnown);
        Assert.Equal(zh, scope.NameZh);
        Assert.Equal(en, scope.NameEn);
        Assert.Equal(side, scope.Side);
        Assert.Equal(en, scope.Name(english: true));
    }

    [Fact]
    public void FuncScopeCatalog_UnknownId_IsNamedNotDropped()
    {
        var scope = FuncScopeCatalog.Get(9999);
        Assert.False(scope.IsKnown);
        Assert.Equal(9999, scope.Id);
        Assert.Equal("permission set 9999", scope.NameEn);
        Assert.Equal("权限集 9999", scope.NameZh);
    }

    [Fact]
    public void FuncScopeCatalog_ListsEveryReferenceRowOnceWithMutuallyExclusiveSets()
    {
        Assert.Equal(89, FuncScopeCatalog.All.Count);
        Assert.Equal(FuncScopeCatalog.All.Count, FuncScopeCatalog.All.Select(s => s.Id).Distinct().Count());
        Assert.Equal(new[] { 18, 25, 40 }, FuncScopeCatalog.All.Where(s => s.MutuallyExclusive).Select(s => s.Id));
    }

    [Theory]
    [InlineData(-1, WeChatErrorCategory.Retryable)]
    [InlineData(45011, WeChatErrorCategory.Retryable)]
    [InlineData(40001, WeChatErrorCategory.TokenInvalid)]
    [InlineData(40014, WeChatErrorCategory.TokenInvalid)]
    [InlineData(42001, WeChatErrorCategory.TokenInvalid)]
    [InlineData(61005, WeChatErrorCategory.TicketInvalid)]
    [InlineData(61006, WeChatErrorCategory.TicketInvalid)]
    [InlineData(61023, WeChatErrorCategory.NeedsReauthorization)]
    [InlineData(61003, WeChatErrorCategory.Revoked)]
    [InlineData(45009, WeChatErrorCategory.Quota)]
    [InlineData(40013, WeChatErrorCategory.Configuration)]
    [InlineData(40125, WeChatErrorCategory.Configuration)]
    [InlineData(61004, WeChatErrorCategory.Configuration)]
    [InlineData(61009, WeChatErrorCategory.AuthorizationCodeInvalid)]
    [InlineData(61010, WeChatErrorCategory.AuthorizationCodeInvalid)]
    [InlineData(61007, WeChatErrorCategory.PermissionDenied)]
    [InlineData(47001, WeChatErrorCategory.Permanent)]
    [InlineData(123456, WeChatErrorCategory.Permanent)]
    [InlineData(0, WeChatErrorCategory.Success)]
    public void WeChatErrorCatalog_Classify_MatchesReferenceTable(int code, WeChatErrorCategory expected)
    {
        Assert.Equal(expected, WeChatErrorCatalog.Classify(code));
    }

    [Fact]
    public void WeChatErrorCatalog_KnowsTheListedCodes_AndWordsNone()
    {
        var error = WeChatErrorCatalog.Get(61004);
        Assert.True(error.IsKnown);
        Assert.False(WeChatErrorCatalog.Get(123456).IsKnown);
    }
}
