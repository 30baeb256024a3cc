using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Portal.WeChat.Emulator;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.WeChat;

/// <summary>
/// In Emulator mode the portal carries WeChat's side itself, under <c>/_emulator</c>, sharing the portal's credentials
/// and pushing to the portal's own event and message URLs. It is not mounted in Live mode, nor when
/// <c>WeChat:EmulatorBaseUrl</c> points at an emulator in another process. Its control page and JSON API
/// (<c>/_emulator/admin*</c>) need the portal's Admin or Ops role and, to change anything, an antiforgery token; the
/// WeChat-facing parts (APIs, authorization pages) stay open, as WeChat's are. In Production the emulator needs
/// <c>WeChat:Emulator:AllowInProduction=true</c> (see <see cref="EmulatorInProductionValidator"/>).
/// </summary>
public static class EmulatorMounting
{
    public const string Prefix = "/_emulator";
    public const string EventPath = "/wechat/component/events";
    public const string MessagePathPattern = "/wechat/accounts/$APPID$/events";

    public const string AdminPrefix = Prefix + "/admin";

    public static IHostApplicationBuilder AddPortalEmulator(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<WeChatOptions>, EmulatorInProductionValidator>();
        builder.Services.AddWeChatEmulator()
            .BindConfiguration("WeChat:Emulator")
            .Configure<IOptions<WeChatOptions>, IOptions<PortalOptions>>((emulator, wechat, portal) =>
            {
                var w = wechat.Value;
                emulator.ComponentAppId = w.ComponentAppId;
                emulator.ComponentAppSecret = w.ComponentAppSecret;
                emulator.Token = w.Token;
                emulator.EncodingAesKey = w.EncodingAesKey;
                var publicBase = portal.Value.PublicBaseUrl.TrimEnd('/');
                emulator.EventUrl = string.IsNullOrEmpty(emulator.EventUrl) ? publicBase + EventPath : emulator.EventUrl;
                emulator.MessageUrlPattern = string.IsNullOrEmpty(emulator.MessageUrlPattern) ? publicBase + MessagePathPattern : emulator.MessageUrlPattern;
                emulator.InitiationDomain = new Uri(publicBase).Host;
            });
        return builder;
    }

    public static WebApplication MapPortalEmulator(this WebApplication app)
    {
        var wechat = app.Services.GetRequiredService<IOptions<WeChatOptions>>().Value;
        var portal = app.Services.GetRequiredService<IOptions<PortalOptions>>().Value;
        if (IsMounted(wechat, portal))
        {
            var group = app.MapWeChatEmulator(Prefix).ExcludeFromDescription();
            ((IEndpointConventionBuilder)group).Add(endpoint =>
            {
                if (endpoint is RouteEndpointBuilder route && IsAdmin(route.RoutePattern.RawText))
                {
                    endpoint.Metadata.Add(new AuthorizeAttribute { Roles = Roles.Admin + "," + Roles.Ops });
                }
                else
                {
                    endpoint.Metadata.Add(new AllowAnonymousAttribute());
                }
            });

            // Runs after authentication and authorization (registered after them): a signed-in admin's browser cannot be
            // made to change the emulator by another site.
            app.Use(async (context, next) =>
            {
                if (context.Request.Path.StartsWithSegments(AdminPrefix) && !await HasValidAntiforgeryAsync(context))
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await context.Response.WriteAsJsonAsync(new { error = "antiforgery token missing or invalid" });
                    return;
                }

                await next(context);
            });
        }

        return app;
    }

    private static bool IsAdmin(string? pattern)
        => pattern is not null && ("/" + pattern.TrimStart('/')).StartsWith(AdminPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads are free; a POST, PUT or DELETE must carry the token (form field or <c>RequestVerificationToken</c> header).</summary>
    private static async Task<bool> HasValidAntiforgeryAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method))
        {
            return true;
        }

        return await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);
    }

    public static bool IsMounted(WeChatOptions wechat, PortalOptions portal)
        => wechat.Mode == WeChatMode.Emulator
           && string.Equals(wechat.EmulatorBaseUrl.TrimEnd('/'), portal.PublicBaseUrl.TrimEnd('/') + Prefix, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The emulator answers every authorization request with genuinely signed pushes: in Production it must be asked for
/// explicitly (a demo deployment), never be what an image without settings falls back to.
/// </summary>
public sealed class EmulatorInProductionValidator(IHostEnvironment environment, IConfiguration configuration) : IValidateOptions<WeChatOptions>
{
    public const string AllowKey = "WeChat:Emulator:AllowInProduction";

    public ValidateOptionsResult Validate(string? name, WeChatOptions options)
        => options.Mode == WeChatMode.Emulator && environment.IsProduction() && !configuration.GetValue<bool>(AllowKey)
            ? ValidateOptionsResult.Fail($"WeChat:Mode is Emulator in Production: the built-in emulator would serve anyone. Set WeChat:Mode=Live with the platform's credentials, or {AllowKey}=true for a demo deployment")
            : ValidateOptionsResult.Success;
}
