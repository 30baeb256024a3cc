using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Components.Pages;
using Portal.Web.Features.KeepAlive.Pages;
using Portal.Web.Features.Pushes.Pages;

namespace Portal.Web.Components.Tests.Admin;

/// <summary>The ops console, the push quarantine and the sign-in page.</summary>
public sealed class OpsPagesTests(PortalHost host) : PortalComponentTest(host)
{
    [Fact]
    public async Task Operations_ListsTheJobsInWords_WithTheirButtons()
    {
        await SignInAsync("ops");
        RenderProviders();
        var cut = RenderPage<OperationsPage>();

        cut.WaitForAssertion(() => cut.Find("[data-jobs] [data-job='renew-component-token']"));
        Assert.Equal("续期第三方平台令牌", cut.Find("[data-job='renew-component-token']").TextContent.Trim());
        Assert.NotEmpty(cut.FindAll("[data-action='run-now']"));
        Assert.NotNull(cut.Find("[data-metric='alerts'] [data-value]"));
    }

    [Theory]
    [InlineData("zh-CN", "✗ 已有 21 分钟没有收到票据，已请求微信重新推送")]
    [InlineData("en", "✗ No ticket for 21 minutes; WeChat was asked to push one")]
    public async Task Operations_WordsAJobsOutcomeCode_InTheReadersLanguage(string culture, string expected)
    {
        await using (var db = await Host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var now = DateTimeOffset.UtcNow;
            db.JobRuns.Add(new JobRun
            {
                JobName = "ticket-watchdog", Trigger = "schedule", Status = JobRunStatus.Succeeded, EnqueuedAt = now, StartedAt = now, FinishedAt = now.AddYears(1),
                Outcome = JobOutcomeCode.TicketMissing, OutcomeArgs = new JobOutcomeArgs { Minutes = 21 }, ItemsFailed = 1,
            });
            await db.SaveChangesAsync();
        }

        UseCulture(culture);
        await SignInAsync("ops");
        RenderProviders();
        var cut = RenderPage<OperationsPage>();

        cut.WaitForAssertion(() => Assert.Equal("TicketMissing", cut.Find("[data-jobs] [data-job='ticket-watchdog']").Closest("tr")!.QuerySelector("[data-outcome]")!.GetAttribute("data-outcome")));
        Assert.Equal(expected, cut.Find("[data-jobs] [data-job='ticket-watchdog']").Closest("tr")!.QuerySelector("[data-outcome]")!.TextContent.Trim());
    }

    [Fact]
    public async Task Pushes_WithNothingQuarantined_SaysSo()
    {
        await SignInAsync("ops");
        var cut = RenderPage<PoisonPushesPage>();

        cut.WaitForAssertion(() => Assert.Equal("没有无法识别的推送。", cut.Find("[data-empty]").TextContent.Trim()));
    }

    [Fact]
    public void Login_AnEmptySubmit_SaysWhatIsMissingNextToEachField()
    {
        var context = new DefaultHttpContext();
        var cut = Render<LoginPage>(p => p.AddCascadingValue(context));

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal("请填写用户名。", cut.Find("[data-error='username']").TextContent.Trim()));
        Assert.Equal("请填写密码。", cut.Find("[data-error='password']").TextContent.Trim());
    }
}
