using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Testing;
using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Xml;

namespace Portal.WeChat.Emulator.Tests;

/// <summary>
/// A standalone emulator on a real loopback port, a <see cref="PortalReceiver"/> as its event and message URLs, a
/// manual clock, and a deliberately minimal client of WeChat's wire format (raw JSON, no shared models).
/// </summary>
public sealed partial class EmulatorHarness : IAsyncDisposable
{
    public const string AppId = "wx0123456789abcdef";
    public const string Secret = "emulator-test-secret-0123456789ab";
    public const string Token = "emulatortoken";
    public const string AesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    public const string Domain = "portal.test";

    private WebApplication _emulator = default!;

    private EmulatorHarness(PortalReceiver receiver, ManualTimeProvider clock)
    {
        Receiver = receiver;
        Clock = clock;
    }

    public PortalReceiver Receiver { get; }

    public ManualTimeProvider Clock { get; }

    public string BaseUrl => _emulator.Urls.First();

    public HttpClient Http { get; } = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    public IServiceProvider Services => _emulator.Services;

    public static MessageCrypto Crypto { get; } = new(Token, EncodingAesKey.Parse(AesKey), AppId);

    public static async Task<EmulatorHarness> StartAsync(params string[] settings)
    {
        var receiver = await PortalReceiver.StartAsync(Crypto);
        var harness = new EmulatorHarness(receiver, new ManualTimeProvider());
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--Emulator:ComponentAppId=" + AppId,
            "--Emulator:ComponentAppSecret=" + Secret,
            "--Emulator:Token=" + Token,
            "--Emulator:EncodingAesKey=" + AesKey,
            "--Emulator:EventUrl=" + receiver.BaseUrl + "/events",
            "--Emulator:MessageUrlPattern=" + receiver.BaseUrl + "/messages/$APPID$",
            "--Emulator:InitiationDomain=" + Domain,
            "--Emulator:AutoPushTickets=false",
            "--Emulator:PushRetryDelay=00:00:00",
            "--Emulator:ReleaseTestApiReplyTimeout=00:00:10",
        };
        args.AddRange(settings.Select(s => "--Emulator:" + s));
        harness._emulator = EmulatorProgram.Build(args.ToArray(), b =>
        {
            b.Services.AddSingleton<TimeProvider>(harness.Clock);
            b.Logging.ClearProviders();
        });
        await harness._emulator.StartAsync();
        receiver.OnQueryAuthCode = harness.AnswerQueryAuthCodeAsync;
        return harness;
    }

    // ---- the minimal client ---------------------------------------------------------------------------------------

    public async Task<JsonElement> PostAsync(string path, object body, string? token = null, string tokenName = "component_access_token")
    {
        var url = BaseUrl + "/api/cgi-bin" + path + (token is null ? string.Empty : $"?{tokenName}={Uri.EscapeDataString(token)}");
        using var response = await Http.PostAsync(url, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    public static int ErrCode(JsonElement answer) => answer.TryGetProperty("errcode", out var code) ? code.GetInt32() : 0;

    public async Task<JsonElement> AdminAsync(string path, HttpMethod? method = null)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(method ?? HttpMethod.Post, BaseUrl + "/admin/api/" + path));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        return json.RootElement.Clone();
    }

    /// <summary>Pushes a ticket and returns it as the receiver decrypted it.</summary>
    public async Task<string> TicketAsync()
    {
        var before = Receiver.Pushes.Count;
        await AdminAsync("tickets/push");
        var push = await Receiver.WaitForPushAsync(p => p.Push is ComponentVerifyTicketPush && Receiver.Pushes.ToList().IndexOf(p) >= before);
        return ((ComponentVerifyTicketPush)push.Push).ComponentVerifyTicket;
    }

    public async Task<string> ComponentTokenAsync()
    {
        var answer = await PostAsync("/component/api_component_token", new { component_appid = AppId, component_appsecret = Secret, component_verify_ticket = await TicketAsync() });
        Assert.Equal(0, ErrCode(answer));
        return answer.GetProperty("component_access_token").GetString()!;
    }

    public async Task<string> PreAuthCodeAsync(string token)
        => (await PostAsync("/component/api_create_preauthcode", new { component_appid = AppId }, token)).GetProperty("pre_auth_code").GetString()!;

    public string RedirectUri { get; } = $"https://{Domain}/onboarding/callback?invite=abc";

    public async Task<(HttpStatusCode Status, string Html, string? ErrorCode)> OpenPageAsync(string query, string? referer = "https://" + Domain + "/onboarding/launch", string path = "/mp/cgi-bin/componentloginpage")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BaseUrl + path + "?" + query);
        if (referer is not null)
        {
            request.Headers.Referrer = new Uri(referer);
        }

        using var response = await Http.SendAsync(request);
        var error = response.Headers.TryGetValues("X-Emulator-Error", out var values) ? values.First() : null;
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), error);
    }

    public string PageQuery(string preAuthCode, string? redirectUri = null, string? extra = null)
        => $"component_appid={AppId}&pre_auth_code={Uri.EscapeDataString(preAuthCode)}&redirect_uri={Uri.EscapeDataString(redirectUri ?? RedirectUri)}{extra}";

    /// <summary>Opens the page, picks <paramref name="appId"/>, ticks <paramref name="sets"/> (all offered when null), confirms; returns the redirect.</summary>
    public async Task<Uri> AuthorizeAsync(string preAuthCode, string appId, IEnumerable<int>? sets = null, string? extra = null, string? redirectUri = null)
    {
        var (_, html, error) = await OpenPageAsync(PageQuery(preAuthCode, redirectUri, extra));
        Assert.True(error is null, html);
        var session = SessionField().Match(html).Groups[1].Value;
        var offered = SetField().Matches(html).Select(m => m.Groups[1].Value);
        var form = new List<KeyValuePair<string, string>> { new("session", session), new("appid", appId), new("decision", "confirm") };
        form.AddRange((sets?.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? offered).Select(s => new KeyValuePair<string, string>("set", s)));
        using var response = await Http.PostAsync(BaseUrl + "/mp/cgi-bin/componentloginpage/confirm", new FormUrlEncodedContent(form));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return response.Headers.Location!;
    }

    public static string AuthCodeOf(Uri redirect)
        => System.Web.HttpUtility.ParseQueryString(redirect.Query)["auth_code"]!;

    /// <summary>The platform side of QUERY_AUTH_CODE: api_query_auth, then the customer-service message.</summary>
    private async Task AnswerQueryAuthCodeAsync(string appId, string code, string openId)
    {
        var token = await ComponentTokenFromLastTicketAsync();
        var auth = await PostAsync("/component/api_query_auth", new { component_appid = AppId, authorization_code = code }, token);
        var accessToken = auth.GetProperty("authorization_info").GetProperty("authorizer_access_token").GetString()!;
        await PostAsync("/message/custom/send", new { touser = openId, msgtype = "text", text = new { content = code + "_from_api" } }, accessToken, "access_token");
    }

    private async Task<string> ComponentTokenFromLastTicketAsync()
    {
        var ticket = Receiver.Pushes.Select(p => p.Push).OfType<ComponentVerifyTicketPush>().Last().ComponentVerifyTicket;
        var answer = await PostAsync("/component/api_component_token", new { component_appid = AppId, component_appsecret = Secret, component_verify_ticket = ticket });
        return answer.GetProperty("component_access_token").GetString()!;
    }

    [GeneratedRegex("name=\"session\" value=\"([0-9a-f]+)\"")]
    private static partial Regex SessionField();

    [GeneratedRegex("name=\"set\" value=\"(\\d+)\"")]
    private static partial Regex SetField();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _emulator.StopAsync();
        await _emulator.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
