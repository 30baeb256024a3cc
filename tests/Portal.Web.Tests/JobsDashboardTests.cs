using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Data.Entities;
using Portal.Testing;

namespace Portal.Web.Tests;

/// <summary>The Hangfire Dashboard under /operations/hangfire: Ops read-only, Admin full, nobody else; antiforgery on its POSTs; Chinese by default.</summary>
public sealed partial class JobsDashboardTests(DefaultOnboardingHarness h) : IClassFixture<DefaultOnboardingHarness>
{
    private const string Recurring = "/operations/hangfire/recurring";

    [Fact]
    public async Task Anonymous_Gets401_AndAnOperator403()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(h.Portal.BaseUrl) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/operations/hangfire/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Recurring)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/operations/hangfire/recurring/trigger", new FormUrlEncodedContent([new("jobs[]", "ticket-watchdog")]))).StatusCode);

        using var operatorClient = await h.SignedInClientAsync("operator1");
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.GetAsync("/operations/hangfire/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.GetAsync(Recurring)).StatusCode);
    }

    [Fact]
    public async Task Ops_SeesTheJobsReadOnly_InChinese()
    {
        using var ops = await h.SignedInClientAsync("ops");
        var response = await ops.GetAsync(Recurring);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("refresh-authorizer-tokens", html);
        Assert.Contains("prune-replay-guard", html);
        Assert.Matches(Chinese(), html);
        Assert.DoesNotContain("recurring/trigger", html);
        Assert.DoesNotContain("hangfire.db", html);

        // Even with a valid antiforgery token, a read-only user cannot act.
        var (header, token) = Antiforgery(html);
        using var trigger = new HttpRequestMessage(HttpMethod.Post, "/operations/hangfire/recurring/trigger") { Content = new FormUrlEncodedContent([new("jobs[]", "ticket-watchdog")]) };
        trigger.Headers.Add(header, token);
        Assert.False((await ops.SendAsync(trigger)).IsSuccessStatusCode);
        await using var db = await h.DbAsync();
        Assert.False(await db.JobRuns.AnyAsync(r => r.JobName == "ticket-watchdog" && r.Trigger == "schedule"));
    }

    [Fact]
    public async Task Admin_CanTriggerAJob_OnlyWithTheAntiforgeryToken()
    {
        using var admin = await h.SignedInClientAsync("admin");
        var html = await admin.GetStringAsync(Recurring);
        Assert.Contains("recurring/trigger", html);

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/operations/hangfire/recurring/trigger") { Content = new FormUrlEncodedContent([new("jobs[]", "renew-component-token")]) };
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync(forged)).StatusCode);

        var (header, token) = Antiforgery(html);
        using var trigger = new HttpRequestMessage(HttpMethod.Post, "/operations/hangfire/recurring/trigger") { Content = new FormUrlEncodedContent([new("jobs[]", "renew-component-token")]) };
        trigger.Headers.Add(header, token);
        Assert.True((await admin.SendAsync(trigger)).IsSuccessStatusCode);
        var run = await h.Portal.WaitForAsync(db => db.JobRuns.AsNoTracking().FirstOrDefaultAsync(r => r.JobName == "renew-component-token" && r.Trigger == "schedule" && r.FinishedAt != null));
        Assert.Equal(JobRunStatus.Succeeded, run.Status);
    }

    [Fact]
    public async Task English_WhenTheReaderChoseEnglish()
    {
        using var ops = await h.SignedInClientAsync("ops");
        using var request = new HttpRequestMessage(HttpMethod.Get, Recurring);
        request.Headers.Add("Cookie", ".AspNetCore.Culture=c%3Den%7Cuic%3Den");
        var html = await (await ops.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("Recurring jobs", html, StringComparison.OrdinalIgnoreCase);
    }

    private static (string Header, string Token) Antiforgery(string html)
    {
        var match = AntiforgeryConfig().Match(html);
        Assert.True(match.Success, "the Dashboard page carries the antiforgery header and token");
        return (WebUtility.HtmlDecode(match.Groups[1].Value), WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    [GeneratedRegex("[\\u4e00-\\u9fff]")]
    private static partial Regex Chinese();

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\">\\s*<meta name=\"csrf-token\" content=\"([^\"]+)\">")]
    private static partial Regex AntiforgeryConfig();
}
