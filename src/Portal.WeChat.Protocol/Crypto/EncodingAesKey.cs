namespace Portal.WeChat.Protocol.Crypto;

/// <summary>
/// The 43-character EncodingAESKey configured in WeChat's console and the 32-byte AES key it stands for
/// (<c>Base64Decode(EncodingAESKey + "=")</c>, reference §1.1). <see cref="ToString"/> never reveals it.
/// </summary>
public sealed class EncodingAesKey
{
    /// <summary>The required length of an EncodingAESKey.</summary>
    public const int Length = 43;

    private readonly byte[] _key;

    private EncodingAesKey(byte[] key) => _key = key;

    /// <summary>The 32-byte AES-256 key.</summary>
    public ReadOnlySpan<byte> Key => _key;

    /// <summary>The CBC initialisation vector: the first 16 bytes of the key.</summary>
    public ReadOnlySpan<byte> IV => _key.AsSpan(0, 16);

    /// <summary>Parses and validates an EncodingAESKey.</summary>
    /// <exception cref="WeChatCryptoException">With <see cref="WeChatCryptoErrorCode.IllegalAesKey"/> when malformed.</exception>
    public static EncodingAesKey Parse(string? encodingAesKey)
    {
        if (!TryValidate(encodingAesKey, out var error))
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.IllegalAesKey, error);
        }

        var bytes = Convert.FromBase64String(encodingAesKey + "=");
        return new EncodingAesKey(bytes);
    }

    /// <summary>Checks the format without throwing; <paramref name="error"/> explains what is wrong.</summary>
    public static bool TryValidate(string? encodingAesKey, out string error)
    {
        if (string.IsNullOrEmpty(encodingAesKey))
        {
            error = "EncodingAESKey is empty; it must be 43 characters of A-Z, a-z and 0-9";
            return false;
        }

        if (encodingAesKey.Length != Length)
        {
            error = $"EncodingAESKey must be 43 characters, got {encodingAesKey.Length}";
            return false;
        }

        foreach (var c in encodingAesKey)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                error = "EncodingAESKey must contain only A-Z, a-z and 0-9";
                return false;
            }
        }

        Span<byte> decoded = stackalloc byte[33];
        if (!Convert.TryFromBase64String(encodingAesKey + "=", decoded, out var decodedLength) || decodedLength != 32)
        {
            error = "EncodingAESKey does not decode to a 32-byte AES key";
            return false;
        }

        error = string.Empty;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => "EncodingAesKey(***)";
}
