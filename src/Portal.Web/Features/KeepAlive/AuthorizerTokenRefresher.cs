using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Client.Models;
using Portal.WeChat.Protocol.Errors;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Features.KeepAlive;

/// <summary>An authorizer token row leased by a sweep page (<see cref="AuthorizerTokenRefresher.LeaseDueAsync"/>), as read with its lease.</summary>
public sealed record LeasedToken(AuthorizerToken Token, string AppId, string Owner, DateTimeOffset LeaseUntil);

/// <summary>What a sweep page's lease took, and why the others were not taken.</summary>
public sealed record LeasedPage(IReadOnlyList<LeasedToken> Leased, IReadOnlyList<(int AuthorizerId, RefreshOutcome Outcome)> NotLeased);

public enum RefreshOutcome
{
    Refreshed,
    Recovered,
    Busy,
    NotDue,
    Failed,
    NeedsReauthorization,
    Revoked,
    QuotaPaused,
    Gone,
}

/// <summary>
/// Refreshes one authorizer's token so that nothing is ever lost:
/// a lease (an atomic conditional update) keeps two refreshes of one authorizer from overlapping; the new access token
/// and the returned refresh token are written in one transaction guarded by the row version (a stale writer loses);
/// 61023 first recovers the refresh token from api_get_authorizer_info / api_get_authorizer_list (which also heals a
/// crash between WeChat's answer and our write in rotate mode) and only then marks the binding for re-authorization;
/// 61003 revokes; 45009 pauses the API until the quota resets; anything else backs off per authorizer.
/// </summary>
public sealed partial class AuthorizerTokenRefresher(
    IDbContextFactory<PortalDbContext> dbFactory,
    ComponentTokenService component,
    ComponentApiClient client,
    TokenProtector protector,
    TokenCache cache,
    SqliteWriteGate writes,
    RefreshSchedule schedule,
    AlertService alerts,
    OnboardingService onboarding,
    AuditLog audit,
    Microsoft.Extensions.Options.IOptionsMonitor<KeepAliveOptions> options,
    TimeProvider time,
    ILogger<AuthorizerTokenRefresher> logger)
{
    public const string RefreshApi = "api_authorizer_token";

    /// <summary>The meter of the keep-alive work (<c>dotnet-counters monitor --counters Portal.KeepAlive</c>, OpenTelemetry).</summary>
    public const string MeterName = "Portal.KeepAlive";

    private static readonly Meter Meter = new(MeterName);

    private static readonly string[] OutcomeNames = Enum.GetNames<RefreshOutcome>();

    /// <summary>Wall time of one refresh (lease, WeChat's answer, the write), in milliseconds, tagged with its outcome.</summary>
    private static readonly Histogram<double> RefreshDuration = Meter.CreateHistogram<double>("portal.keepalive.refresh.duration", "ms", "Wall time of one authorizer token refresh");

    private readonly string _owner = $"{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<int, Lazy<Task<RefreshOutcome>>> _inflight = new();

    /// <summary>Who holds the leases this process takes (one per process).</summary>
    public string LeaseOwner => _owner;

    /// <summary>Test seam: runs after WeChat answered and before the answer is written (a crash there must lose nothing).</summary>
    public Func<string, Task>? BeforePersist { get; set; }

    /// <summary>A token with less than this left is treated as expired by callers that hand it out (the token API).</summary>
    public static readonly TimeSpan UsableFor = TimeSpan.FromSeconds(30);

    /// <summary>Refreshes now, sharing the work with any refresh of the same authorizer already running in this process.</summary>
    /// <param name="onlyIfExpired">
    /// True for callers that found the token expired (the token API): a refresh that finished between their read and
    /// this call already did the work, so WeChat is not called again.
    /// </param>
    /// <param name="onlyIfDue">
    /// True for the sweep: the lease is taken only while the token is still due, so an authorizer another instance's
    /// sweep refreshed after both selected it is not refreshed a second time.
    /// </param>
    public Task<RefreshOutcome> RefreshAsync(int authorizerId, string reason, CancellationToken cancellationToken, bool onlyIfExpired = false, bool onlyIfDue = false)
    {
        var lazy = _inflight.GetOrAdd(authorizerId, id => new Lazy<Task<RefreshOutcome>>(() => TimedRefreshAsync(id, reason, onlyIfExpired, onlyIfDue)));
        return AwaitAndForget(authorizerId, lazy, cancellationToken);
    }

    private async Task<RefreshOutcome> AwaitAndForget(int authorizerId, Lazy<Task<RefreshOutcome>> lazy, CancellationToken cancellationToken)
    {
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (lazy.Value.IsCompleted)
            {
                _inflight.TryRemove(new KeyValuePair<int, Lazy<Task<RefreshOutcome>>>(authorizerId, lazy));
            }
        }
    }

    private Task<RefreshOutcome> TimedRefreshAsync(int authorizerId, string reason, bool onlyIfExpired, bool onlyIfDue)
        => TimedAsync(() => RefreshCoreAsync(authorizerId, reason, onlyIfExpired, onlyIfDue, CancellationToken.None));

    private static async Task<RefreshOutcome> TimedAsync(Func<Task<RefreshOutcome>> refresh)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = await refresh();
        RefreshDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("outcome", OutcomeNames[(int)outcome]));
        return outcome;
    }

    private async Task<RefreshOutcome> RefreshCoreAsync(int authorizerId, string reason, bool onlyIfExpired, bool onlyIfDue, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        if (await IsPausedAsync(db, now, cancellationToken))
        {
            return RefreshOutcome.QuotaPaused;
        }

        var leaseUntil = now + options.CurrentValue.LeaseDuration;
        var candidate = db.AuthorizerTokens.Where(t => t.AuthorizerId == authorizerId && (t.LeaseUntil == null || t.LeaseUntil < now));
        if (onlyIfDue)
        {
            candidate = candidate.Where(t => t.RefreshDueAt != null && t.RefreshDueAt <= now && (t.NextAttemptAt == null || t.NextAttemptAt <= now));
        }

        var acquired = await writes.RunAsync(() => candidate
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, _owner).SetProperty(t => t.LeaseUntil, leaseUntil).SetProperty(t => t.Version, t => t.Version + 1), cancellationToken), cancellationToken);
        if (acquired == 0)
        {
            var row = await db.AuthorizerTokens.AsNoTracking().Where(t => t.AuthorizerId == authorizerId).Select(t => new { t.LeaseUntil }).FirstOrDefaultAsync(cancellationToken);
            return row is null ? RefreshOutcome.Gone : onlyIfDue && (row.LeaseUntil == null || row.LeaseUntil < now) ? RefreshOutcome.NotDue : RefreshOutcome.Busy;
        }

        var token = await db.AuthorizerTokens.Include(t => t.Authorizer).SingleAsync(t => t.AuthorizerId == authorizerId, cancellationToken);
        var appId = token.Authorizer!.AppId;
        if (onlyIfExpired && token.AccessTokenProtected is not null && token.AccessTokenExpiresAt > now + UsableFor)
        {
            token.LeaseOwner = null;
            token.LeaseUntil = null;
            await writes.RunAsync(() => db.SaveChangesAsync(cancellationToken), cancellationToken);
            return RefreshOutcome.NotDue;
        }

        return await RefreshHeldAsync(db, token, appId, reason, cancellationToken);
    }

    /// <summary>The refresh of a row whose lease we hold, tracked by <paramref name="db"/>: WeChat, then the one guarded write.</summary>
    private async Task<RefreshOutcome> RefreshHeldAsync(PortalDbContext db, AuthorizerToken token, string appId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await RefreshWithRecoveryAsync(db, token, appId, cancellationToken);
            LogRefreshed(logger, appId, outcome, reason);
            return outcome;
        }
        catch (WeChatApiException ex)
        {
            return await HandleFailureAsync(db, token, appId, ex, cancellationToken);
        }
        catch (PortalException ex)
        {
            return await BackOffAsync(db, token, appId, new StoredFailure(FailureKind.Portal, Code: ex.Code), cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone else wrote this row since we took the lease (re-authorization, revocation): a stale writer loses.
            LogStale(logger, appId);
            return RefreshOutcome.Busy;
        }
    }

    private long _pages;

    /// <summary>
    /// The sweep's lease of a page of due authorizers: one conditional UPDATE takes every one of them that is still due,
    /// not backing off and not leased (by anyone, any instance), under an owner unique to this page; one SELECT reads
    /// them back with their appids. Those not taken come back with why (gone, no longer due, leased elsewhere, quota
    /// paused). Two gated statements per page instead of a lease and a read per authorizer, and no database connection
    /// is held while WeChat answers.
    /// </summary>
    public async Task<LeasedPage> LeaseDueAsync(IReadOnlyList<int> authorizerIds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (authorizerIds.Count == 0 || await IsPausedAsync(db, now, cancellationToken))
        {
            return new LeasedPage([], authorizerIds.Select(id => (id, RefreshOutcome.QuotaPaused)).ToList());
        }

        var owner = $"{_owner}/{Interlocked.Increment(ref _pages)}";
        var leaseUntil = now + options.CurrentValue.LeaseDuration;
        var ids = authorizerIds.ToArray();
        await writes.RunAsync(() => db.AuthorizerTokens
            .Where(t => ids.Contains(t.AuthorizerId) && (t.LeaseUntil == null || t.LeaseUntil < now)
                && t.RefreshDueAt != null && t.RefreshDueAt <= now && (t.NextAttemptAt == null || t.NextAttemptAt <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, owner).SetProperty(t => t.LeaseUntil, leaseUntil).SetProperty(t => t.Version, t => t.Version + 1), cancellationToken), cancellationToken);
        var rows = await db.AuthorizerTokens.AsNoTracking().Where(t => ids.Contains(t.AuthorizerId))
            .Select(t => new { Token = t, t.Authorizer!.AppId }).ToListAsync(cancellationToken);
        var leased = new List<LeasedToken>(rows.Count);
        var notLeased = new List<(int, RefreshOutcome)>();
        foreach (var row in rows)
        {
            if (row.Token.LeaseOwner == owner)
            {
                leased.Add(new LeasedToken(row.Token, row.AppId, owner, leaseUntil));
            }
            else
            {
                notLeased.Add((row.Token.AuthorizerId, row.Token.LeaseUntil == null || row.Token.LeaseUntil < now ? RefreshOutcome.NotDue : RefreshOutcome.Busy));
            }
        }

        notLeased.AddRange(ids.Except(rows.Select(r => r.Token.AuthorizerId)).Select(id => (id, RefreshOutcome.Gone)));
        return new LeasedPage(leased, notLeased);
    }

    /// <summary>
    /// Refreshes an authorizer the sweep leased with <see cref="LeaseDueAsync"/>, sharing the work with a refresh of the
    /// same authorizer already running in this process (then this lease is given back). A lease older than half of
    /// <c>KeepAlive:LeaseDuration</c> is not used to call WeChat (it could expire during the call): it is given back and
    /// the next sweep takes the authorizer.
    /// </summary>
    public Task<RefreshOutcome> RefreshLeasedAsync(LeasedToken leased, string reason)
    {
        var id = leased.Token.AuthorizerId;
        var mine = new Lazy<Task<RefreshOutcome>>(() => TimedAsync(() => RefreshLeasedCoreAsync(leased, reason)));
        var lazy = _inflight.GetOrAdd(id, mine);
        return ReferenceEquals(lazy, mine) ? AwaitAndForget(id, lazy, CancellationToken.None) : ShareAsync(leased, id, lazy);

        async Task<RefreshOutcome> ShareAsync(LeasedToken leased, int id, Lazy<Task<RefreshOutcome>> running)
        {
            await ReleaseLeasesAsync([leased]);
            return await AwaitAndForget(id, running, CancellationToken.None);
        }
    }

    private async Task<RefreshOutcome> RefreshLeasedCoreAsync(LeasedToken leased, string reason)
    {
        if (time.GetUtcNow() > leased.LeaseUntil - options.CurrentValue.LeaseDuration / 2)
        {
            await ReleaseLeasesAsync([leased]);
            return RefreshOutcome.Busy;
        }

        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        db.AuthorizerTokens.Attach(leased.Token);
        return await RefreshHeldAsync(db, leased.Token, leased.AppId, reason, CancellationToken.None);
    }

    /// <summary>Gives back page leases that were not used (a cancelled sweep, a shared refresh); only where the lease is still ours.</summary>
    public async Task ReleaseLeasesAsync(IReadOnlyCollection<LeasedToken> leases)
    {
        foreach (var group in leases.GroupBy(l => l.Owner))
        {
            var owner = group.Key;
            var ids = group.Select(l => l.Token.AuthorizerId).ToArray();
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await writes.RunAsync(() => db.AuthorizerTokens.Where(t => ids.Contains(t.AuthorizerId) && t.LeaseOwner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, (string?)null).SetProperty(t => t.LeaseUntil, (DateTimeOffset?)null).SetProperty(t => t.Version, t => t.Version + 1), CancellationToken.None), CancellationToken.None);
        }
    }

    private async Task<RefreshOutcome> RefreshWithRecoveryAsync(PortalDbContext db, AuthorizerToken token, string appId, CancellationToken cancellationToken)
    {
        var refreshToken = protector.Unprotect(token.RefreshTokenProtected);
        try
        {
            await PersistAsync(db, token, appId, await CallRefreshAsync(appId, refreshToken, cancellationToken), cancellationToken);
            return RefreshOutcome.Refreshed;
        }
        catch (WeChatApiException ex) when (ex.ErrorCode == WeChatErrorCodes.RefreshTokenInvalid)
        {
            var recovered = await RecoverRefreshTokenAsync(appId, cancellationToken);
            if (recovered is null || recovered == refreshToken)
            {
                throw;
            }

            LogRecovered(logger, appId);
            await PersistAsync(db, token, appId, await CallRefreshAsync(appId, recovered, cancellationToken), cancellationToken);
            await alerts.RaiseAsync("refresh_token_recovered", AlertSeverity.Info, appId, "61023 answered; the current refresh token was recovered from WeChat", cancellationToken: cancellationToken);
            return RefreshOutcome.Recovered;
        }
    }

    private Task<RefreshAuthorizerTokenResponse> CallRefreshAsync(string appId, string refreshToken, CancellationToken cancellationToken)
        => component.CallAsync((t, ct) => client.RefreshAuthorizerTokenAsync(new RefreshAuthorizerTokenRequest(t, appId, refreshToken), ct), cancellationToken);

    /// <summary>The access token and the refresh token WeChat returned, in one transaction, before anything uses them.</summary>
    private async Task PersistAsync(PortalDbContext db, AuthorizerToken token, string appId, RefreshAuthorizerTokenResponse response, CancellationToken cancellationToken)
    {
        if (BeforePersist is { } hook)
        {
            await hook(appId);
        }

        var now = time.GetUtcNow();
        var expiresAt = now.AddSeconds(response.ExpiresIn);
        token.AccessTokenProtected = protector.Protect(response.AuthorizerAccessToken);
        token.AccessTokenExpiresAt = expiresAt;
        token.RefreshTokenProtected = protector.Protect(response.AuthorizerRefreshToken);
        token.RefreshDueAt = schedule.DueAt(appId, expiresAt);
        token.LastRefreshedAt = now;
        token.ConsecutiveFailures = 0;
        token.RecordLastFailure(null);
        token.NextAttemptAt = null;
        token.LeaseOwner = null;
        token.LeaseUntil = null;
        try
        {
            await writes.RunAsync(() => db.SaveChangesAsync(CancellationToken.None), CancellationToken.None);
        }
        finally
        {
            // The token API's copy of the old token goes now (other instances: the database's notification).
            cache.AuthorizerChanged(appId);
        }
    }

    /// <summary>61023: the refresh token WeChat holds now, from api_get_authorizer_info, else api_get_authorizer_list.</summary>
    public async Task<string?> RecoverRefreshTokenAsync(string appId, CancellationToken cancellationToken)
    {
        try
        {
            var info = await component.CallAsync((t, ct) => client.GetAuthorizerInfoAsync(new GetAuthorizerInfoRequest(t, appId), ct), cancellationToken);
            if (info.AuthorizationInfo.AuthorizerRefreshToken is { Length: > 0 } fromInfo)
            {
                return fromInfo;
            }
        }
        catch (WeChatApiException ex) when (ex.Category is not WeChatErrorCategory.Revoked)
        {
            LogRecoveryStep(logger, appId, "api_get_authorizer_info", ex.ErrorCode);
        }

        var listed = await component.ListAuthorizersAsync(i => i.AuthorizerAppId == appId, cancellationToken);
        return listed.FirstOrDefault(i => i.AuthorizerAppId == appId)?.RefreshToken;
    }

    private async Task<RefreshOutcome> HandleFailureAsync(PortalDbContext db, AuthorizerToken token, string appId, WeChatApiException ex, CancellationToken cancellationToken)
    {
        switch (ex.Category)
        {
            case WeChatErrorCategory.Revoked:
                await ReleaseAsync(db, token, StoredFailure.WeChat(ex.Api, ex.ErrorCode));
                await onboarding.RevokeAsync(appId, cancellationToken);
                await alerts.RaiseAsync("authorizer_revoked", AlertSeverity.Warning, appId, "WeChat answered 61003: the account no longer authorizes the platform", cancellationToken: cancellationToken);
                return RefreshOutcome.Revoked;

            case WeChatErrorCategory.NeedsReauthorization:
                token.ConsecutiveFailures++;
                token.NextAttemptAt = null;
                token.RefreshDueAt = null;
                await ReleaseAsync(db, token, new StoredFailure(FailureKind.RefreshTokenLost, ex.Api, ex.ErrorCode));
                await MarkNeedsReauthorizationAsync(appId, cancellationToken);
                await alerts.RaiseAsync("needs_reauthorization", AlertSeverity.Critical, appId, "The refresh token is invalid and could not be recovered from WeChat: the administrator must authorize again", cancellationToken: cancellationToken);
                return RefreshOutcome.NeedsReauthorization;

            case WeChatErrorCategory.Quota:
                await PauseAsync(db, ex.Api);
                await ReleaseAsync(db, token, StoredFailure.WeChat(ex.Api, ex.ErrorCode));
                await alerts.RaiseAsync("quota_exhausted", AlertSeverity.Critical, ex.Api, "WeChat answered 45009: calls to this API are paused until the daily quota resets (midnight, Beijing time)", cancellationToken: cancellationToken);
                return RefreshOutcome.QuotaPaused;

            default:
                return await BackOffAsync(db, token, appId, StoredFailure.WeChat(ex.Api, ex.ErrorCode), cancellationToken);
        }
    }

    private async Task<RefreshOutcome> BackOffAsync(PortalDbContext db, AuthorizerToken token, string appId, StoredFailure error, CancellationToken cancellationToken)
    {
        token.ConsecutiveFailures++;
        var delay = TimeSpan.FromSeconds(Math.Min(900, 15 * Math.Pow(2, Math.Min(token.ConsecutiveFailures - 1, 10))));
        token.NextAttemptAt = time.GetUtcNow() + delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 5000));
        await ReleaseAsync(db, token, error);
        LogFailed(logger, appId, error.ToString(), token.ConsecutiveFailures);
        if (token.ConsecutiveFailures == 5)
        {
            await alerts.RaiseAsync("refresh_failing", AlertSeverity.Warning, appId, $"5 refreshes in a row failed; last error: {error}", cancellationToken: cancellationToken);
        }

        return RefreshOutcome.Failed;
    }

    private static async Task ReleaseAsync(PortalDbContext db, AuthorizerToken token, StoredFailure? error)
    {
        token.LeaseOwner = null;
        token.LeaseUntil = null;
        if (error is not null)
        {
            token.RecordLastFailure(error);
        }

        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The row changed under us (revoked or re-authorized meanwhile): our write is stale and is dropped.
        }
    }

    private async Task MarkNeedsReauthorizationAsync(string appId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var authorizerId = await db.Authorizers.Where(a => a.AppId == appId).Select(a => a.Id).SingleAsync(cancellationToken);
        foreach (var binding in await db.Bindings.Where(b => b.AuthorizerId == authorizerId && b.State != BindingState.Revoked && b.State != BindingState.NeedsReauthorization).ToListAsync(cancellationToken))
        {
            BindingTransition.Apply(db, audit, binding, appId, BindingState.NeedsReauthorization, "refresh token invalid (61023) and not recoverable", Actor.System, time.GetUtcNow());
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private (DateTimeOffset CheckedAt, DateTimeOffset? PausedUntil) _pause;

    /// <summary>Whether api_authorizer_token is paused for quota; read from the database at most every few seconds.</summary>
    private async Task<bool> IsPausedAsync(PortalDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cached = _pause;
        if (now - cached.CheckedAt > TimeSpan.FromSeconds(5) || now < cached.CheckedAt)
        {
            var until = await db.ApiPauses.Where(p => p.Api == RefreshApi).Select(p => (DateTimeOffset?)p.PausedUntil).FirstOrDefaultAsync(cancellationToken);
            cached = _pause = (now, until);
        }

        return cached.PausedUntil > now;
    }

    private async Task PauseAsync(PortalDbContext db, string api)
    {
        var beijing = time.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var resetsAt = new DateTimeOffset(beijing.Date.AddDays(1), TimeSpan.FromHours(8)).ToUniversalTime();
        var pause = await db.ApiPauses.FindAsync(api);
        if (pause is null)
        {
            db.ApiPauses.Add(new ApiPause { Api = api, PausedUntil = resetsAt, Reason = "45009" });
        }
        else
        {
            pause.PausedUntil = resetsAt;
        }

        if (api == RefreshApi)
        {
            _pause = (time.GetUtcNow(), resetsAt);
        }
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Debug, Message = "Token of {AuthorizerAppId}: {Outcome} ({Reason})")]
    private static partial void LogRefreshed(ILogger logger, string authorizerAppId, RefreshOutcome outcome, string reason);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Refresh of {AuthorizerAppId} failed ({Error}); failure {Failures} in a row, backing off")]
    private static partial void LogFailed(ILogger logger, string authorizerAppId, string error, int failures);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "Refresh token of {AuthorizerAppId} was invalid; the current one was recovered from WeChat")]
    private static partial void LogRecovered(ILogger logger, string authorizerAppId);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Warning, Message = "Refresh of {AuthorizerAppId} lost to a newer write; nothing of ours was stored")]
    private static partial void LogStale(ILogger logger, string authorizerAppId);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Information, Message = "Refresh-token recovery for {AuthorizerAppId}: {Api} answered {ErrCode}")]
    private static partial void LogRecoveryStep(ILogger logger, string authorizerAppId, string api, int errCode);
}
