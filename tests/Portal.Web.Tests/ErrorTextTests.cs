using Portal.Data.Entities;
using Portal.Web.Features.Component;
using Portal.Web.Features.Localization;

namespace Portal.Web.Tests;

public sealed class ErrorTextTests
{
    [Fact]
    public void StoredWeChatFailures_AreWordedInTheReadersLanguage()
    {
        var lost = new StoredFailure(FailureKind.RefreshTokenLost, "api_authorizer_token", 61023);
        Assert.Equal("刷新令牌无效，且无法从微信找回：需要管理员重新授权（api_authorizer_token，错误码 61023）。", Words.In("zh-CN", t => t.StoredFailure(lost)));
        Assert.StartsWith("The refresh token is invalid and could not be recovered", Words.In("en", t => t.StoredFailure(lost)));

        var ip = StoredFailure.WeChat("api_component_token", 61004);
        Assert.Equal("api_component_token：本服务器的 IP 不在第三方平台的白名单中：请在微信开放平台后台把它加入白名单。（错误码 61004）", Words.In("zh-CN", t => t.StoredFailure(ip)));
        Assert.Equal("api_component_token: This server's IP is not on the platform's whitelist: add it in the WeChat Open Platform console. (errcode 61004)", Words.In("en", t => t.StoredFailure(ip)));
        Assert.Contains("123456", Words.In("en", t => t.StoredFailure(StoredFailure.WeChat("api_x", 123456))));
        Assert.Equal("", Words.In("en", t => t.StoredFailure(null)));
    }

    [Fact]
    public void PortalFailures_AreWordedWithTheirArguments_AndAnswerMachinesInEnglish()
    {
        var limited = new PortalException(FailureCode.RateLimited, 42);
        Assert.Equal("rate_limited", limited.Code);
        Assert.Equal("操作过于频繁，请在 42 秒后再试。", Words.In("zh-CN", t => t.Failure(limited)));
        Assert.Equal("Too many attempts: try again in 42 seconds.", Words.In("en", t => t.Failure(limited)));
        Assert.Equal("Too many attempts: try again in 42 seconds.", Words.In("zh-CN", t => t.ForMachines(limited)));

        var invalid = new PortalException(FailureCode.UserInvalid, "DuplicateUserName", "SomethingNew");
        Assert.Equal("用户名已被使用。 用户信息不符合要求（SomethingNew）。", Words.In("zh-CN", t => t.Failure(invalid)));
    }

    [Fact]
    public void EveryFailureCode_HasWordsInBothLanguages()
    {
        foreach (var code in Enum.GetValues<FailureCode>())
        {
            var failure = new PortalException(code, 1);
            Assert.False(string.IsNullOrWhiteSpace(Words.In("zh-CN", t => t["failure." + failure.Code] is { ResourceNotFound: false } s ? s.Value : null)), code.ToString());
            Assert.False(string.IsNullOrWhiteSpace(Words.In("en", t => t["failure." + failure.Code] is { ResourceNotFound: false } s ? s.Value : null)), code.ToString());
        }
    }

    [Fact]
    public void EveryKnownWeChatErrCode_HasWordsInBothLanguages()
    {
        foreach (var code in Portal.WeChat.Protocol.Errors.WeChatErrorCatalog.KnownCodes)
        {
            Assert.DoesNotContain("wechat.err", Words.In("zh-CN", t => t.WeChatError(code)));
            Assert.DoesNotContain("wechat.err", Words.In("en", t => t.WeChatError(code)));
        }
    }

    [Fact]
    public void JobOutcomes_AreWordedInBothLanguages()
    {
        var sweep = new JobOutcomeArgs { Due = 3, Refreshed = 2, RefreshFailed = 1, ElapsedMs = 1500 };
        Assert.Equal("3 个到期：已刷新 2 个；刷新失败，稍后重试 1 个；用时 1.5 秒", Words.In("zh-CN", t => t.Outcome(JobOutcomeCode.SweepDone, sweep)));
        Assert.Equal("3 due: 2 refreshed, 1 failed; will retry; 1.5 s", Words.In("en", t => t.Outcome(JobOutcomeCode.SweepDone, sweep)));
        Assert.Equal("没有到期的令牌", Words.In("zh-CN", t => t.Outcome(JobOutcomeCode.SweepNothingDue, new JobOutcomeArgs())));
        var failed = new JobOutcomeArgs { Api = "api_component_token", ErrCode = 61004 };
        Assert.StartsWith("The run failed: api_component_token: This server's IP", Words.In("en", t => t.Outcome(JobOutcomeCode.Failed, failed)));
        foreach (var code in Enum.GetValues<JobOutcomeCode>().Where(c => c != JobOutcomeCode.None))
        {
            var en = Words.In("en", t => t.Outcome(code, new JobOutcomeArgs()));
            var zh = Words.In("zh-CN", t => t.Outcome(code, new JobOutcomeArgs()));
            Assert.False(string.IsNullOrWhiteSpace(en) || en == code.ToString(), code.ToString());
            Assert.False(string.IsNullOrWhiteSpace(zh) || zh == code.ToString() || zh == en, code.ToString());
        }
    }
}
