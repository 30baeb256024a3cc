using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Components.Pages;
using Portal.Web.Features.Admin.Pages;

namespace Portal.Web.Components.Tests.Admin;

/// <summary>The admin and ops pages: what they show, their empty states, and their actions' feedback.</summary>
public sealed class AdminPagesTests(PortalHost host) : PortalComponentTest(host)
{
    private const string LackingAppId = "wxbunit00000000018";

    private async Task SeedLackingAccountAsync()
    {
        await using var db = await Host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        if (!await db.Authorizers.AnyAsync(a => a.AppId == LackingAppId))
        {
            db.Authorizers.Add(new Authorizer { AppId = LackingAppId, NickName = "缺权限的小程序", Kind = AuthorizerKind.MiniProgram, PrincipalName = "测试主体", IsAuthorized = true, Permissions = [new() { SetId = 17 }] });
            await db.SaveChangesAsync();
        }
    }

    [Fact]
    public async Task Authorizers_ListsAccountsWithTheirMissingSets_AndFiltersInTheDatabase()
    {
        await SeedLackingAccountAsync();
        await SignInAsync("admin");
        RenderProviders();
        var cut = RenderPage<AuthorizersPage>();

        cut.WaitForAssertion(() => cut.Find($"[data-grid='authorizers'] [data-appid='{LackingAppId}']"));
        var row = cut.Find($"[data-appid='{LackingAppId}']").Closest("tr")!;
        Assert.NotNull(row.QuerySelector("[data-missing]"));
        Assert.Contains("admin/authorizers.csv", cut.Find("[data-action='csv']").GetAttribute("href"));

        cut.Find("[data-filter='search'] input, input[data-filter='search']").Input("没有这样的帐号");
        cut.WaitForAssertion(() => Assert.Equal("没有符合条件的授权帐号。", cut.Find("[data-empty]").TextContent.Trim()));
    }

    [Fact]
    public async Task Matrix_CellsAreButtonsWithNames_AndAClickExplainsAboveTheTable()
    {
        await SeedLackingAccountAsync();
        await SignInAsync("ops");
        RenderProviders();
        var cut = RenderPage<MatrixPage>();

        cut.WaitForAssertion(() => cut.Find($"tr[data-appid='{LackingAppId}'] td[data-set='18']"));
        var cell = cut.Find($"tr[data-appid='{LackingAppId}'] td[data-set='18']");
        Assert.Equal("missing", cell.GetAttribute("data-state"));
        var button = cell.QuerySelector("button")!;
        Assert.Contains("必需但未授予", button.GetAttribute("aria-label"));
        Assert.Equal("granted", cut.Find($"tr[data-appid='{LackingAppId}'] td[data-set='17']").GetAttribute("data-state"));

        await cut.Find($"tr[data-appid='{LackingAppId}'] td[data-set='18'] button").ClickAsync(new());

        var explain = cut.Find("[data-explain='18']");
        Assert.Contains("缺权限的小程序", explain.TextContent);
        Assert.Contains("必需权限集", explain.TextContent);
        // The explanation comes before the table, not below fifty rows.
        Assert.True(cut.Markup.IndexOf("data-explain", StringComparison.Ordinal) < cut.Markup.IndexOf("portal-matrix-scroll", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuthorizerDetail_ShowsMissingSetsInWords_AndAnUnknownAccountSaysSo()
    {
        await SeedLackingAccountAsync();
        await SignInAsync("admin");
        RenderProviders();
        var cut = RenderPage<AuthorizerDetailPage>(p => p.Add(d => d.AppId, LackingAppId));

        cut.WaitForAssertion(() => cut.Find("[data-missing] li[data-set='18']"));
        Assert.Equal("缺权限的小程序", cut.Find("h1").TextContent.Trim());
        Assert.NotNull(cut.Find("[data-copy='appid']"));
        Assert.Contains("开发管理与数据分析权限", cut.Find("[data-missing]").TextContent);

        var missing = RenderPage<AuthorizerDetailPage>(p => p.Add(d => d.AppId, "wxnosuchaccount0001"));
        missing.WaitForAssertion(() => Assert.Equal("没有这个授权帐号。", missing.Find("h1").TextContent.Trim()));
    }

    [Fact]
    public async Task Readiness_ShowsEachCheckWithAStatusAndACopyButtonForEveryValueToPaste()
    {
        await SignInAsync("ops");
        RenderProviders();
        var cut = RenderPage<ReadinessPage>();

        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-checked]").GetAttribute("data-checked")));
        var checks = cut.FindAll("[data-check]");
        Assert.Contains(checks, c => c.GetAttribute("data-check") == "event_url");
        foreach (var check in checks.Where(c => c.QuerySelector("[data-paste]") is not null))
        {
            Assert.NotNull(check.QuerySelector("[data-copy]"));
        }

        Assert.All(checks, c => Assert.Contains(c.GetAttribute("data-status"), new[] { "ok", "warning", "failed" }));
        Assert.DoesNotContain(">component_verify_ticket<", cut.Markup);
    }

    [Fact]
    public async Task Settings_NamesTheSetsAndTheSettingsToChange()
    {
        await SignInAsync("admin");
        var cut = RenderPage<SettingsPage>();

        Assert.NotEmpty(cut.FindAll("[data-kind='OfficialAccount'] li[data-set]"));
        Assert.Contains("Onboarding:RequiredPermissionSets:OfficialAccount", cut.Markup);
        Assert.DoesNotContain(" / ", cut.Find("[data-kind='OfficialAccount'] li").TextContent);
    }

    [Fact]
    public async Task Users_DisablingAsksFirst_AndAnEmptyFormIsRefusedInline()
    {
        await SignInAsync("admin");
        var providers = RenderProviders();
        var cut = RenderPage<UsersPage>();
        cut.WaitForAssertion(() => cut.Find("[data-users] [data-user='operator2']"));

        var toggle = cut.FindAll("[data-action='toggle']").Single(b => b.GetAttribute("data-user") == "operator2");
        var pending = toggle.ClickAsync(new());
        providers.WaitForAssertion(() => Assert.Contains("停用这个帐号？", providers.Markup));
        await providers.FindAll("button").Single(b => b.TextContent.Trim() == "取消").ClickAsync(new());
        await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("active", cut.FindAll("[data-user-status]")[cut.FindAll("[data-users] span[data-user]").Select(s => s.GetAttribute("data-user")).ToList().IndexOf("operator2")].GetAttribute("data-user-status"));

        await cut.Find("[data-action='new-user']").ClickAsync(new());
        await cut.Find("[data-action='save']").ClickAsync(new());
        cut.WaitForAssertion(() => Assert.Contains("请填写用户名", cut.Find("[data-user-form]").TextContent));
        Assert.Contains("请至少选择一个角色", cut.Find("[data-error='roles']").TextContent);
    }

    [Fact]
    public async Task Home_ForAnOperator_ShowsTheirCountsAndWhatNeedsAction_AndSignedOutVisitorsSeeNoOpsCards()
    {
        await SignInAsync("operator1");
        RenderProviders();
        var cut = RenderPage<HomePage>();

        cut.WaitForAssertion(() => Assert.Equal("operator", cut.Find("[data-dashboard]").GetAttribute("data-dashboard")));
        Assert.Equal("4", cut.Find("[data-metric='shops'] [data-value]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-chart]"));
    }

    [Fact]
    public void Home_SignedOut_InvitesToSignIn_WithoutOpsCards()
    {
        Auth.SetNotAuthorized();
        RenderProviders();
        var cut = RenderPage<HomePage>();

        Assert.NotNull(cut.Find("[data-welcome]"));
        Assert.Empty(cut.FindAll("[data-dashboard]"));
        Assert.Empty(cut.FindAll("a[href='operations'], a[href='authorizers']"));
    }

    [Fact]
    public void NotFound_SaysSoAndLeadsHome()
    {
        var cut = Render<NotFoundPage>();

        Assert.Equal("页面不存在", cut.Find("h1").TextContent.Trim());
        Assert.NotNull(cut.Find("[data-action='home']"));
    }

    [Fact]
    public void Denied_InEnglish_SaysWhomToAsk()
    {
        UseCulture("en");
        var cut = Render<DeniedPage>();

        Assert.Equal("Access denied", cut.Find("h1").TextContent.Trim());
        Assert.Contains("ask an admin", cut.Markup);
    }
}
