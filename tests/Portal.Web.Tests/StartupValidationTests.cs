using Microsoft.Extensions.Options;
using Portal.Testing;

namespace Portal.Web.Tests;

public class StartupValidationTests
{
    private static readonly Dictionary<string, string?> ValidLive = new()
    {
        ["WeChat:Mode"] = "Live",
        ["WeChat:ComponentAppId"] = "wx1234567890abcdef",
        ["WeChat:ComponentAppSecret"] = "0123456789abcdef0123456789abcdef",
        ["WeChat:Token"] = "portaltoken",
        ["WeChat:EncodingAesKey"] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        ["Portal:PublicBaseUrl"] = "https://portal.example.com",
    };

    private static string StartFailure(Dictionary<string, string?> settings)
    {
        using var factory = new PortalFactory(settings);
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var validation = ex as OptionsValidationException ?? ex.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        return validation!.Message;
    }

    [Theory]
    [InlineData("WeChat:ComponentAppSecret", "", "WeChat:ComponentAppSecret must be set")]
    [InlineData("WeChat:EncodingAesKey", "tooshort", "WeChat:EncodingAesKey must be 43 characters")]
    [InlineData("WeChat:ComponentAppId", "notanappid", "WeChat:ComponentAppId must be")]
    [InlineData("WeChat:Token", "", "WeChat:Token must be")]
    [InlineData("WeChat:ApiBaseUrl", "http://api.weixin.qq.com", "WeChat:ApiBaseUrl must use https in Live mode")]
    [InlineData("Portal:PublicBaseUrl", "portal.example.com", "Portal:PublicBaseUrl must be")]
    [InlineData("WeChat:PushMaxClockSkew", "1.00:00:00", "WeChat:PushMaxClockSkew must be between")]
    public void LiveMode_BadSetting_RefusesToStartNamingTheSetting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>(ValidLive) { [key] = value };
        var message = StartFailure(settings);
        Assert.Contains(expected, message);
        Assert.DoesNotContain("0123456789abcdef0123456789abcdef", message);
    }

    [Fact]
    public async Task LiveMode_CompleteSettings_Starts()
    {
        using var factory = new PortalFactory(ValidLive);
        var client = factory.CreateClient();
        Assert.True((await client.GetAsync("/healthz")).IsSuccessStatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/_emulator/admin/api/state")).StatusCode);
    }

    [Theory]
    [InlineData("ticket-watchdog", "0 0/5 * * * ? *", "KeepAlive:Schedules:ticket-watchdog is not a valid cron expression")]
    [InlineData("refresh-authorizer-tokens", "every minute", "KeepAlive:Schedules:refresh-authorizer-tokens is not a valid cron expression")]
    [InlineData("no-such-job", "* * * * *", "KeepAlive:Schedules:no-such-job names no recurring job")]
    public void WrongJobSchedule_RefusesToStartNamingTheKey(string job, string cron, string expected)
    {
        Assert.Contains(expected, StartFailure(new() { [$"KeepAlive:Schedules:{job}"] = cron }));
    }

    [Theory]
    [InlineData("Ingestion:MaxBatchSize", "0", "Ingestion:MaxBatchSize must be between 1 and 1000")]
    [InlineData("Ingestion:MaxBatchDelay", "00:00:01", "Ingestion:MaxBatchDelay must be between")]
    [InlineData("Ingestion:QueueCapacity", "10", "Ingestion:QueueCapacity must be between 64 and 100000")]
    [InlineData("Ingestion:InboxWorkers", "0", "Ingestion:InboxWorkers must be between 1 and 32")]
    public void WrongIngestionSetting_RefusesToStartNamingTheKey(string key, string value, string expected)
    {
        Assert.Contains(expected, StartFailure(new() { [key] = value }));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("257")]
    public void SweepConcurrencyOutOfRange_RefusesToStart(string value)
    {
        Assert.Contains("KeepAlive:MaxConcurrency must be 1 to 256", StartFailure(new() { ["KeepAlive:MaxConcurrency"] = value }));
    }
}
