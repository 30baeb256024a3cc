using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Client.Models;
using Portal.WeChat.Protocol.Errors;
using Portal.Web.Features.Data;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.Component;

/// <summary>
/// The component's credentials: the newest ticket, and a component_access_token obtained with it, cached until
/// shortly before expiry, persisted (encrypted) so a restart does not fetch a new one, and fetched single-flight:
/// concurrent needs make one call, in this process (a semaphore) and across instances (the <c>component-token</c> lease
/// in the database: an instance that finds another renewing waits for the token it writes). A call that WeChat answers
/// 40001/42001 renews the token once and is retried once.
/// </summary>
public sealed partial class ComponentTokenService(
    IDbContextFactory<PortalDbContext> dbFactory,
    ComponentApiClient client,
    TokenProtector protector,
    LeaseStore leases,
    TokenCache cache,
    SqliteWriteGate writes,
    TimeProvider time,
    IOptionsMonitor<WeChatOptions> options,
    ILogger<ComponentTokenService> logger)
{
    /// <summary>The lease under which one instance renews the component token; a renewal takes one WeChat call.</summary>
    public const string RenewLease = "component-token";

    private static readonly TimeSpan RenewLeaseDuration = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    /// <summary>The token in memory, with the <see cref="TokenCache.ComponentVersion"/> it was read at: another instance's renewal makes it stale.</summary>
    private sealed record Cached(string Token, DateTimeOffset ExpiresAt, long Version);

    private Cached? _cached;

    /// <summary>
    /// Stores a pushed ticket unless a newer one is already stored; returns whether it was stored. A single conditional
    /// update of the ticket columns only, so it never conflicts with a token renewal writing the token columns.
    /// </summary>
    public Task<bool> StoreTicketAsync(string ticket, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var protectedTicket = protector.Protect(ticket);
        // Through the write gate: on SQLite the push writer and this update take turns instead of one sleeping in the busy handler.
        return writes.RunAsync(() => StoreProtectedTicketAsync(protectedTicket, createdAt, cancellationToken), cancellationToken);
    }

    private async Task<bool> StoreProtectedTicketAsync(string protectedTicket, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var updated = await db.ComponentCredentials
                .Where(c => c.Id == ComponentCredential.SingletonId && (c.TicketCreatedAt == null || c.TicketCreatedAt <= createdAt))
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.TicketProtected, protectedTicket).SetProperty(c => c.TicketCreatedAt, createdAt)
                    .SetProperty(c => c.TicketReceivedAt, now).SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
            if (updated == 1)
            {
                return true;
            }

            if (await db.ComponentCredentials.AnyAsync(c => c.Id == ComponentCredential.SingletonId, cancellationToken))
            {
                LogOlderTicketIgnored(logger, createdAt, await db.ComponentCredentials.Select(c => c.TicketCreatedAt).FirstAsync(cancellationToken) ?? createdAt);
                return false;
            }

            try
            {
                db.ComponentCredentials.Add(new ComponentCredential { TicketProtected = protectedTicket, TicketCreatedAt = createdAt, TicketReceivedAt = now });
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }
            catch (DbUpdateException)
            {
                // Another request created the row first: go round once more and update it.
                db.ChangeTracker.Clear();
            }
        }

        return false;
    }

    /// <summary>A valid component_access_token, from memory, the database, or (single-flight) WeChat.</summary>
    public async Task<string> GetTokenAsync(CancellationToken cancellationToken) => (await GetTokenWithExpiryAsync(cancellationToken)).Token;

    /// <summary>A valid component_access_token and its expiry (more than <c>ComponentTokenRefreshMargin</c> ahead); from memory without database work while it is valid.</summary>
    public async ValueTask<(string Token, DateTimeOffset ExpiresAt)> GetTokenWithExpiryAsync(CancellationToken cancellationToken)
    {
        if (Usable(_cached) is { } cached)
        {
            return (cached.Token, cached.ExpiresAt);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Usable(_cached) is { } again)
            {
                return (again.Token, again.ExpiresAt);
            }

            var token = await leases.RunOnceAsync(RenewLease, RenewLeaseDuration, PersistedAsync, async ct =>
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                return new StrongBox<Cached>(await RenewLockedAsync(db, await db.ComponentCredentials.FindAsync([ComponentCredential.SingletonId], ct), ct));
            }, cancellationToken);
            return (token.Value!.Token, token.Value.ExpiresAt);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Renews now (the keep-alive job and ops use this); single-flight with <see cref="GetTokenAsync"/>, here and across instances.</summary>
    public async Task<DateTimeOffset> RenewAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var delay = TimeSpan.FromMilliseconds(25);
            string? owner;
            while ((owner = await leases.TryAcquireAsync(RenewLease, RenewLeaseDuration, cancellationToken)) is null)
            {
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(500, delay.TotalMilliseconds * 2));
            }

            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var row = await db.ComponentCredentials.FindAsync([ComponentCredential.SingletonId], cancellationToken);
                return (await RenewLockedAsync(db, row, cancellationToken)).ExpiresAt;
            }
            finally
            {
                await leases.ReleaseAsync(RenewLease, owner);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The stored token when it is still usable (another instance may have just renewed it), cached here too.</summary>
    private async Task<StrongBox<Cached>?> PersistedAsync(CancellationToken cancellationToken)
    {
        var version = cache.ComponentVersion;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.ComponentCredentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == ComponentCredential.SingletonId, cancellationToken);
        if (row?.AccessTokenProtected is { } stored && row.AccessTokenExpiresAt is { } storedExpiry && Usable(new Cached(protector.Unprotect(stored), storedExpiry, version)) is { } persisted)
        {
            _cached = persisted;
            return new StrongBox<Cached>(persisted);
        }

        return null;
    }

    /// <summary>Forgets a token WeChat called invalid, so the next need fetches a new one.</summary>
    public async Task InvalidateAsync(string token, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } current && current.Token == token)
            {
                _cached = null;
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var stored = await db.ComponentCredentials.Where(c => c.Id == ComponentCredential.SingletonId).Select(c => c.AccessTokenProtected).FirstOrDefaultAsync(cancellationToken);
            if (stored is not null && protector.Unprotect(stored) == token)
            {
                await db.ComponentCredentials.Where(c => c.Id == ComponentCredential.SingletonId && c.AccessTokenProtected == stored)
                    .ExecuteUpdateAsync(u => u.SetProperty(c => c.AccessTokenProtected, (string?)null).SetProperty(c => c.AccessTokenExpiresAt, (DateTimeOffset?)null)
                        .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs a call with the component token; on 40001/42001 renews the token once and retries once.</summary>
    public async Task<T> CallAsync<T>(Func<string, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(cancellationToken);
        try
        {
            return await call(token, cancellationToken);
        }
        catch (WeChatApiException ex) when (ex.Category == WeChatErrorCategory.TokenInvalid)
        {
            LogTokenRejected(logger, ex.Api, ex.ErrorCode);
            await InvalidateAsync(token, cancellationToken);
            return await call(await GetTokenAsync(cancellationToken), cancellationToken);
        }
    }

    private async Task<Cached> RenewLockedAsync(PortalDbContext db, ComponentCredential? row, CancellationToken cancellationToken)
    {
        if (row?.TicketProtected is not { } protectedTicket)
        {
            throw new PortalException(FailureCode.NoTicket);
        }

        var response = await client.GetComponentAccessTokenAsync(new GetComponentAccessTokenRequest(protector.Unprotect(protectedTicket)), cancellationToken);
        // On PostgreSQL the write below is announced to every instance, this one included: this copy then reloads once from the database.
        var expiresAt = time.GetUtcNow().AddSeconds(response.ExpiresIn);
        var protectedToken = protector.Protect(response.ComponentAccessToken);

        // Only the token columns: a ticket stored meanwhile (pushes arrive at any time) is neither lost nor a conflict.
        await db.ComponentCredentials.Where(c => c.Id == ComponentCredential.SingletonId)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.AccessTokenProtected, protectedToken).SetProperty(c => c.AccessTokenExpiresAt, expiresAt)
                .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
        var renewed = new Cached(response.ComponentAccessToken, expiresAt, cache.ComponentVersion);
        _cached = renewed;
        LogRenewed(logger, expiresAt);
        return renewed;
    }

    /// <summary>Usable: more than the refresh margin left, and no instance changed the stored token since it was read.</summary>
    private Cached? Usable(Cached? candidate)
        => candidate is { } c && c.Version == cache.ComponentVersion && time.GetUtcNow() < c.ExpiresAt - options.CurrentValue.ComponentTokenRefreshMargin ? c : null;

    /// <summary>Every authorizer in api_get_authorizer_list, page by page (500 each); stops early when <paramref name="stop"/> says so.</summary>
    public async Task<IReadOnlyList<AuthorizerListItem>> ListAuthorizersAsync(Func<AuthorizerListItem, bool>? stop, CancellationToken cancellationToken)
    {
        var items = new List<AuthorizerListItem>();
        for (var offset = 0; ; offset += GetAuthorizerListRequest.MaxCount)
        {
            var page = await CallAsync((t, ct) => client.GetAuthorizerListAsync(new GetAuthorizerListRequest(t, offset, GetAuthorizerListRequest.MaxCount), ct), cancellationToken);
            items.AddRange(page.List);
            if (page.List.Count == 0 || offset + page.List.Count >= page.TotalCount || (stop is not null && page.List.Any(stop)))
            {
                return items;
            }
        }
    }

    /// <summary>What ops see: the ticket's age and the token's expiry (never the values).</summary>
    public async Task<(DateTimeOffset? TicketReceivedAt, DateTimeOffset? TicketCreatedAt, DateTimeOffset? TokenExpiresAt)> StatusAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.ComponentCredentials.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        return (row?.TicketReceivedAt, row?.TicketCreatedAt, row?.AccessTokenExpiresAt);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Component access token renewed; valid until {ExpiresAt:u}")]
    private static partial void LogRenewed(ILogger logger, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "WeChat rejected the component token on {Api} ({ErrCode}); renewing once and retrying")]
    private static partial void LogTokenRejected(ILogger logger, string api, int errCode);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Ticket created at {CreatedAt:u} ignored: a newer one from {StoredAt:u} is stored")]
    private static partial void LogOlderTicketIgnored(ILogger logger, DateTimeOffset createdAt, DateTimeOffset storedAt);
}
