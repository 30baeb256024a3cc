using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Client.Models;
using Portal.WeChat.Protocol.Errors;
using Portal.WeChat.Protocol.Permissions;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;

namespace Portal.Web.Features.Onboarding;

/// <summary>
/// Exchanges each authorization code with api_query_auth exactly once, however many times it arrives (the redirect
/// and the authorized push race each other): concurrent requests for one code share one call, and a code already
/// exchanged is answered from the database. Across instances (the redirect on one, the push on another) the
/// <c>auth-code:{hash}</c> lease in the database lets one instance call WeChat; the other waits for its record. The tokens and granted sets are persisted (tokens encrypted) in the same
/// transaction that records the exchange, before anything uses them; the account's details are fetched after.
/// </summary>
public sealed partial class AuthorizationExchanger(
    IDbContextFactory<PortalDbContext> dbFactory,
    ComponentTokenService component,
    ComponentApiClient client,
    TokenProtector protector,
    LeaseStore leases,
    KeepAlive.RefreshSchedule schedule,
    KeepAlive.Jobs.IRefreshScheduling refreshes,
    Portal.Web.Features.Data.TokenCache tokenCache,
    TimeProvider time,
    ILogger<AuthorizationExchanger> logger)
{
    /// <summary>How long another instance waits on an exchange whose instance died before recording it.</summary>
    public static readonly TimeSpan ExchangeLeaseDuration = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Lazy<Task<ExchangedCode>>> _inflight = new(StringComparer.Ordinal);

    /// <summary>
    /// The record of the code (its authorizer and the attempt it is recorded for), exchanging it if nobody has yet. The
    /// first caller's claim is what gets recorded; callers compare it with their own before using the result.
    /// </summary>
    public async Task<ExchangedCode> ExchangeOnceAsync(string authCode, ExchangeClaim claim, CancellationToken cancellationToken)
    {
        var hash = InviteTokens.Hash(authCode);
        var lazy = _inflight.GetOrAdd(hash, _ => new Lazy<Task<ExchangedCode>>(() => leases.RunOnceAsync(
            "auth-code:" + hash, ExchangeLeaseDuration, ct => FindAsync(hash, ct), ct => ExchangeAsync(authCode, hash, claim, ct), CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (lazy.Value.IsCompleted)
            {
                _inflight.TryRemove(new KeyValuePair<string, Lazy<Task<ExchangedCode>>>(hash, lazy));
            }
        }
    }

    /// <summary>Runs only under the code's lease after <see cref="FindAsync"/> found no record (see <see cref="ExchangeOnceAsync"/>).</summary>
    private async Task<ExchangedCode> ExchangeAsync(string authCode, string hash, ExchangeClaim claim, CancellationToken cancellationToken)
    {
        QueryAuthorizationResponse response;
        try
        {
            response = await component.CallAsync((token, ct) => client.QueryAuthorizationAsync(new QueryAuthorizationRequest(token, authCode), ct), cancellationToken);
        }
        catch (WeChatApiException ex) when (ex.ErrorCode == WeChatErrorCodes.InvalidAuthCode)
        {
            if (await FindAsync(hash, cancellationToken) is { } raced)
            {
                return raced;
            }

            throw;
        }

        var info = response.AuthorizationInfo;
        await PersistGrantAsync(info, hash, claim, cancellationToken);
        await refreshes.ScheduleFirstRefreshAsync(info.AuthorizerAppId, info.ExpiresIn is { } s ? schedule.DueAt(info.AuthorizerAppId, time.GetUtcNow().AddSeconds(s)) : time.GetUtcNow(), cancellationToken);
        LogExchanged(logger, info.AuthorizerAppId, info.FuncInfo.Count);
        await SyncDetailsAsync(info.AuthorizerAppId, cancellationToken);
        return new ExchangedCode(info.AuthorizerAppId, claim.AttemptId, claim.PreAuthCodeHash);
    }

    /// <summary>The record of a code already exchanged, or null.</summary>
    public async Task<ExchangedCode?> FindAsync(string codeHash, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ExchangedAuthCodes.AsNoTracking().Where(c => c.CodeHash == codeHash)
            .Select(c => new ExchangedCode(c.AuthorizerAppId, c.AttemptId, c.PreAuthCodeHash))
            .FirstOrDefaultAsync(cancellationToken);
    }

    private async Task PersistGrantAsync(AuthorizationInfo info, string codeHash, ExchangeClaim claim, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var authorizer = await db.Authorizers.Include(a => a.Permissions).Include(a => a.Token).FirstOrDefaultAsync(a => a.AppId == info.AuthorizerAppId, cancellationToken);
        if (authorizer is null)
        {
            authorizer = new Authorizer { AppId = info.AuthorizerAppId, Kind = GuessKind(info) };
            db.Authorizers.Add(authorizer);
        }

        authorizer.IsAuthorized = true;
        authorizer.AuthorizedAt = now;
        ReplacePermissions(db, authorizer, info.FuncInfo);

        if (info.AuthorizerRefreshToken is { Length: > 0 } refresh)
        {
            authorizer.Token ??= new AuthorizerToken { RefreshTokenProtected = string.Empty };
            var token = authorizer.Token;
            token.RefreshTokenProtected = protector.Protect(refresh);
            token.AccessTokenProtected = info.AuthorizerAccessToken is { Length: > 0 } access ? protector.Protect(access) : null;
            token.AccessTokenExpiresAt = info.ExpiresIn is { } seconds ? now.AddSeconds(seconds) : null;
            token.RefreshDueAt = token.AccessTokenExpiresAt is { } expiresAt ? schedule.DueAt(info.AuthorizerAppId, expiresAt) : now;
            token.LastRefreshedAt = now;
            token.ConsecutiveFailures = 0;
            token.RecordLastFailure(null);
            token.NextAttemptAt = null;
        }

        db.ExchangedAuthCodes.Add(new ExchangedAuthCode { CodeHash = codeHash, AuthorizerAppId = info.AuthorizerAppId, ExchangedAt = now, AttemptId = claim.AttemptId, PreAuthCodeHash = claim.PreAuthCodeHash });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            tokenCache.AuthorizerChanged(info.AuthorizerAppId);
        }
    }

    /// <summary>Fetches api_get_authorizer_info and stores the details and granted sets; failures leave them for a later resync.</summary>
    public async Task<bool> SyncDetailsAsync(string appId, CancellationToken cancellationToken)
    {
        GetAuthorizerInfoResponse response;
        try
        {
            response = await component.CallAsync((token, ct) => client.GetAuthorizerInfoAsync(new GetAuthorizerInfoRequest(token, appId), ct), cancellationToken);
        }
        catch (Exception ex) when (ex is WeChatApiException or PortalException)
        {
            LogSyncFailed(logger, appId, ex.Message);
            return false;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var authorizer = await db.Authorizers.Include(a => a.Permissions).FirstAsync(a => a.AppId == appId, cancellationToken);
        var details = response.AuthorizerInfo;
        authorizer.Kind = details.IsMiniProgram ? AuthorizerKind.MiniProgram : AuthorizerKind.OfficialAccount;
        authorizer.NickName = details.NickName;
        authorizer.HeadImg = details.HeadImg;
        authorizer.UserName = details.UserName;
        authorizer.PrincipalName = details.PrincipalName;
        authorizer.Alias = details.Alias;
        authorizer.QrcodeUrl = details.QrcodeUrl;
        authorizer.Signature = details.Signature;
        authorizer.ServiceType = details.ServiceTypeInfo.Id;
        authorizer.VerifyType = details.VerifyTypeInfo.Id;
        authorizer.AccountStatus = details.AccountStatus ?? 1;
        authorizer.MiniProgramInfoJson = details.MiniProgramInfo is null ? null : JsonSerializer.Serialize(details.MiniProgramInfo);
        authorizer.LastSyncedAt = time.GetUtcNow();
        if (response.AuthorizationInfo.FuncInfo.Count > 0)
        {
            ReplacePermissions(db, authorizer, response.AuthorizationInfo.FuncInfo);
        }

        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private static void ReplacePermissions(PortalDbContext db, Authorizer authorizer, IReadOnlyList<FuncInfo> funcInfo)
    {
        db.AuthorizerPermissions.RemoveRange(authorizer.Permissions);
        authorizer.Permissions = funcInfo
            .GroupBy(f => f.FuncScopeCategory.Id)
            .Select(g => g.First())
            .Select(f => new AuthorizerPermission
            {
                SetId = f.FuncScopeCategory.Id,
                NeedConfirm = f.ConfirmInfo?.NeedConfirm ?? 0,
                AlreadyConfirm = f.ConfirmInfo?.AlreadyConfirm ?? 0,
                CanConfirm = f.ConfirmInfo?.CanConfirm ?? 0,
            })
            .ToList();
    }

    private static AuthorizerKind GuessKind(AuthorizationInfo info)
        => info.FuncInfo.Any(f => FuncScopeCatalog.Get(f.FuncScopeCategory.Id).Side == AccountSide.MiniProgram) ? AuthorizerKind.MiniProgram : AuthorizerKind.OfficialAccount;

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Authorization code exchanged for {AuthorizerAppId} ({SetCount} permission sets)")]
    private static partial void LogExchanged(ILogger logger, string authorizerAppId, int setCount);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Could not fetch the details of {AuthorizerAppId}: {Error}")]
    private static partial void LogSyncFailed(ILogger logger, string authorizerAppId, string error);
}
