using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Portal.Web.Components;
using Portal.Web.Features.Component;
using Portal.Web.Features.Localization;
using MudBlazor;
using MudBlazor.Services;

namespace Portal.Web.Infrastructure;

public static class UiExtensions
{
    public static readonly CultureInfo[] SupportedCultures = [new("zh-CN"), new("en")];

    public static WebApplicationBuilder AddPortalUi(this WebApplicationBuilder builder)
    {
        // Package assets (_content/MudBlazor, _framework/blazor.web.js) come from the build's static-web-assets manifest in any
        // environment when run from build output; a published app has them on disk and this is a no-op.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomCenter;
            o.SnackbarConfiguration.PreventDuplicates = false;
            o.SnackbarConfiguration.VisibleStateDuration = 5000;
            o.SnackbarConfiguration.ShowCloseIcon = true;
        });
        builder.Services.AddLocalization();
        builder.Services.AddTransient<MudLocalizer, PortalMudLocalizer>();
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("zh-CN");
            o.SupportedCultures = SupportedCultures;
            o.SupportedUICultures = SupportedCultures;
            o.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });
        return builder;
    }

    public static WebApplication UsePortalPipeline(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/error",
                CreateScopeForErrors = true,
                // A refusal the portal explains (a typed failure) or a malformed request is the caller's doing: 4xx, never 5xx.
                StatusCodeSelector = ex => ex switch
                {
                    PortalException { Failure: FailureCode.Forbidden } => StatusCodes.Status403Forbidden,
                    PortalException { Failure: FailureCode.RateLimited } => StatusCodes.Status429TooManyRequests,
                    PortalException => StatusCodes.Status400BadRequest,
                    BadHttpRequestException bad => bad.StatusCode,
                    Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException => StatusCodes.Status400BadRequest,
                    _ => StatusCodes.Status500InternalServerError,
                },
            });
        }

        // An address nobody serves gets the portal's own "page not found" (status 404 kept), not the browser's blank
        // error page. Machine endpoints (WeChat's URLs, the token API, the emulator) keep their bare status codes.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            if (IsMachinePath(context.Request.Path) && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } feature)
            {
                feature.Enabled = false;
            }

            return next(context);
        });

        app.UseRequestLocalization();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    private static bool IsMachinePath(PathString path)
        => path.StartsWithSegments("/api") || path.StartsWithSegments("/wechat") || path.StartsWithSegments("/_emulator")
           || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/admin/authorizers.csv") || path.StartsWithSegments("/_framework")
           || path.StartsWithSegments("/operations/hangfire");

    /// <summary>A path on this site (the rules of <c>LocalRedirect</c>: not <c>//host</c>, not <c>/\host</c>), else <c>/</c>.</summary>
    public static string SafeLocalUrl(string? url)
        => url is { Length: > 0 and <= 2048 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl) ? url : "/";

    public static WebApplication MapPortalUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapGet("/culture/{culture}", (string culture, string? returnUrl, HttpContext context) =>
        {
            var chosen = SupportedCultures.FirstOrDefault(c => string.Equals(c.Name, culture, StringComparison.OrdinalIgnoreCase)) ?? SupportedCultures[0];
            context.Response.Cookies.Append(
                CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            return Results.LocalRedirect(SafeLocalUrl(returnUrl));
        });
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
