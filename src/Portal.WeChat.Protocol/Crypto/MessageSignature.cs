using System.Security.Cryptography;
using System.Text;

namespace Portal.WeChat.Protocol.Crypto;

/// <summary>
/// WeChat's SHA-1 signatures (reference §1.1): <c>msg_signature = sha1(sort(token, timestamp, nonce, encrypt))</c>
/// and the plain <c>signature = sha1(sort(token, timestamp, nonce))</c>, lowercase hex.
/// </summary>
public static class MessageSignature
{
    /// <summary>Computes <c>msg_signature</c> over the token, timestamp, nonce and the Encrypt text.</summary>
    public static string ComputeMessageSignature(string token, string timestamp, string nonce, string encrypt)
        => Compute(token, timestamp, nonce, encrypt);

    /// <summary>Computes the plain URL <c>signature</c> over the token, timestamp and nonce.</summary>
    public static string ComputeUrlSignature(string token, string timestamp, string nonce)
        => Compute(token, timestamp, nonce);

    /// <summary>
    /// Compares a received signature with the expected one in constant time (case-insensitive hex). Any character that is
    /// not an ASCII hex digit fails: compared as a truncated byte, U+0161 would have passed for 'a', and each such variant
    /// of one signature would have been a new replay key.
    /// </summary>
    public static bool FixedTimeEqualsHex(string expectedLowerHex, string? received)
    {
        if (received is null || received.Length != expectedLowerHex.Length)
        {
            return false;
        }

        Span<byte> a = stackalloc byte[expectedLowerHex.Length];
        Span<byte> b = stackalloc byte[received.Length];
        var hex = true;
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = (byte)expectedLowerHex[i];
            var c = received[i];
            var lower = c is >= 'A' and <= 'F' ? (char)(c + 32) : c;
            hex &= char.IsAsciiHexDigitLower(lower);
            b[i] = (byte)lower;
        }

        return CryptographicOperations.FixedTimeEquals(a, b) & hex;
    }

    /// <summary>Whether <paramref name="value"/> has the shape of a SHA-1 signature: 40 ASCII hex digits, either case.</summary>
    public static bool IsSha1Hex(string? value) => value is { Length: 40 } && value.All(char.IsAsciiHexDigit);

    private static string Compute(params string[] parts)
    {
        foreach (var part in parts)
        {
            if (part is null)
            {
                throw new WeChatCryptoException(WeChatCryptoErrorCode.ComputeSignatureError, "a signature input is missing");
            }
        }

        Array.Sort(parts, StringComparer.Ordinal);
        var joined = Encoding.UTF8.GetBytes(string.Concat(parts));
        return Convert.ToHexStringLower(SHA1.HashData(joined));
    }
}
