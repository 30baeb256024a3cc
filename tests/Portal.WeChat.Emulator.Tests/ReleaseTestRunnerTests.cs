namespace Portal.WeChat.Emulator.Tests;

public sealed class ReleaseTestRunnerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task ReleaseTest_APlatformThatAnswersCorrectly_PassesEveryCase(int group)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var report = await h.AdminAsync($"release-test/{group}");
        var cases = report.GetProperty("cases").EnumerateArray().ToList();
        Assert.True(report.GetProperty("passed").GetBoolean(), string.Join("\n", cases.Select(c => c.ToString())));
        Assert.Equal(7, cases.Count);
        Assert.Equal(2, cases.Count(c => c.GetProperty("name").GetString() == "QUERY_AUTH_CODE customer-service reply"));
    }

    [Fact]
    public async Task ReleaseTest_APlatformThatOnlySaysSuccess_Fails()
    {
        await using var h = await EmulatorHarness.StartAsync("ReleaseTestApiReplyTimeout=00:00:01");
        h.Receiver.AnswerReleaseTest = false;
        var report = await h.AdminAsync("release-test/1");
        Assert.False(report.GetProperty("passed").GetBoolean());
        var failed = report.GetProperty("cases").EnumerateArray().Where(c => !c.GetProperty("passed").GetBoolean()).Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("text passive reply", failed);
        Assert.Contains("QUERY_AUTH_CODE customer-service reply", failed);
        Assert.Contains("event reply", failed);
        Assert.DoesNotContain("component_verify_ticket", failed);
    }
}
