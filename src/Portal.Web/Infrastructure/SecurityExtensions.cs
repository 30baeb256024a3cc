using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Infrastructure;

/// <summary>
/// Transport and browser hardening: the real client address and scheme behind known proxies, Secure cookies whenever
/// the public origin is https, HSTS in Live mode, and security headers (CSP, nosniff, referrer policy, framing) on
/// every response the portal sends — pages, JSON, CSV, WeChat's endpoints, errors and 429s alike.
/// </summary>
public static class SecurityExtensions
{
    /// <summary>
    /// Blazor Server needs only its own script and a WebSocket to the same origin; MudBlazor writes inline style attributes and a theme style element;
    /// the launch page's QR code is a data: image. Nothing may frame the portal.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IHostApplicationBuilder AddPortalSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForwardedHeadersSettings>().BindConfiguration(ForwardedHeadersSettings.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ForwardedHeadersSettings>, ForwardedHeadersSettingsValidator>();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((o, settings) =>
        {
            var s = settings.Value;
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = s.ForwardLimit;
            if (s.KnownProxies.Length > 0 || s.KnownNetworks.Length > 0)
            {
                // Configured proxies replace the loopback default: only they are believed.
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
                foreach (var proxy in s.KnownProxies)
                {
                    o.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
                }

                foreach (var network in s.KnownNetworks)
                {
                    o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                }
            }
        });

        builder.Services.AddOptions<CookiePolicyOptions>().Configure<IOptions<PortalOptions>>((o, portal) =>
        {
            o.MinimumSameSitePolicy = SameSiteMode.Lax;
            // Marks every cookie (antiforgery, culture, auth) Secure; unlike AntiforgeryOptions' own setting it never
            // throws on a plain-http request (a health probe behind the proxy).
            o.Secure = IsHttps(portal.Value) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme).PostConfigure<IOptions<PortalOptions>>((o, portal) =>
        {
            if (IsHttps(portal.Value))
            {
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            }
        });
        builder.Services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = true;
        });
        return builder;
    }

    /// <summary>First in the pipeline: the client's address and scheme, the headers (set as the response starts, so
    /// error pages and short-circuited answers get them too), HSTS in Live mode, and the cookie policy.</summary>
    public static WebApplication UsePortalSecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var http = (HttpContext)state;
                var headers = http.Response.Headers;
                // Tokens (token API), exports and signed-in pages must not linger in a browser or proxy cache; static
                // assets set their own caching.
                if (string.IsNullOrEmpty(headers.CacheControl) && !IsStaticAsset(http.Request.Path))
                {
                    headers.CacheControl = "no-store";
                }

                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                // Keeps our origin (never the path) on the navigation to WeChat's authorization page, which checks it.
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                return Task.CompletedTask;
            }, context);
            return next(context);
        });

        var wechat = app.Services.GetRequiredService<IOptions<WeChatOptions>>().Value;
        var portal = app.Services.GetRequiredService<IOptions<PortalOptions>>().Value;
        if (wechat.Mode == WeChatMode.Live && IsHttps(portal))
        {
            app.UseHsts();
        }

        app.UseCookiePolicy();
        return app;
    }

    private static bool IsStaticAsset(PathString path)
        => path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.StartsWithSegments("/css")
           || path.StartsWithSegments("/favicon.svg");

    public static bool IsHttps(PortalOptions portal)
        => Uri.TryCreate(portal.PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;
}
