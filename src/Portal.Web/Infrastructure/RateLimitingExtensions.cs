using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Web.Features.Localization;

namespace Portal.Web.Infrastructure;

/// <summary>
/// The framework's rate limiter for HTTP endpoints (policies <see cref="LoginPolicy"/> and <see cref="TokenApiPolicy"/>),
/// and <see cref="ActionRateLimiter"/> for actions taken inside a Blazor circuit, which no HTTP middleware sees.
/// A refusal is a 429 with <c>Retry-After</c>: JSON for APIs, a page for browsers.
/// </summary>
public static class RateLimitingExtensions
{
    public const string LoginPolicy = "login";
    public const string TokenApiPolicy = "token-api";
    public const string InvitesPolicy = "invites";

    public static IHostApplicationBuilder AddPortalRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        builder.Services.TryAddSingleton<ActionRateLimiter>();
        builder.Services.AddSingleton<ActionLimits>();
        builder.Services.AddOptions<Microsoft.AspNetCore.Identity.IdentityOptions>().PostConfigure<IOptions<RateLimitOptions>>((o, limits) =>
        {
            o.Lockout.MaxFailedAccessAttempts = limits.Value.LockoutAfterFailures;
            o.Lockout.DefaultLockoutTimeSpan = limits.Value.LockoutDuration;
        });
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Only form posts count: showing the sign-in page is free.
            o.AddPolicy(LoginPolicy, context => HttpMethods.IsPost(context.Request.Method)
                ? Window(context, "login", Rule(context, r => r.LoginPerIp), ClientAddress(context))
                : RateLimitPartition.GetNoLimiter("login:get"));
            o.AddPolicy(TokenApiPolicy, context => Window(context, "token", Rule(context, r => r.TokenApiPerIp), ClientAddress(context)));
            // Invitations through the HTTP API: per signed-in user (the same limit as the bind dialog's, counted apart).
            o.AddPolicy(InvitesPolicy, context => context.User.Identity is { IsAuthenticated: true, Name: { } name }
                ? Window(context, "invites-user", Rule(context, r => r.InvitesPerUser), name.ToUpperInvariant())
                : Window(context, "invites-ip", Rule(context, r => r.InvitesPerIp), ClientAddress(context)));
            o.OnRejected = (context, cancellationToken) => WriteTooManyRequestsAsync(
                context.HttpContext,
                context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1),
                cancellationToken);
        });
        return builder;
    }

    /// <summary>The address the request came from (after forwarded headers from known proxies).</summary>
    public static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>429 with Retry-After in whole seconds; JSON for <c>/api</c>, a small page in the reader's language otherwise.</summary>
    public static async ValueTask WriteTooManyRequestsAsync(HttpContext context, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await response.WriteAsJsonAsync(new { error = "rate_limited", retryAfterSeconds = seconds }, cancellationToken);
            return;
        }

        var texts = context.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<Portal.Web.Resources.SharedResource>>();
        var title = WebUtility.HtmlEncode(texts["ratelimit.title"]);
        var body = WebUtility.HtmlEncode(texts["ratelimit.body", seconds]);
        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync(
            $"<!DOCTYPE html><html lang=\"{CultureInfo.CurrentUICulture.Name}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + $"<title>{title}</title><link rel=\"stylesheet\" href=\"/css/app.css\"></head><body><main class=\"portal-main\"><h1 class=\"portal-h1\">{title}</h1>"
            + $"<p class=\"portal-rate-limited\" data-retry-after=\"{seconds}\">{body}</p><p><a href=\"/\">↩</a></p></main></body></html>",
            cancellationToken);
    }

    private static RateLimitRule Rule(HttpContext context, Func<RateLimitOptions, RateLimitRule> pick)
        => pick(context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue);

    private static RateLimitPartition<string> Window(HttpContext context, string name, RateLimitRule rule, string key)
        => RateLimitPartition.GetFixedWindowLimiter($"{name}:{rule.PermitLimit}:{rule.Window.Ticks}:{key}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = rule.PermitLimit,
            Window = rule.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
