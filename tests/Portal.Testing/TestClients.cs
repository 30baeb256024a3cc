using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Testing;

/// <summary>Signed-in clients and sign-in form posts for host tests.</summary>
public static partial class TestClients
{
    public const string DemoPassword = "Portal-demo-2026";

    /// <summary>A client with its own cookies that does not follow redirects.</summary>
    public static HttpClient NewClient(this PortalFactory factory, string? baseAddress = null)
        => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri(baseAddress ?? "http://localhost") });

    /// <summary>Posts the sign-in form (with its antiforgery token) and returns the answer.</summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(this HttpClient client, string userName, string password, string? remoteIp = null)
    {
        using var page = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        if (remoteIp is not null)
        {
            page.Headers.Add(ClientAddressPortalFactory.Header, remoteIp);
        }

        var html = await (await client.SendAsync(page)).Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html).Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
                ["Input.UserName"] = userName,
                ["Input.Password"] = password,
            }),
        };
        if (remoteIp is not null)
        {
            post.Headers.Add(ClientAddressPortalFactory.Header, remoteIp);
        }

        return await client.SendAsync(post);
    }

    /// <summary>A client signed in as <paramref name="userName"/> (a demo user unless a password is given).</summary>
    public static async Task<HttpClient> SignInAsync(this PortalFactory factory, string userName, string password = DemoPassword, string? baseAddress = null)
    {
        var client = factory.NewClient(baseAddress);
        var response = await client.PostLoginAsync(userName, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"sign-in as {userName} answered {(int)response.StatusCode}");
        }

        return client;
    }

    /// <summary>The antiforgery token of a page's form.</summary>
    public static string AntiforgeryToken(string html) => WebUtility.HtmlDecode(AntiforgeryField().Match(html).Groups[1].Value);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

/// <summary>
/// The portal as seen from many client addresses: a request's <c>X-Test-Remote-Ip</c> becomes its connection's remote
/// address (the in-memory test server has none), before anything of the portal's pipeline runs. The edge only.
/// </summary>
public class ClientAddressPortalFactory(IDictionary<string, string?>? settings) : PortalFactory(settings)
{
    public const string Header = "X-Test-Remote-Ip";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, RemoteAddressFilter>());
    }

    private sealed class RemoteAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(Header, out var value) && IPAddress.TryParse(value, out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
