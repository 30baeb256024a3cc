using Portal.Data.Entities;
using Portal.Web.Components.Shared;

namespace Portal.Web.Components.Tests;

public sealed class SharedWidgetTests(PortalHost host) : PortalComponentTest(host)
{
    [Theory]
    [InlineData(BindingState.Active, "已绑定", "success")]
    [InlineData(BindingState.PermissionsMissing, "缺少权限", "warning")]
    [InlineData(BindingState.Revoked, "已取消授权", "error")]
    [InlineData(BindingState.Invited, "已邀请", "info")]
    public void StateBadge_HasAColourAndAnIconPerState(BindingState state, string text, string colour)
    {
        var cut = Render<StateBadge>(p => p.Add(b => b.State, state));

        var chip = cut.Find("[data-state]");
        Assert.Equal(state.ToString(), chip.GetAttribute("data-state"));
        Assert.Contains(text, chip.TextContent);
        Assert.Equal(colour, chip.GetAttribute("data-tone"));
        Assert.NotNull(chip.QuerySelector("svg"));
    }

    [Fact]
    public void CopyButton_CopiesAndSaysSo()
    {
        RenderProviders();
        var snackbar = Snackbars!;
        var cut = Render<CopyButton>(p => p.Add(c => c.Value, "wx1a2b3c4d5e6f7001").Add(c => c.Hook, "appid"));

        cut.Find("[data-copy='appid']").Click();

        Assert.Equal("wx1a2b3c4d5e6f7001", Assert.Single(JSInterop.Invocations, i => i.Identifier == "navigator.clipboard.writeText").Arguments[0]);
        snackbar.WaitForAssertion(() => Assert.Contains("已复制到剪贴板", snackbar.Markup));
    }
}
