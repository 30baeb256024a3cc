using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Audit;

namespace Portal.Web.Features.Identity;

public static class IdentityExtensions
{
    /// <summary>ASP.NET Core Identity with roles and the cookie; sign-in at <c>/account/login</c>.</summary>
    public static IHostApplicationBuilder AddPortalIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, PortalAuthenticationStateProvider>();
        builder.Services.AddSingleton<ActorRights>();
        if (PortalAuthenticationStateProvider.Interval(builder.Configuration) <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{PortalAuthenticationStateProvider.IntervalKey} must be a positive time span (e.g. 00:00:30)");
        }
        builder.Services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.Name = "portal.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
        });
        builder.Services.AddAuthorization();
        builder.Services.AddIdentityCore<PortalUser>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        builder.Services.AddScoped(sp => sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>>().CreateDbContext());
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddScoped<ShopAccess>();
        builder.Services.AddScoped<LoginService>();
        builder.Services.TryAddSingleton<Portal.Web.Infrastructure.ActionRateLimiter>();
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.SectionName);
        builder.Services.AddOptions<InitialAdminOptions>().BindConfiguration(InitialAdminOptions.SectionName);
        // A disabled user or changed roles take effect on the next request within a minute, not after the cookie's 8 h.
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        builder.Services.AddHostedService<DemoSeeder>();
        return builder;
    }

    public static WebApplication MapPortalIdentity(this WebApplication app)
    {
        // A signed-out user is only ever sent back to the sign-in page; the antiforgery token keeps other sites from
        // signing people out.
        app.MapPost("/account/logout", async (HttpContext context, SignInManager<PortalUser> signIn, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest();
            }

            await signIn.SignOutAsync();
            return Results.LocalRedirect("/account/login");
        }).DisableAntiforgery();
        return app;
    }

    /// <summary>JSON endpoints get 401/403; pages get the sign-in redirect.</summary>
    private static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/_emulator/admin/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
