using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.Localization;

namespace Portal.Web.Features.KeepAlive;

/// <summary>
/// The token service for internal systems ("中控"): they get valid tokens from here instead of refreshing their own
/// (which would invalidate each other's). Answers from memory (<see cref="TokenCache"/>: the verified key and the
/// decrypted current token, no database work), else from the stored token; only an expired one makes the caller wait
/// for a single-flight refresh. API keys in <c>Authorization: Bearer …</c> or <c>X-Api-Key</c>.
/// </summary>
public static class TokenApi
{
    public static IEndpointRouteBuilder MapTokenApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").AddEndpointFilter(RequireApiKeyAsync).DisableAntiforgery().AllowAnonymous().RequireRateLimiting(Portal.Web.Infrastructure.RateLimitingExtensions.TokenApiPolicy);
        api.MapGet("/authorizers/{appId}/access-token", AuthorizerTokenAsync);
        api.MapGet("/component/access-token", ComponentTokenAsync);
        return endpoints;
    }

    private static async ValueTask<object?> RequireApiKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : http.Request.Headers["X-Api-Key"].ToString();
        if (string.IsNullOrEmpty(presented))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new { code = "api_key_required", message = "Send an API key as 'Authorization: Bearer <key>'." }, statusCode: StatusCodes.Status401Unauthorized);
        }

        var key = await http.RequestServices.GetRequiredService<ApiKeyService>().VerifyAsync(presented, http.RequestAborted);
        if (key is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Results.Json(new { code = "api_key_invalid", message = "The API key is not known." }, statusCode: StatusCodes.Status401Unauthorized);
        }

        if (key.Revoked)
        {
            return Results.Json(new { code = "api_key_revoked", message = "The API key was revoked." }, statusCode: StatusCodes.Status403Forbidden);
        }

        http.Items[typeof(CachedApiKey)] = key;
        return await next(context);
    }

    /// <summary>The key's scope decides; the answer is the same whether or not the appid is known, so a key learns nothing outside it.</summary>
    private static IResult? OutOfScope(HttpContext http, Func<CachedApiKey, bool> allows)
        => http.Items[typeof(CachedApiKey)] is CachedApiKey key && allows(key)
            ? null
            : Results.Json(new { code = "api_key_scope", message = "The API key may not read this token." }, statusCode: StatusCodes.Status403Forbidden);

    private static async Task<IResult> AuthorizerTokenAsync(string appId, HttpContext http, TokenCache cache, IDbContextFactory<PortalDbContext> dbFactory, AuthorizerTokenRefresher refresher, TokenProtector protector, TimeProvider time, CancellationToken cancellationToken)
    {
        if (OutOfScope(http, key => key.AllowsAuthorizer(appId)) is { } refused)
        {
            return refused;
        }

        if (cache.Token(appId, AuthorizerTokenRefresher.UsableFor) is { } cached)
        {
            return Answer(appId, cached.AccessToken, cached.ExpiresAt, time);
        }

        var epoch = cache.Epoch;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var authorizer = await db.Authorizers.AsNoTracking().Include(a => a.Token).FirstOrDefaultAsync(a => a.AppId == appId, cancellationToken);
            if (authorizer is not { IsAuthorized: true, Token: not null })
            {
                return Results.Json(new { code = "unknown_authorizer", message = "No active authorization for this appid." }, statusCode: StatusCodes.Status404NotFound);
            }

            if (Valid(authorizer.Token.AccessTokenProtected, authorizer.Token.AccessTokenExpiresAt, time) is { } stored)
            {
                return Remember(cache, appId, authorizer.Id, protector.Unprotect(stored.Token), stored.ExpiresAt, epoch, time);
            }

            await refresher.RefreshAsync(authorizer.Id, "token-api", cancellationToken, onlyIfExpired: true);
        }

        epoch = cache.Epoch;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var token = await db.AuthorizerTokens.AsNoTracking().Include(t => t.Authorizer).FirstOrDefaultAsync(t => t.Authorizer!.AppId == appId, cancellationToken);
            if (token?.Authorizer is not { IsAuthorized: true })
            {
                return Results.Json(new { code = "unknown_authorizer", message = "No active authorization for this appid." }, statusCode: StatusCodes.Status404NotFound);
            }

            return Valid(token.AccessTokenProtected, token.AccessTokenExpiresAt, time) is { } fresh
                ? Remember(cache, appId, token.AuthorizerId, protector.Unprotect(fresh.Token), fresh.ExpiresAt, epoch, time)
                : Results.Json(new { code = "refresh_failed", message = "The token is expired and could not be refreshed now; retry shortly.", last_error = token.LastFailure()?.ToString(), last_failure = token.LastFailure() is { } f ? new { kind = f.Kind.ToString(), api = f.Api, errcode = f.ErrCode, code = f.Code } : null }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<IResult> ComponentTokenAsync(HttpContext http, ComponentTokenService component, Microsoft.Extensions.Options.IOptions<WeChat.WeChatOptions> wechat, Microsoft.Extensions.Localization.IStringLocalizer<Portal.Web.Resources.SharedResource> texts, TimeProvider time, CancellationToken cancellationToken)
    {
        if (OutOfScope(http, key => key.Allows(ApiKeyScope.ComponentToken)) is { } refused)
        {
            return refused;
        }

        try
        {
            // From the service's memory while valid (it renews 10 minutes before expiry); the expiry comes with it.
            var (token, expiry) = await component.GetTokenWithExpiryAsync(cancellationToken);
            return Results.Json(new { component_appid = wechat.Value.ComponentAppId, access_token = token, expires_at = expiry, expires_in = (int)Math.Max(0, (expiry - time.GetUtcNow()).TotalSeconds) });
        }
        catch (PortalException ex)
        {
            return Results.Json(new { code = ex.Code, message = texts.ForMachines(ex) }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static (string Token, DateTimeOffset ExpiresAt)? Valid(string? protectedToken, DateTimeOffset? expiresAt, TimeProvider time)
        => protectedToken is not null && expiresAt is { } e && e > time.GetUtcNow() + AuthorizerTokenRefresher.UsableFor ? (protectedToken, e) : null;

    /// <summary>Answers a token just read from the database and keeps it for the next requests (unless it changed meanwhile).</summary>
    private static IResult Remember(TokenCache cache, string appId, int authorizerId, string token, DateTimeOffset expiresAt, long epoch, TimeProvider time)
    {
        cache.Put(appId, new CachedAuthorizerToken(authorizerId, token, expiresAt), epoch);
        return Answer(appId, token, expiresAt, time);
    }

    private static IResult Answer(string appId, string token, DateTimeOffset expiresAt, TimeProvider time)
        => Results.Json(new { authorizer_appid = appId, access_token = token, expires_at = expiresAt, expires_in = (int)(expiresAt - time.GetUtcNow()).TotalSeconds });
}
