using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Portal.WeChat.Protocol.Crypto;

/// <summary>
/// AES-256-CBC with WeChat's PKCS#7 padding to 32-byte blocks over
/// <c>random(16) | length(4, big-endian) | message | appid</c> (reference §1.1).
/// The appid is always the third-party platform's (component) appid, for pushes and account messages alike.
/// </summary>
public sealed class MessageCipher
{
    /// <summary>WeChat pads to 32 bytes, not to the AES block size of 16.</summary>
    public const int PaddingBlockSize = 32;

    /// <summary>The longest base64 text accepted by <see cref="Decrypt"/> (1 MiB of ciphertext).</summary>
    public const int MaxEncryptedLength = 1_398_104;

    private const int RandomLength = 16;
    private const int HeaderLength = RandomLength + 4;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly EncodingAesKey _key;
    private readonly string _appId;

    /// <summary>Creates a cipher for one EncodingAESKey and the appid carried at the end of every plaintext.</summary>
    public MessageCipher(EncodingAesKey key, string appId)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(appId);
        _key = key;
        _appId = appId;
    }

    /// <summary>The appid written into and expected at the end of every plaintext.</summary>
    public string AppId => _appId;

    /// <summary>Encrypts a message. <paramref name="random16"/> fixes the random prefix (for tests); by default
    /// it is 16 random lowercase hex characters, as in WeChat's own pushes.</summary>
    public string Encrypt(string message, ReadOnlySpan<byte> random16 = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!random16.IsEmpty && random16.Length != RandomLength)
        {
            throw new ArgumentException("the random prefix must be 16 bytes", nameof(random16));
        }

        var messageBytes = Encoding.UTF8.GetBytes(message);
        var appIdBytes = Encoding.UTF8.GetBytes(_appId);
        var contentLength = HeaderLength + messageBytes.Length + appIdBytes.Length;
        var pad = PaddingBlockSize - (contentLength % PaddingBlockSize);
        var plain = new byte[contentLength + pad];

        if (random16.IsEmpty)
        {
            FillRandomHex(plain.AsSpan(0, RandomLength));
        }
        else
        {
            random16.CopyTo(plain);
        }

        BinaryPrimitives.WriteInt32BigEndian(plain.AsSpan(RandomLength, 4), messageBytes.Length);
        messageBytes.CopyTo(plain, HeaderLength);
        appIdBytes.CopyTo(plain, HeaderLength + messageBytes.Length);
        plain.AsSpan(contentLength).Fill((byte)pad);

        try
        {
            using var aes = Aes.Create();
            aes.Key = _key.Key.ToArray();
            var cipher = aes.EncryptCbc(plain, _key.IV, PaddingMode.None);
            return Convert.ToBase64String(cipher);
        }
        catch (CryptographicException ex)
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.EncryptAesError, "AES encryption failed", ex);
        }
    }

    /// <summary>Decrypts an <c>Encrypt</c> value and checks that it was made for this appid.</summary>
    /// <returns>The message (UTF-8 XML as sent by WeChat).</returns>
    /// <exception cref="WeChatCryptoException">On any malformed input, with the official reason code.</exception>
    public string Decrypt(string encrypt)
    {
        var payload = DecryptPayload(encrypt);
        if (!string.Equals(payload.AppId, _appId, StringComparison.Ordinal))
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.ValidateAppIdError, "the message was encrypted for another appid");
        }

        return payload.Message;
    }

    /// <summary>Decrypts without checking the trailing appid; returns every part of the plaintext.</summary>
    public DecryptedPayload DecryptPayload(string encrypt)
    {
        if (string.IsNullOrEmpty(encrypt))
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.DecodeBase64Error, "the Encrypt value is empty");
        }

        if (encrypt.Length > MaxEncryptedLength)
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.IllegalBuffer, "the Encrypt value is larger than allowed");
        }

        var buffer = new byte[encrypt.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(encrypt, buffer, out var cipherLength))
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.DecodeBase64Error, "the Encrypt value is not valid base64");
        }

        if (cipherLength < PaddingBlockSize || cipherLength % 16 != 0)
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.DecryptAesError, "the ciphertext length is not a whole number of AES blocks");
        }

        byte[] plain;
        try
        {
            using var aes = Aes.Create();
            aes.Key = _key.Key.ToArray();
            plain = aes.DecryptCbc(buffer.AsSpan(0, cipherLength), _key.IV, PaddingMode.None);
        }
        catch (CryptographicException ex)
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.DecryptAesError, "AES decryption failed", ex);
        }

        int pad = plain[^1];
        if (pad is < 1 or > PaddingBlockSize || pad > plain.Length)
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.IllegalBuffer, "the padding is out of range");
        }

        for (var i = plain.Length - pad; i < plain.Length; i++)
        {
            if (plain[i] != pad)
            {
                throw new WeChatCryptoException(WeChatCryptoErrorCode.IllegalBuffer, "the padding bytes are inconsistent");
            }
        }

        var content = plain.AsSpan(0, plain.Length - pad);
        if (content.Length < HeaderLength)
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.IllegalBuffer, "the plaintext is shorter than its header");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(content.Slice(RandomLength, 4));
        if (length < 0 || length > content.Length - HeaderLength)
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.IllegalBuffer, "the length field exceeds the plaintext");
        }

        try
        {
            var message = StrictUtf8.GetString(content.Slice(HeaderLength, length));
            var appId = StrictUtf8.GetString(content[(HeaderLength + length)..]);
            return new DecryptedPayload(content[..RandomLength].ToArray(), message, appId);
        }
        catch (DecoderFallbackException ex)
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.IllegalBuffer, "the plaintext is not valid UTF-8", ex);
        }
    }

    private static void FillRandomHex(Span<byte> destination)
    {
        const string hex = "0123456789abcdef";
        Span<byte> random = stackalloc byte[destination.Length];
        RandomNumberGenerator.Fill(random);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (byte)hex[random[i] & 0x0F];
        }
    }
}

/// <summary>The parts of a decrypted plaintext.</summary>
/// <param name="Random16">The 16-byte random prefix.</param>
/// <param name="Message">The message text.</param>
/// <param name="AppId">The trailing appid.</param>
public sealed record DecryptedPayload(byte[] Random16, string Message, string AppId);
