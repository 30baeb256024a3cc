using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;

namespace Portal.Web.Features.Data;

/// <summary>The <c>TokenApi</c> section: the token API's in-memory cache.</summary>
public sealed class TokenCacheOptions
{
    public const string SectionName = "TokenApi";

    /// <summary>False: every token-API request reads the database (as before the cache).</summary>
    public bool Cache { get; set; } = true;

    /// <summary>The most authorizer tokens held; when full, expired entries are dropped first, then all (the next requests reload).</summary>
    public int CacheMaxEntries { get; set; } = 200_000;

    /// <summary>
    /// PostgreSQL (several instances): how long the cache is still trusted after the notification listener last proved its
    /// connection alive. Beyond it every request reads the database until the listener is back. The bound on how long a
    /// change made on another instance can go unseen when notifications are lost.
    /// </summary>
    public TimeSpan NotificationStaleness { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>A decrypted current authorizer token as the token API hands it out (plain text: process memory only, never logged).</summary>
public sealed record CachedAuthorizerToken(int AuthorizerId, string AccessToken, DateTimeOffset ExpiresAt);

/// <summary>What an API key may read, as verified from its row (the key itself is never kept, only its sha256).</summary>
public sealed class CachedApiKey
{
    public CachedApiKey(ApiKey row, byte[] hash)
    {
        Id = row.Id;
        Prefix = row.Prefix;
        Hash = hash;
        Scope = row.Scope;
        Listed = row.ListedAppIds.ToFrozenSet(StringComparer.Ordinal);
        Revoked = row.RevokedAt is not null;
        LastUsedAt = row.LastUsedAt;
    }

    public int Id { get; }

    public string Prefix { get; }

    /// <summary>sha256 of the key; compared in constant time on every hit.</summary>
    public byte[] Hash { get; }

    public ApiKeyScope Scope { get; }

    public FrozenSet<string> Listed { get; }

    public bool Revoked { get; }

    /// <summary>The last use written to the database (the usage flusher writes <see cref="UsedAt"/> when it is newer).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    private long _usedAtTicks;

    /// <summary>The last request that presented this key (in memory; written out about once a minute).</summary>
    public DateTimeOffset? UsedAt => Interlocked.Read(ref _usedAtTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    public void MarkUsed(DateTimeOffset now) => Interlocked.Exchange(ref _usedAtTicks, now.UtcTicks);

    public bool Allows(ApiKeyScope scope) => (Scope & scope) == scope;

    public bool AllowsAuthorizer(string appId) => Allows(ApiKeyScope.AllAuthorizers) || (Allows(ApiKeyScope.ListedAuthorizers) && Listed.Contains(appId));
}

/// <summary>
/// The token API's memory: verified API keys by the sha256 of the key, and each authorizer's decrypted current access
/// token by appid. Every writer that changes what the API would answer invalidates here after its commit (the
/// refresher, the authorization exchange, an <c>unauthorized</c> push, revoking or creating a key); with PostgreSQL the
/// database's triggers also NOTIFY every instance (<see cref="TokenCacheListener"/>), and the cache is trusted only while
/// that listener has proven its connection within <see cref="TokenCacheOptions.NotificationStaleness"/>. A hit is
/// checked against the clock every time: a token with less than <c>usableFor</c> left is never served from here.
/// <para>
/// Races: a reader takes <see cref="Epoch"/> before its database read and stores its result only if no invalidation
/// happened since (an invalidation bumps the epoch, then removes), so a value read before a change can never outlive it.
/// </para>
/// </summary>
public sealed class TokenCache(IOptions<TokenCacheOptions> options, DatabaseSettings database, TimeProvider time)
{
    /// <summary>Unknown keys remembered at most (a flood of wrong keys costs one lookup each beyond this).</summary>
    public const int MaxUnknownKeys = 10_000;

    private readonly ConcurrentDictionary<string, CachedAuthorizerToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CachedApiKey?> _keys = new(StringComparer.Ordinal);
    private readonly bool _enabled = options.Value.Cache;
    private readonly bool _needsListener = database.IsPostgreSql;
    private readonly long _stalenessTicks = (long)(options.Value.NotificationStaleness.TotalSeconds * Stopwatch.Frequency);
    private readonly int _maxEntries = Math.Max(1, options.Value.CacheMaxEntries);
    private long _epoch;
    private long _componentVersion;
    private long _confirmedAt = long.MinValue;
    private int _unknownKeys;

    /// <summary>Bumped by every invalidation; read it before a database read whose result will be stored.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>Bumped when another instance changed the component token (the component token service drops its copy).</summary>
    public long ComponentVersion => Interlocked.Read(ref _componentVersion);

    public int Count => _tokens.Count;

    /// <summary>Whether entries may be served now: always on SQLite (one instance), on PostgreSQL while the listener is proven alive.</summary>
    public bool Trusted
    {
        get
        {
            if (!_enabled)
            {
                return false;
            }

            if (!_needsListener)
            {
                return true;
            }

            var confirmed = Interlocked.Read(ref _confirmedAt);
            return confirmed != long.MinValue && Stopwatch.GetTimestamp() - confirmed < _stalenessTicks;
        }
    }

    /// <summary>The cached token when it is trusted and still has more than <paramref name="usableFor"/> left.</summary>
    public CachedAuthorizerToken? Token(string appId, TimeSpan usableFor)
        => Trusted && _tokens.TryGetValue(appId, out var entry) && entry.ExpiresAt > time.GetUtcNow() + usableFor ? entry : null;

    /// <summary>Stores a token read at <paramref name="epoch"/> unless something was invalidated since.</summary>
    public void Put(string appId, CachedAuthorizerToken entry, long epoch)
    {
        if (!Trusted)
        {
            return;
        }

        if (_tokens.Count >= _maxEntries && !_tokens.ContainsKey(appId))
        {
            Trim();
        }

        _tokens[appId] = entry;
        if (Epoch != epoch)
        {
            _tokens.TryRemove(appId, out _);
        }
    }

    /// <summary>The verified key for this sha256 (null with <c>known</c> true: remembered as unknown).</summary>
    public bool TryGetKey(string hash, out CachedApiKey? key)
    {
        key = null;
        return Trusted && _keys.TryGetValue(hash, out key);
    }

    public void PutKey(string hash, CachedApiKey? key, long epoch)
    {
        if (!Trusted)
        {
            return;
        }

        if (key is null && Interlocked.Increment(ref _unknownKeys) > MaxUnknownKeys)
        {
            return;
        }

        _keys[hash] = key;
        if (Epoch != epoch)
        {
            _keys.TryRemove(hash, out _);
        }
    }

    /// <summary>Every key currently verified in memory (the usage flusher writes their last use).</summary>
    public IEnumerable<CachedApiKey> Keys => _keys.Values.OfType<CachedApiKey>();

    /// <summary>The authorizer's token, authorization or existence changed (after the commit).</summary>
    public void AuthorizerChanged(string appId)
    {
        Interlocked.Increment(ref _epoch);
        _tokens.TryRemove(appId, out _);
    }

    /// <summary>A key was created, revoked or changed scope: every remembered verdict is dropped (keys are few).</summary>
    public void ApiKeysChanged()
    {
        Interlocked.Increment(ref _epoch);
        _keys.Clear();
        Interlocked.Exchange(ref _unknownKeys, 0);
    }

    /// <summary>The component token changed on some instance.</summary>
    public void ComponentChanged() => Interlocked.Increment(ref _componentVersion);

    /// <summary>Everything is forgotten (the listener reconnected: notifications may have been missed).</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _epoch);
        Interlocked.Increment(ref _componentVersion);
        _tokens.Clear();
        _keys.Clear();
        Interlocked.Exchange(ref _unknownKeys, 0);
    }

    /// <summary>One notification payload: <c>a:&lt;appid&gt;</c>, <c>k</c> (keys), <c>c</c> (component), anything else clears all.</summary>
    public void OnNotification(string payload)
    {
        if (payload.StartsWith("a:", StringComparison.Ordinal))
        {
            AuthorizerChanged(payload[2..]);
        }
        else if (payload == "k")
        {
            ApiKeysChanged();
        }
        else if (payload == "c")
        {
            ComponentChanged();
        }
        else
        {
            Clear();
        }
    }

    /// <summary>The listener's connection answered a round trip that it started at <paramref name="startedAt"/> (Stopwatch ticks).</summary>
    public void Confirm(long startedAt)
    {
        var current = Interlocked.Read(ref _confirmedAt);
        while (startedAt > current)
        {
            var seen = Interlocked.CompareExchange(ref _confirmedAt, startedAt, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>The listener lost its connection: nothing is trusted until it is back (and then everything is reloaded).</summary>
    public void Disconnected()
    {
        Interlocked.Exchange(ref _confirmedAt, long.MinValue);
        Clear();
    }

    private void Trim()
    {
        var soon = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        foreach (var (appId, entry) in _tokens)
        {
            if (entry.ExpiresAt < soon)
            {
                _tokens.TryRemove(appId, out _);
            }
        }

        if (_tokens.Count >= _maxEntries)
        {
            Interlocked.Increment(ref _epoch);
            _tokens.Clear();
        }
    }
}
