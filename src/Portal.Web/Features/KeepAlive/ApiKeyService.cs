using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Component;
using Portal.Web.Features.Identity;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.KeepAlive;

/// <summary>What a new API key may read: the component token, every authorizer, or only the listed authorizers.</summary>
public sealed record ApiKeyRequest(string Name, bool ComponentToken, bool AllAuthorizers, IReadOnlyCollection<string> AuthorizerAppIds);

/// <summary>
/// API keys for the token service: shown once at creation, stored as a sha256 hash, scoped (component token, all
/// authorizers or a listed set), revocable, audited. Only a currently enabled Ops or Admin user manages them.
/// </summary>
public sealed class ApiKeyService(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, ActorRights rights, TimeProvider time)
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
        await db.SaveChangesAsync(cancellationToken);
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
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The key a presented secret belongs to (revoked ones included, so callers can answer 403), or null.</summary>
    public async Task<ApiKey?> FindAsync(string presented, CancellationToken cancellationToken)
    {
        if (presented.Length > 200)
        {
            return null;
        }

        var hash = Hash(presented);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.KeyHash == hash, cancellationToken);
        var now = time.GetUtcNow();
        if (key is { RevokedAt: null } && (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1)))
        {
            key.LastUsedAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }

        return key;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
