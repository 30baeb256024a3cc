using Microsoft.Extensions.Localization;
using Portal.Web.Resources;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Localization;

namespace Portal.Web.Features.Admin;

public static class AdminExtensions
{
    public static IHostApplicationBuilder AddPortalAdmin(this IHostApplicationBuilder builder)
    {
        // Its endpoints word failures for machines from the resources (ErrorText.ForMachines).
        builder.Services.AddLocalization();
        builder.Services.AddSingleton<AuthorizerDirectory>();
        builder.Services.AddSingleton<ReleaseReadiness>();
        builder.Services.AddSingleton<DashboardService>();
        builder.Services.AddScoped<UserAdminService>();
        return builder;
    }

    /// <summary>The CSV export of the authorizer list, with the list's filters (admins and ops).</summary>
    public static IEndpointRouteBuilder MapPortalAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/admin/authorizers.csv", async (HttpContext context, AuthorizerDirectory directory, IStringLocalizer<SharedResource> texts) =>
        {
            var filter = AuthorizerFilter.FromQuery(context.Request.Query);
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"authorizers-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv\"";
            await directory.WriteCsvAsync(filter, context.Response.Body, texts, context.RequestAborted);
        }).RequireAuthorization(policy => policy.RequireRole(Roles.Admin, Roles.Ops));
        return endpoints;
    }
}
