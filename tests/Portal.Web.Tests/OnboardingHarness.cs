using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.WeChat.Emulator.Model;
using Portal.WeChat.Protocol.Links;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Tests;

/// <summary>The real portal on a real port with its mounted emulator, plus helpers that act as the people involved.</summary>
public partial class OnboardingHarness : IAsyncLifetime
{
    protected OnboardingHarness(IDictionary<string, string?>? settings, string? dataDirectory, TimeProvider? clock = null, Action<IServiceCollection>? services = null)
    {
        Portal = new PortalFactory(settings, kestrel: true, dataDirectory, clock, services: services);
    }

    public static OnboardingHarness Create(IDictionary<string, string?>? settings = null, string? dataDirectory = null, TimeProvider? clock = null, Action<IServiceCollection>? services = null) => new(settings, dataDirectory, clock, services);

    public PortalFactory Portal { get; }

    public HttpClient Browser { get; } = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(60) };

    public OnboardingService Onboarding => Portal.Services.GetRequiredService<OnboardingService>();

    public EmulatorState Emulator => Portal.Services.GetRequiredService<EmulatorState>();

    public async Task InitializeAsync()
    {
        Portal.StartServer();
        await Portal.WaitForTicketAsync();
    }

    public async Task DisposeAsync()
    {
        Browser.Dispose();
        await Portal.DisposeAsync();
    }

    public async Task<PortalDbContext> DbAsync()
        => await Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    public Task<Actor> ActorAsync(string userName) => Portal.ActorAsync(userName);

    public async Task<int> ShopIdAsync(string name)
    {
        await using var db = await DbAsync();
        return await db.Shops.Where(s => s.Name == name).Select(s => s.Id).SingleAsync();
    }

    public async Task<CreatedInvite> InviteAsync(string shopName, AuthType? authType = AuthType.OfficialAccountAndMiniProgram, string? bizAppId = null, string user = "operator1")
        => await Onboarding.CreateInviteAsync(await ActorAsync(user), await ShopIdAsync(shopName), new InviteRequest(authType, bizAppId, []), CancellationToken.None);

    /// <summary>The administrator on WeChat's page (reached from our launch page), picks the account and confirms; returns the redirect.</summary>
    public async Task<Uri> AuthorizeAsync(CreatedInvite invite, string appId)
    {
        var link = await Onboarding.StartAsync(invite.Token, mobile: false, Actor.System, CancellationToken.None);
        using var page = new HttpRequestMessage(HttpMethod.Get, link.Url);
        page.Headers.Referrer = new Uri(Portal.BaseUrl + invite.LaunchPath);
        using var pageResponse = await Browser.SendAsync(page);
        var html = await pageResponse.Content.ReadAsStringAsync();
        Assert.False(pageResponse.Headers.Contains("X-Emulator-Error"), html);
        var session = SessionField().Match(html).Groups[1].Value;
        var sets = SetField().Matches(html).Select(m => new KeyValuePair<string, string>("set", m.Groups[1].Value));
        var form = new List<KeyValuePair<string, string>> { new("session", session), new("appid", appId), new("decision", "confirm") };
        form.AddRange(sets);
        using var confirm = await Browser.PostAsync(Portal.BaseUrl + "/_emulator/mp/cgi-bin/componentloginpage/confirm", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, confirm.StatusCode);
        return confirm.Headers.Location!;
    }

    /// <summary>A launch attempt as the launch page makes it (one press of the button).</summary>
    public Task<LaunchLink> LaunchAsync(CreatedInvite invite)
        => Onboarding.StartAsync(invite.Token, mobile: false, Actor.System, CancellationToken.None);

    public static string PreAuthCodeOf(LaunchLink link) => System.Web.HttpUtility.ParseQueryString(new Uri(link.Url).Query)["pre_auth_code"]!;

    /// <summary>Where WeChat sends the browser after a confirmation: the link's redirect_uri with the code appended.</summary>
    public static Uri RedirectFor(LaunchLink link, string authCode)
    {
        var redirectUri = System.Web.HttpUtility.ParseQueryString(new Uri(link.Url).Query)["redirect_uri"]!;
        return new Uri($"{redirectUri}{(redirectUri.Contains('?') ? '&' : '?')}auth_code={Uri.EscapeDataString(authCode)}&expires_in=600");
    }

    public static string AuthCodeOf(Uri redirect) => System.Web.HttpUtility.ParseQueryString(redirect.Query)["auth_code"]!;

    public async Task<(HttpStatusCode Status, string Html)> CallbackAsync(Uri redirect)
    {
        using var response = await Browser.GetAsync(redirect);
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    public Task<Invite> WaitForInviteAsync(Guid id, InviteStatus status)
        => Portal.WaitForAsync(db => db.Invites.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id && i.Status == status));

    public int QueryAuthCalls => Emulator.Calls.Count(c => c.Api == "api_query_auth");

    /// <summary>The cookie header of a signed-in user, to send by hand (an answer that clears it cannot affect later requests).</summary>
    public async Task<string> AuthCookieAsync(string userName, string password = "Portal-demo-2026")
    {
        var cookies = new CookieContainer();
        using var client = await SignedInClientAsync(userName, password, cookies);
        return cookies.GetCookieHeader(new Uri(Portal.BaseUrl));
    }

    public async Task<HttpClient> SignedInClientAsync(string userName, string password = "Portal-demo-2026", CookieContainer? cookies = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer() }) { BaseAddress = new Uri(Portal.BaseUrl) };
        var login = await client.GetStringAsync("/account/login");
        var antiforgery = AntiforgeryField().Match(login).Groups[1].Value;
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = antiforgery,
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
        }));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        return client;
    }

    [GeneratedRegex("name=\"session\" value=\"([0-9a-f]+)\"")]
    private static partial Regex SessionField();

    [GeneratedRegex("name=\"set\" value=\"(\\d+)\"")]
    private static partial Regex SetField();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

/// <summary>The harness with default settings, as an xUnit class fixture.</summary>
public sealed class DefaultOnboardingHarness() : OnboardingHarness(null, null);
