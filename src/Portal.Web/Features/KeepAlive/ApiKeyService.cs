using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.Identity;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.KeepAlive;

/// <summary>What a new API key may read: the component token, every authorizer, or only the listed authorizers.</summary>
public sealed record ApiKeyRequest(string Name, bool ComponentToken, bool AllAuthorizers, IReadOnlyCollection<string> AuthorizerAppIds);

/// <summary>
/// API keys for the token service: shown once at creation, stored as a sha256 hash, scoped (component token, all
/// authorizers or a listed set), revocable, audited. Only a currently enabled Ops or Admin user manages them.
/// </summary>
public sealed class ApiKeyService(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, ActorRights rights, TokenCache cache, TimeProvider time)
{
    /// <summary>At most this many authorizers may be listed on one key.</summary>
    public const int MaxListedAuthorizers = 200;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public async Task<IReadOnlyList<ApiKey>> ListAsync(Actor actor, CancellationToken cancellationToken)
    {
        await rights.DemandAsync(actor, cancellationToken, Roles.Ops, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.Id).ToListAsync(cancellationToken);
    }

    public async Task<(ApiKey Key, string Secret)> CreateAsync(Actor actor, ApiKeyRequest request, CancellationToken cancellationToken)
    {
        await rights.DemandAsync(actor, cancellationToken, Roles.Ops, Roles.Admin);
        var name = request.Name?.Trim() ?? string.Empty;
        if (name.Length is 0 or > 100)
        {
            throw new PortalException(FailureCode.BadKeyName);
        }

        var listed = request.AllAuthorizers ? [] : request.AuthorizerAppIds.Select(a => a.Trim()).Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (listed.Any(a => !WeChatOptionsValidator.IsAppId(a)) || listed.Count > MaxListedAuthorizers)
        {
            throw new PortalException(FailureCode.BadKeyAppIds, MaxListedAuthorizers);
        }

        var scope = (request.ComponentToken ? ApiKeyScope.ComponentToken : ApiKeyScope.None)
            | (request.AllAuthorizers ? ApiKeyScope.AllAuthorizers : ApiKeyScope.None)
            | (listed.Count > 0 ? ApiKeyScope.ListedAuthorizers : ApiKeyScope.None);
        if (scope == ApiKeyScope.None)
        {
            throw new PortalException(FailureCode.BadKeyScope);
        }

        var secret = "pk_" + RandomNumberGenerator.GetString(Alphabet, 40);
        var key = new ApiKey
        {
            Name = name,
            Prefix = secret[..10],
            KeyHash = Hash(secret),
            CreatedBy = actor.Name,
            CreatedAt = time.GetUtcNow(),
            Scope = scope,
            AuthorizerAppIds = listed.Count == 0 ? null : string.Join('|', listed),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(key);
        audit.Add(db, actor, "apikey.created", $"apikey:{key.Prefix}", $"{key.Name}; scope {scope}{(listed.Count > 0 ? "; " + listed.Count + " authorizers" : "")}");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            // A key remembered as unknown may be this one now.
            cache.ApiKeysChanged();
        }

        return (key, secret);
    }

    public async Task RevokeAsync(Actor actor, int id, CancellationToken cancellationToken)
    {
        await rights.DemandAsync(actor, cancellationToken, Roles.Ops, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken)
            ?? throw new PortalException(FailureCode.KeyNotFound);
        key.RevokedAt ??= time.GetUtcNow();
        audit.Add(db, actor, "apikey.revoked", $"apikey:{key.Prefix}", key.Name);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            // Refused from the next request on, on this instance; other instances hear it from the database (TokenCacheListener).
            cache.ApiKeysChanged();
        }
    }

    /// <summary>
    /// The key a presented secret belongs to (revoked ones included, so callers can answer 403), or null; from memory
    /// when it was verified before (by the key's sha256, compared in constant time), else from the database. The use is
    /// recorded in memory and written out by <see cref="FlushUsageAsync"/>, so a verified key costs no database work.
    /// </summary>
    public async ValueTask<CachedApiKey?> VerifyAsync(string presented, CancellationToken cancellationToken)
    {
        if (presented.Length > 200)
        {
            return null;
        }

        var hashBytes = HashBytes(presented);
        var hash = Convert.ToHexStringLower(hashBytes);
        if (!cache.TryGetKey(hash, out var key))
        {
            var epoch = cache.Epoch;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var row = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash, cancellationToken);
            key = row is null ? null : new CachedApiKey(row, Convert.FromHexString(row.KeyHash));
            cache.PutKey(hash, key, epoch);
        }

        if (key is null || !CryptographicOperations.FixedTimeEquals(key.Hash, hashBytes))
        {
            return null;
        }

        if (!key.Revoked)
        {
            key.MarkUsed(time.GetUtcNow());
        }

        return key;
    }

    /// <summary>Writes the last use of every key used since it was last written (at most once a minute per key; the flusher's job).</summary>
    public async Task<int> FlushUsageAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var key in cache.Keys)
        {
            if (key.UsedAt is { } used && (key.LastUsedAt is null || used - key.LastUsedAt >= TimeSpan.FromMinutes(1)))
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                await db.ApiKeys.Where(k => k.Id == key.Id && k.RevokedAt == null && (k.LastUsedAt == null || k.LastUsedAt < used))
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, used), cancellationToken);
                key.LastUsedAt = used;
                written++;
            }
        }

        return written;
    }

    private static byte[] HashBytes(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
