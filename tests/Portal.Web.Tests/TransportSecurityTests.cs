using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Testing;
using Portal.Web.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>Hole 9: security headers on every response, Secure cookies on an https origin, HSTS in Live mode, forwarded headers.</summary>
public sealed class TransportSecurityTests(DefaultPortalFactory factory) : IClassFixture<DefaultPortalFactory>
{
    private static readonly Dictionary<string, string?> LiveHttps = new()
    {
        ["WeChat:Mode"] = "Live",
        ["WeChat:ComponentAppId"] = "wx1234567890abcdef",
        ["WeChat:ComponentAppSecret"] = "0123456789abcdef0123456789abcdef",
        ["WeChat:Token"] = "portaltoken",
        ["WeChat:EncodingAesKey"] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        ["Portal:PublicBaseUrl"] = "https://portal.example.com",
    };

    private static void AssertHardened(HttpResponseMessage response, string what)
    {
        var csp = response.Headers.TryGetValues("Content-Security-Policy", out var values) ? values.Single() : null;
        Assert.True(csp is not null, $"{what}: no Content-Security-Policy");
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task EveryKindOfResponse_CarriesTheSecurityHeaders()
    {
        var anonymous = factory.NewClient();
        var admin = await factory.SignInAsync("admin");
        var xml = new StringContent("<xml/>", Encoding.UTF8, "text/xml");
        var responses = new List<(string What, HttpResponseMessage Response)>
        {
            ("page", await anonymous.GetAsync("/")),
            ("sign-in page", await anonymous.GetAsync("/account/login")),
            ("not found", await anonymous.GetAsync("/no/such/page")),
            ("health", await anonymous.GetAsync("/healthz")),
            ("static asset", await anonymous.GetAsync("/css/app.css")),
            ("culture redirect", await anonymous.GetAsync("/culture/en?returnUrl=/")),
            ("event URL refusal", await anonymous.PostAsync("/wechat/component/events?timestamp=1&nonce=1&encrypt_type=aes", xml)),
            ("message URL refusal", await anonymous.PostAsync("/wechat/accounts/wx1234567890abcdef/events?timestamp=1&nonce=1&encrypt_type=aes", xml)),
            ("token API refusal", await anonymous.GetAsync("/api/v1/component/access-token")),
            ("emulator WeChat API", await anonymous.PostAsync("/_emulator/api/cgi-bin/component/api_component_token", new StringContent("{}"))),
            ("CSV export", await admin.GetAsync("/admin/authorizers.csv")),
            ("admin page", await admin.GetAsync("/authorizers")),
        };

        foreach (var (what, response) in responses)
        {
            AssertHardened(response, what);
        }

        Assert.StartsWith("text/csv", responses.Single(r => r.What == "CSV export").Response.Content.Headers.ContentType!.ToString());
        foreach (var what in new[] { "CSV export", "token API refusal", "admin page", "sign-in page", "event URL refusal" })
        {
            Assert.True(responses.Single(r => r.What == what).Response.Headers.CacheControl?.NoStore == true, $"{what}: not no-store");
        }
    }

    [Fact]
    public async Task HttpOrigin_CookiesAreNotForcedSecure_HttpsOrigin_EveryCookieIsSecure()
    {
        var plain = await factory.NewClient().GetAsync("/account/login");
        Assert.All(plain.Headers.GetValues("Set-Cookie"), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));

        using var https = new PortalFactory(new Dictionary<string, string?> { ["Portal:PublicBaseUrl"] = "https://portal.example.com" });
        var client = https.NewClient("https://portal.example.com");
        var login = await client.GetAsync("/account/login");
        var signIn = await client.PostLoginAsync("admin", TestClients.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var culture = await client.GetAsync("/culture/en?returnUrl=/");
        var cookies = new[] { login, signIn, culture }.SelectMany(r => r.Headers.TryGetValues("Set-Cookie", out var v) ? v : []).ToList();
        Assert.Contains(cookies, c => c.StartsWith("portal.auth=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith(".AspNetCore.Culture", StringComparison.Ordinal));
        Assert.All(cookies, c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task LiveMode_OnHttps_SendsHsts_EmulatorMode_DoesNot()
    {
        using var live = new PortalFactory(LiveHttps);
        var response = await live.NewClient("https://portal.example.com").GetAsync("/healthz");
        var hsts = response.Headers.GetValues("Strict-Transport-Security").Single();
        Assert.Contains("max-age=31536000", hsts);
        AssertHardened(response, "live health");

        var emulator = await factory.NewClient("https://portal.example.com").GetAsync("/healthz");
        Assert.False(emulator.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task ForwardedHeaders_AreBelievedOnlyFromAConfiguredProxy()
    {
        using var proxied = new ClientAddressPortalFactory(new Dictionary<string, string?>
        {
            ["Portal:ForwardedHeaders:KnownProxies:0"] = "10.0.0.5",
            ["Portal:ForwardedHeaders:KnownNetworks:0"] = "192.168.10.0/24",
        });
        var client = proxied.NewClient();

        async Task<string?> AuditedAddressAsync(string connection, string forwardedFor, string user)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
            var html = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
            using var post = new HttpRequestMessage(HttpMethod.Post, "/account/login")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["_handler"] = "login", ["__RequestVerificationToken"] = TestClients.AntiforgeryToken(html),
                    ["Input.UserName"] = user, ["Input.Password"] = "wrong-password-1",
                }),
            };
            post.Headers.Add(ClientAddressPortalFactory.Header, connection);
            post.Headers.Add("X-Forwarded-For", forwardedFor);
            post.Headers.Add("X-Forwarded-Proto", "https");
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(post)).StatusCode);
            await using var db = await proxied.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            return await db.Audit.Where(a => a.Actor == user).Select(a => a.RemoteIp).SingleAsync();
        }

        Assert.Equal("203.0.113.7", await AuditedAddressAsync("10.0.0.5", "203.0.113.7", "fwd-known-proxy"));
        Assert.Equal("203.0.113.8", await AuditedAddressAsync("192.168.10.20", "203.0.113.8", "fwd-known-network"));
        Assert.Equal("10.0.0.6", await AuditedAddressAsync("10.0.0.6", "203.0.113.9", "fwd-unknown-proxy"));
    }

    [Fact]
    public void ForwardedHeaders_AnUnparsableProxy_StopsStartNamingTheKey()
    {
        var settings = new Dictionary<string, string?> { ["Portal:ForwardedHeaders:KnownProxies:0"] = "not-an-ip" };
        using var bad = new PortalFactory(settings);
        var ex = Assert.ThrowsAny<Exception>(() => bad.CreateClient());
        var message = StartFailure.MessageOf(ex, () => new ForwardedHeadersSettingsValidator().Validate(null, StartFailure.Bind<ForwardedHeadersSettings>(settings, ForwardedHeadersSettings.SectionName)).FailureMessage);
        Assert.Contains("Portal:ForwardedHeaders:KnownProxies:0 must be an IP address", message);
    }

    [Fact]
    public void ContentSecurityPolicy_NeedsNoInlineScriptOrEval()
    {
        Assert.DoesNotContain("'unsafe-inline'", SecurityExtensions.ContentSecurityPolicy.Split(';').Single(d => d.Trim().StartsWith("script-src", StringComparison.Ordinal)));
        Assert.DoesNotContain("unsafe-eval", SecurityExtensions.ContentSecurityPolicy);
    }
}
