using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.WeChat.Emulator;
using Xunit.Abstractions;

namespace Portal.Web.Tests;

/// <summary>
/// Every routable page and endpoint, taken from the application's own endpoint data source, against a declared policy,
/// as anonymous, as an operator of another store, as ops and as admin. A new page or endpoint without a declared
/// policy fails here, so nobody can add one without saying who may reach it.
/// </summary>
public sealed partial class RouteRoleMatrixTests(RouteRoleMatrixTests.Harness h, ITestOutputHelper output) : IClassFixture<RouteRoleMatrixTests.Harness>
{
    public sealed class Harness() : OnboardingHarness(null, null);

    /// <summary>Who may reach an endpoint.</summary>
    public enum Access
    {
        /// <summary>Anyone (public pages, framework endpoints, static files).</summary>
        Public,
        /// <summary>Anyone reaches it; it is the page that tells a person they may not see something (answered 403).</summary>
        DeniedNotice,
        /// <summary>Anyone can call it, but only a correctly signed WeChat request is acted on (400 otherwise).</summary>
        WeChatSigned,
        /// <summary>An API key is required; a signed-in person's cookie grants nothing.</summary>
        ApiKey,
        /// <summary>Any signed-in staff member (operator, ops, admin); what they see is scoped by the service.</summary>
        Staff,
        /// <summary>Staff, and an operator only for his own stores.</summary>
        ShopScoped,
        /// <summary>Ops and Admin.</summary>
        OpsAdmin,
        /// <summary>Admin only.</summary>
        Admin,
    }

    /// <summary>The declared policy of every route (method and pattern as the endpoint data source reports them).</summary>
    private static readonly Dictionary<string, Access> Policies = new(StringComparer.Ordinal)
    {
        // Portal pages.
        ["GET /"] = Access.Public,
        ["GET /account/login"] = Access.Public,
        ["GET /account/denied"] = Access.DeniedNotice,
        ["GET /not-found"] = Access.Public,
        ["GET /error"] = Access.Public,
        ["GET /onboarding/launch"] = Access.Public,
        ["GET /onboarding/callback"] = Access.Public,
        ["GET /stores"] = Access.Staff,
        ["GET /stores/{ShopId:int}"] = Access.ShopScoped,
        ["GET /authorizers"] = Access.OpsAdmin,
        ["GET /authorizers/{AppId}"] = Access.OpsAdmin,
        ["GET /authorizers/matrix"] = Access.OpsAdmin,
        ["GET /settings"] = Access.OpsAdmin,
        ["GET /operations"] = Access.OpsAdmin,
        ["GET /operations/readiness"] = Access.OpsAdmin,
        ["GET /operations/pushes"] = Access.OpsAdmin,
        ["GET /operations/hangfire/{**path}"] = Access.OpsAdmin,
        ["GET /admin/users"] = Access.Admin,

        // Portal endpoints.
        ["GET /healthz"] = Access.Public,
        ["GET /{**path:file}"] = Access.Public,
        ["GET /culture/{culture}"] = Access.Public,
        ["POST /account/logout"] = Access.Public,
        ["POST /api/shops/{shopId:int}/invites"] = Access.ShopScoped,
        ["GET /admin/authorizers.csv"] = Access.OpsAdmin,
        ["GET /api/v1/authorizers/{appId}/access-token"] = Access.ApiKey,
        ["GET /api/v1/component/access-token"] = Access.ApiKey,
        ["POST /wechat/component/events"] = Access.WeChatSigned,
        ["POST /wechat/accounts/{appid}/events"] = Access.WeChatSigned,

        // The mounted emulator: WeChat's own side is public (it is "WeChat"); its control page and API are for ops.
        ["GET /_emulator/mp/cgi-bin/componentloginpage"] = Access.Public,
        ["GET /_emulator/open/wxaopen/safe/bindcomponent"] = Access.Public,
        ["GET /_emulator/mp/safe/bindcomponent"] = Access.Public,
        ["POST /_emulator/mp/cgi-bin/componentloginpage/confirm"] = Access.Public,
        ["GET /_emulator/admin"] = Access.OpsAdmin,
    };

    /// <summary>Route prefixes whose every endpoint shares one policy.</summary>
    private static readonly (string Prefix, Access Access)[] PrefixPolicies =
    [
        ("/_emulator/api/", Access.Public),
        ("/_emulator/admin/api/", Access.OpsAdmin),
        ("/_blazor", Access.Public),
        ("/_framework/", Access.Public),
    ];

    [Fact]
    public async Task EveryRoute_HasADeclaredPolicy_AndEachRoleGetsExactlyWhatItDeclares()
    {
        h.Emulator.PushTimingOverride = AuthorizationPushTiming.Concurrent;
        Assert.Contains("授权成功", (await h.CallbackAsync(await h.AuthorizeAsync(await h.InviteAsync("好味道餐厅·人民广场店"), "wx1a2b3c4d5e6f7001"))).Html);
        var foreignShop = await h.ShopIdAsync("好味道餐厅·人民广场店");

        var routes = Routes();
        var undeclared = routes.Where(r => PolicyOf(r) is null).Select(r => r.Key).ToList();
        Assert.True(undeclared.Count == 0, "Routes without a declared policy (add them to RouteRoleMatrixTests.Policies): " + string.Join(", ", undeclared));

        var callers = new (string Role, string? Cookie)[]
        {
            ("anonymous", null),
            ("operator of another store", await h.AuthCookieAsync("operator2")),
            ("ops", await h.AuthCookieAsync("ops")),
            ("admin", await h.AuthCookieAsync("admin")),
        };

        var failures = new List<string>();
        var checks = 0;
        foreach (var route in routes.Where(r => !r.IsStaticAsset).Concat(routes.Where(r => r.IsStaticAsset).Take(5)))
        {
            var access = PolicyOf(route)!.Value;
            var url = Fill(route.Pattern, foreignShop);
            foreach (var (role, cookie) in callers)
            {
                var (status, location) = await SendAsync(route.Method, url, cookie);
                checks++;
                var denied = status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                             || (status == HttpStatusCode.Redirect && location is not null && (location.Contains("/account/login", StringComparison.Ordinal) || location.Contains("/account/denied", StringComparison.Ordinal)));
                var expectAllowed = Allowed(access, role);
                if (access == Access.DeniedNotice)
                {
                    if (status != HttpStatusCode.Forbidden || location is not null)
                    {
                        failures.Add($"{route.Key} as {role}: the denial notice must answer 403 itself, got {(int)status}");
                    }
                }
                else if ((int)status >= 500)
                {
                    failures.Add($"{route.Key} as {role}: {(int)status}");
                }
                else if (denied == expectAllowed)
                {
                    failures.Add($"{route.Key} as {role}: expected {(expectAllowed ? "allowed" : "denied")} ({access}), got {(int)status}{(location is null ? "" : " → " + location)}");
                }
                else if (access == Access.WeChatSigned && status != HttpStatusCode.BadRequest)
                {
                    failures.Add($"{route.Key} as {role}: an unsigned request must be refused with 400, got {(int)status}");
                }
            }
        }

        output.WriteLine($"route × role matrix: {routes.Count} routes ({routes.Count(r => r.IsStaticAsset)} static files, 5 of them requested), {checks} requests checked, {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static bool Allowed(Access access, string role) => access switch
    {
        Access.Public or Access.WeChatSigned or Access.DeniedNotice => true,
        Access.ApiKey => false,
        Access.Staff => role != "anonymous",
        Access.ShopScoped => role is "ops" or "admin",
        Access.OpsAdmin => role is "ops" or "admin",
        Access.Admin => role == "admin",
        _ => false,
    };

    private sealed record Route(string Method, string Pattern, bool IsStaticAsset)
    {
        public string Key => $"{Method} {Pattern}";
    }

    private List<Route> Routes()
    {
        var source = h.Portal.Services.GetRequiredService<EndpointDataSource>();
        var routes = new List<Route>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).TrimStart('/');
            var isStatic = endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor");
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            // Razor component pages answer GET and POST (forms); GET is the one people and links use.
            foreach (var method in methods.Contains("GET") ? ["GET"] : methods.Take(1))
            {
                routes.Add(new Route(method, pattern, isStatic));
            }
        }

        return routes.DistinctBy(r => r.Key).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
    }

    private static Access? PolicyOf(Route route)
    {
        if (route.IsStaticAsset)
        {
            return Access.Public;
        }

        if (Policies.TryGetValue(route.Key, out var access))
        {
            return access;
        }

        foreach (var (prefix, shared) in PrefixPolicies)
        {
            if (route.Pattern.StartsWith(prefix, StringComparison.Ordinal))
            {
                return shared;
            }
        }

        return null;
    }

    private static string Fill(string pattern, int foreignShop)
        => Parameter().Replace(pattern, m => m.Groups[1].Value.ToLowerInvariant() switch
        {
            "shopid" => foreignShop.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "appid" => "wx1a2b3c4d5e6f7001",
            "culture" => "en",
            "group" => "1",
            "path" => pattern.Contains(":file", StringComparison.Ordinal) ? "css/app.css" : "recurring",
            "filename" or "file" => "x",
            var other => throw new InvalidOperationException($"No sample value for route parameter '{other}' in {pattern}: add one to RouteRoleMatrixTests.Fill"),
        }).Replace("//", "/", StringComparison.Ordinal);

    private async Task<(HttpStatusCode Status, string? Location)> SendAsync(string method, string url, string? cookie)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(h.Portal.BaseUrl) };
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (method is "POST" or "PUT" or "PATCH" or "DELETE")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, response.Headers.Location?.ToString());
    }

    [GeneratedRegex(@"\{\**([A-Za-z]+)(?::[^}]*)?\??\}")]
    private static partial Regex Parameter();
}
