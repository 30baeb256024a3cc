using System.Security.Claims;
using Portal.WeChat.Protocol.Links;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Component;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Localization;
using Portal.Web.Features.Ingestion;
using Portal.Web.Features.Pushes;

namespace Portal.Web.Features.Onboarding;

public static class OnboardingExtensions
{
    public static IHostApplicationBuilder AddPortalOnboarding(this IHostApplicationBuilder builder)
    {
        // Its endpoints word failures for machines from the resources (ErrorText.ForMachines).
        builder.Services.AddLocalization();
        builder.Services.AddOptions<OnboardingOptions>().BindConfiguration(OnboardingOptions.SectionName)
            .Validate(o => o.InviteLifetime > TimeSpan.Zero, "Onboarding:InviteLifetime must be positive")
            .Validate(o => o.RequiredPermissionSets.OfficialAccount.All(id => id > 0) && o.RequiredPermissionSets.MiniProgram.All(id => id > 0),
                "Onboarding:RequiredPermissionSets:OfficialAccount and :MiniProgram must list positive permission-set ids")
            .ValidateOnStart();
        builder.AddPortalIngestion();
        builder.Services.AddSingleton<ComponentTokenService>();
        builder.Services.AddSingleton<InviteTokens>();
        builder.Services.AddSingleton<AuthorizationExchanger>();
        builder.Services.AddSingleton<OnboardingService>();
        builder.Services.AddSingleton<StoreDirectory>();
        builder.Services.AddSingleton<InboxSignal>();
        builder.Services.AddSingleton<InboxProcessor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InboxProcessor>());
        return builder;
    }

    public static IEndpointRouteBuilder MapPortalOnboarding(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapComponentEvents();
        endpoints.MapPost("/api/shops/{shopId:int}/invites", CreateInviteAsync).RequireAuthorization(p => p.RequireRole(Roles.All)).RequireRateLimiting(Portal.Web.Infrastructure.RateLimitingExtensions.InvitesPolicy);
        return endpoints;
    }

    /// <summary>Body of <c>POST /api/shops/{shopId}/invites</c>.</summary>
    public sealed record InviteBody(int? AuthType, string? BizAppId, int[]? CategoryIds);

    private static async Task<IResult> CreateInviteAsync(int shopId, InviteBody body, ClaimsPrincipal user, HttpContext context, OnboardingService onboarding, Microsoft.Extensions.Localization.IStringLocalizer<Portal.Web.Resources.SharedResource> texts)
    {
        if (body.AuthType is { } type && !Enum.IsDefined((AuthType)type))
        {
            return Results.BadRequest(new { code = "bad_auth_type", message = "auth_type must be 1 to 6" });
        }

        try
        {
            var invite = await onboarding.CreateInviteAsync(
                Actor.From(user, context.Connection.RemoteIpAddress?.ToString()),
                shopId,
                new InviteRequest(body.AuthType is { } t ? (AuthType)t : null, body.BizAppId, body.CategoryIds ?? []),
                context.RequestAborted);
            return Results.Created(invite.LaunchPath, new { launchUrl = invite.LaunchPath, expiresAt = invite.ExpiresAt });
        }
        catch (PortalException ex) when (ex.Failure == FailureCode.Forbidden)
        {
            return Results.Json(new { code = ex.Code, message = texts.ForMachines(ex) }, statusCode: StatusCodes.Status403Forbidden);
        }
        catch (PortalException ex)
        {
            return Results.BadRequest(new { code = ex.Code, message = texts.ForMachines(ex) });
        }
    }
}
