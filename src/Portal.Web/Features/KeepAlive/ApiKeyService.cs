using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Audit;

namespace Portal.Web.Features.KeepAlive;

/// <summary>API keys for the token service: shown once at creation, stored as a sha256 hash, revocable, audited.</summary>
public sealed class ApiKeyService(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider time)
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public async Task<(ApiKey Key, string Secret)> CreateAsync(Actor actor, string name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            throw new Component.PortalException("bad_key_name", "请填写 1 到 100 个字符的名称。", "Give the key a name of 1 to 100 characters.");
        }

        var secret = "pk_" + RandomNumberGenerator.GetString(Alphabet, 40);
        var key = new ApiKey { Name = name.Trim(), Prefix = secret[..10], KeyHash = Hash(secret), CreatedBy = actor.Name, CreatedAt = time.GetUtcNow() };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(key);
        audit.Add(db, actor, "apikey.created", $"apikey:{key.Prefix}", key.Name);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret);
    }

    public async Task RevokeAsync(Actor actor, int id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.SingleAsync(k => k.Id == id, cancellationToken);
        key.RevokedAt ??= time.GetUtcNow();
        audit.Add(db, actor, "apikey.revoked", $"apikey:{key.Prefix}", key.Name);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The key a presented secret belongs to (revoked ones included, so callers can answer 403), or null.</summary>
    public async Task<ApiKey?> FindAsync(string presented, CancellationToken cancellationToken)
    {
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
