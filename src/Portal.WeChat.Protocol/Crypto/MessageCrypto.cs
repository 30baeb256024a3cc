using System.Globalization;
using System.Security.Cryptography;

namespace Portal.WeChat.Protocol.Crypto;

/// <summary>
/// WeChat's "safe mode" message crypto for one third-party platform (the WXBizMsgCrypt contract):
/// verify and decrypt what WeChat posts, encrypt and sign what is sent back (reference §1).
/// </summary>
public sealed class MessageCrypto
{
    private readonly string _token;
    private readonly MessageCipher _cipher;

    /// <summary>Creates the crypto for a token, an EncodingAESKey and the component appid.</summary>
    public MessageCrypto(string token, EncodingAesKey key, string componentAppId)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _token = token;
        _cipher = new MessageCipher(key, componentAppId);
    }

    /// <summary>The appid carried in (and expected at the end of) every plaintext.</summary>
    public string AppId => _cipher.AppId;

    /// <summary>The cipher, for callers that need it directly.</summary>
    public MessageCipher Cipher => _cipher;

    /// <summary>Checks the plain URL <c>signature</c> that WeChat adds to every request.</summary>
    public bool VerifyUrlSignature(string? signature, string timestamp, string nonce)
        => MessageSignature.FixedTimeEqualsHex(MessageSignature.ComputeUrlSignature(_token, timestamp, nonce), signature);

    /// <summary>Verifies <c>msg_signature</c> over the Encrypt text exactly as received, then decrypts it.</summary>
    /// <exception cref="WeChatCryptoException">-40001 on a signature mismatch, else the decryption's code.</exception>
    public string VerifyAndDecrypt(string? msgSignature, string timestamp, string nonce, string encrypt)
    {
        var expected = MessageSignature.ComputeMessageSignature(_token, timestamp, nonce, encrypt);
        if (!MessageSignature.FixedTimeEqualsHex(expected, msgSignature))
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.ValidateSignatureError, "msg_signature does not match");
        }

        return _cipher.Decrypt(encrypt);
    }

    /// <summary>Encrypts a message and signs it for the given timestamp and nonce.</summary>
    public EncryptedMessage Encrypt(string plainXml, string timestamp, string nonce, ReadOnlySpan<byte> random16 = default)
    {
        var encrypt = _cipher.Encrypt(plainXml, random16);
        var signature = MessageSignature.ComputeMessageSignature(_token, timestamp, nonce, encrypt);
        return new EncryptedMessage(encrypt, signature, timestamp, nonce);
    }

    /// <summary>Computes the URL <c>signature</c> (used by the sending side, i.e. the emulator).</summary>
    public string ComputeUrlSignature(string timestamp, string nonce) => MessageSignature.ComputeUrlSignature(_token, timestamp, nonce);

    /// <summary>A fresh numeric nonce like WeChat's.</summary>
    public static string NewNonce() => RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString() => $"MessageCrypto(appid={AppId}, token=***, key=***)";
}

/// <summary>An encrypted and signed message: the parts of the passive-reply XML and of a push's query string.</summary>
/// <param name="Encrypt">Base64 ciphertext.</param>
/// <param name="MsgSignature">sha1 over token, timestamp, nonce and <paramref name="Encrypt"/>.</param>
/// <param name="TimeStamp">Unix seconds, as text.</param>
/// <param name="Nonce">The nonce.</param>
public sealed record EncryptedMessage(string Encrypt, string MsgSignature, string TimeStamp, string Nonce);
