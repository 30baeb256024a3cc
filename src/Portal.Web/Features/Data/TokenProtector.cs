using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Portal.Web.Features.Data;

/// <summary>
/// Encrypts tokens, tickets and push payloads before they reach the database.
/// <list type="bullet">
/// <item><see cref="Protect"/> (tokens, tickets): ASP.NET Data Protection, as every release wrote them.</item>
/// <item><see cref="ProtectPayload"/> (push payloads: thousands a second on the message URL): envelope encryption (ADR-018).
/// A random 256-bit data key encrypts each payload with AES-256-GCM (a random 96-bit nonce per payload); the data key
/// itself is protected with Data Protection and travels, wrapped, in every payload, so that any instance sharing the key
/// ring reads any payload and no table of keys is needed. The data key is replaced every
/// <see cref="DataKeyLifetime"/> or <see cref="DataKeyUses"/> payloads, far below GCM's limit for random nonces.
/// Unwrapped keys are kept in memory (a bounded cache), so reading costs one Data Protection call per data key, not
/// per payload. Data Protection's own per-call key derivation was a third of the message URL's request work.</item>
/// </list>
/// <see cref="Unprotect"/> reads both: a payload starts with <c>p1.</c>, which Data Protection's base64url output never
/// contains.
/// </summary>
public sealed class TokenProtector(IDataProtectionProvider provider, TimeProvider time)
{
    /// <summary>How long one data key encrypts new payloads.</summary>
    public static readonly TimeSpan DataKeyLifetime = TimeSpan.FromHours(24);

    /// <summary>How many payloads one data key encrypts at most (random 96-bit nonces stay far from a collision).</summary>
    public const long DataKeyUses = 1L << 24;

    private const string PayloadPrefix = "p1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int MaxCachedKeys = 4096;
    private static readonly byte[] AssociatedData = Encoding.ASCII.GetBytes("Portal.Payloads.v1");

    private readonly IDataProtector _protector = provider.CreateProtector("Portal.Tokens.v1");
    private readonly IDataProtector _keyProtector = provider.CreateProtector("Portal.Payloads.DataKey.v1");
    private readonly ConcurrentDictionary<string, byte[]> _unwrapped = new(StringComparer.Ordinal);
    private readonly Lock _rotation = new();
    private DataKey? _current;

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    /// <summary>Encrypts a push payload with the current data key (see the class summary).</summary>
    public string ProtectPayload(string plaintext)
    {
        var key = CurrentKey();
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var wrapped = key.Wrapped;
        var blob = new byte[2 + wrapped.Length + NonceSize + TagSize + plain.Length];
        BinaryPrimitives.WriteUInt16BigEndian(blob, (ushort)wrapped.Length);
        wrapped.CopyTo(blob, 2);
        var offset = 2 + wrapped.Length;
        var nonce = blob.AsSpan(offset, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        key.Cipher().Encrypt(nonce, plain, blob.AsSpan(offset + NonceSize + TagSize), blob.AsSpan(offset + NonceSize, TagSize), AssociatedData);

        CryptographicOperations.ZeroMemory(plain);
        return PayloadPrefix + WebEncoders.Base64UrlEncode(blob);
    }

    /// <summary>Decrypts what <see cref="Protect"/> or <see cref="ProtectPayload"/> wrote; throws <see cref="CryptographicException"/> for anything else.</summary>
    public string Unprotect(string protectedText)
    {
        if (!protectedText.StartsWith(PayloadPrefix, StringComparison.Ordinal))
        {
            return _protector.Unprotect(protectedText);
        }

        byte[] blob;
        try
        {
            blob = WebEncoders.Base64UrlDecode(protectedText, PayloadPrefix.Length, protectedText.Length - PayloadPrefix.Length);
        }
        catch (FormatException)
        {
            throw new CryptographicException(); // not base64url
        }

        var length = blob.Length < 2 ? 0 : BinaryPrimitives.ReadUInt16BigEndian(blob);
        if (length == 0 || blob.Length < 2 + length + NonceSize + TagSize)
        {
            throw new CryptographicException(); // too short
        }

        var wrapped = blob.AsSpan(2, length);
        var key = Unwrap(wrapped);
        var offset = 2 + length;
        var plain = new byte[blob.Length - offset - NonceSize - TagSize];
        using (var gcm = new AesGcm(key, TagSize))
        {
            gcm.Decrypt(blob.AsSpan(offset, NonceSize), blob.AsSpan(offset + NonceSize + TagSize), blob.AsSpan(offset + NonceSize, TagSize), plain, AssociatedData);
        }

        return Encoding.UTF8.GetString(plain);
    }

    private byte[] Unwrap(ReadOnlySpan<byte> wrapped)
    {
        var id = KeyId(wrapped);
        if (_unwrapped.TryGetValue(id, out var key))
        {
            return key;
        }

        key = _keyProtector.Unprotect(wrapped.ToArray()); // throws CryptographicException for a forged or foreign wrapped key
        if (key.Length != 32)
        {
            throw new CryptographicException(); // a data key of the wrong size
        }

        if (_unwrapped.Count >= MaxCachedKeys)
        {
            _unwrapped.Clear();
        }

        _unwrapped[id] = key;
        return key;
    }

    /// <summary>The cache key of a wrapped data key.</summary>
    private static string KeyId(ReadOnlySpan<byte> wrapped) => Convert.ToBase64String(SHA256.HashData(wrapped));

    private DataKey CurrentKey()
    {
        var current = Volatile.Read(ref _current);
        var now = time.GetUtcNow();
        if (current is not null && current.ExpiresAt > now && current.TryUse())
        {
            return current;
        }

        lock (_rotation)
        {
            current = _current;
            if (current is not null && current.ExpiresAt > now && current.TryUse())
            {
                return current;
            }

            var key = RandomNumberGenerator.GetBytes(32);
            var wrapped = _keyProtector.Protect(key);
            _unwrapped[KeyId(wrapped)] = key;
            var fresh = new DataKey(key, wrapped, now + DataKeyLifetime);
            fresh.TryUse();
            Volatile.Write(ref _current, fresh);
            return fresh;
        }
    }

    private sealed class DataKey(byte[] key, byte[] wrapped, DateTimeOffset expiresAt)
    {
        /// <summary>One AES-GCM instance per thread for the current key (an instance is not safe to share between threads).</summary>
        [ThreadStatic]
        private static (DataKey Owner, AesGcm Cipher)? t_cipher;

        public byte[] Key { get; } = key;

        public byte[] Wrapped { get; } = wrapped;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        private long _uses;

        public AesGcm Cipher()
        {
            if (t_cipher is { } cached && ReferenceEquals(cached.Owner, this))
            {
                return cached.Cipher;
            }

            t_cipher?.Cipher.Dispose();
            var cipher = new AesGcm(Key, TagSize);
            t_cipher = (this, cipher);
            return cipher;
        }

        /// <summary>Counts one more payload under this key; false once it has encrypted <see cref="DataKeyUses"/>.</summary>
        public bool TryUse() => Interlocked.Increment(ref _uses) <= DataKeyUses;
    }
}
