using System.Security.Cryptography;
using System.Text;
using Portal.WeChat.Protocol.Crypto;

namespace Portal.WeChat.Protocol.Tests;

public class TamperTests
{
    private static readonly CryptoVector V = PublishedVectors.V1;
    private static readonly MessageCrypto Crypto = new(V.Token, EncodingAesKey.Parse(V.EncodingAesKey), V.AppId);

    private static WeChatCryptoErrorCode CodeOf(Action action) => Assert.Throws<WeChatCryptoException>(action).Code;

    private static string FlipByte(string base64, int index)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[index] ^= 0x01;
        return Convert.ToBase64String(bytes);
    }

    [Fact]
    public void VerifyAndDecrypt_OneFlippedCiphertextByte_FailsSignature()
    {
        var tampered = FlipByte(V.Encrypt, 40);
        Assert.Equal(WeChatCryptoErrorCode.ValidateSignatureError, CodeOf(() => Crypto.VerifyAndDecrypt(V.MsgSignature, V.Timestamp, V.Nonce, tampered)));
    }

    [Fact]
    public void VerifyAndDecrypt_OneFlippedSignatureCharacter_FailsSignature()
    {
        var signature = (V.MsgSignature[0] == '0' ? "1" : "0") + V.MsgSignature[1..];
        Assert.Equal(WeChatCryptoErrorCode.ValidateSignatureError, CodeOf(() => Crypto.VerifyAndDecrypt(signature, V.Timestamp, V.Nonce, V.Encrypt)));
    }

    [Fact]
    public void VerifyAndDecrypt_ChangedTimestamp_FailsSignature()
    {
        Assert.Equal(WeChatCryptoErrorCode.ValidateSignatureError, CodeOf(() => Crypto.VerifyAndDecrypt(V.MsgSignature, "1436881223", V.Nonce, V.Encrypt)));
    }

    [Fact]
    public void VerifyAndDecrypt_MissingSignature_FailsSignature()
    {
        Assert.Equal(WeChatCryptoErrorCode.ValidateSignatureError, CodeOf(() => Crypto.VerifyAndDecrypt(null, V.Timestamp, V.Nonce, V.Encrypt)));
    }

    [Fact]
    public void Decrypt_ForAnotherAppId_FailsAppIdCheck()
    {
        var other = new MessageCrypto(V.Token, EncodingAesKey.Parse(V.EncodingAesKey), "wx0000000000000000");
        Assert.Equal(WeChatCryptoErrorCode.ValidateAppIdError, CodeOf(() => other.VerifyAndDecrypt(V.MsgSignature, V.Timestamp, V.Nonce, V.Encrypt)));
    }

    [Fact]
    public void Decrypt_ResignedFlipInPenultimateBlock_FailsOnAppIdOrBuffer()
    {
        // An attacker who knew the token could re-sign; the tail checks still catch a flipped appid byte.
        var bytes = Convert.FromBase64String(V.Encrypt);
        var tampered = FlipByte(V.Encrypt, bytes.Length - 32 - 16 + 10);
        var code = CodeOf(() => Crypto.Cipher.Decrypt(tampered));
        Assert.Contains(code, new[] { WeChatCryptoErrorCode.ValidateAppIdError, WeChatCryptoErrorCode.IllegalBuffer });
    }

    [Fact]
    public void Decrypt_NotBase64_FailsBase64()
    {
        Assert.Equal(WeChatCryptoErrorCode.DecodeBase64Error, CodeOf(() => Crypto.Cipher.Decrypt("not*base64!")));
        Assert.Equal(WeChatCryptoErrorCode.DecodeBase64Error, CodeOf(() => Crypto.Cipher.Decrypt("")));
    }

    [Fact]
    public void Decrypt_LengthNotBlockAligned_FailsDecrypt()
    {
        var shortened = Convert.ToBase64String(Convert.FromBase64String(V.Encrypt)[..^5]);
        Assert.Equal(WeChatCryptoErrorCode.DecryptAesError, CodeOf(() => Crypto.Cipher.Decrypt(shortened)));
    }

    [Fact]
    public void Decrypt_Oversized_FailsBuffer()
    {
        var huge = new string('A', MessageCipher.MaxEncryptedLength + 4);
        Assert.Equal(WeChatCryptoErrorCode.IllegalBuffer, CodeOf(() => Crypto.Cipher.Decrypt(huge)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    [InlineData(200)]
    public void Decrypt_PaddingOutOfRange_FailsBuffer(byte pad)
    {
        Assert.Equal(WeChatCryptoErrorCode.IllegalBuffer, CodeOf(() => Crypto.Cipher.Decrypt(EncryptRaw(pad, lengthField: 4))));
    }

    [Fact]
    public void Decrypt_LengthFieldBeyondBuffer_FailsBuffer()
    {
        Assert.Equal(WeChatCryptoErrorCode.IllegalBuffer, CodeOf(() => Crypto.Cipher.Decrypt(EncryptRaw(4, lengthField: 5000))));
        Assert.Equal(WeChatCryptoErrorCode.IllegalBuffer, CodeOf(() => Crypto.Cipher.Decrypt(EncryptRaw(4, lengthField: -1))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("012345678901234567890123456789012345678901")]
    [InlineData("01234567890123456789012345678901234567890123")]
    [InlineData("0123456789012345678901234567890123456789+12")]
    public void EncodingAesKey_Malformed_IsRejectedWithIllegalAesKey(string key)
    {
        var ex = Assert.Throws<WeChatCryptoException>(() => EncodingAesKey.Parse(key));
        Assert.Equal(WeChatCryptoErrorCode.IllegalAesKey, ex.Code);
        Assert.Contains("EncodingAESKey", ex.Message);
    }

    [Fact]
    public void Exception_CarriesOfficialNumericCode()
    {
        var ex = Assert.Throws<WeChatCryptoException>(() => Crypto.VerifyAndDecrypt("00", V.Timestamp, V.Nonce, V.Encrypt));
        Assert.Equal(-40001, (int)ex.Code);
        Assert.Contains("-40001", ex.Message);
        Assert.DoesNotContain(V.Encrypt, ex.Message);
    }

    /// <summary>Builds a 64-byte plaintext with a chosen last byte (pad) and length field, then encrypts it raw.</summary>
    private static string EncryptRaw(byte pad, int lengthField)
    {
        var plain = new byte[64];
        Encoding.ASCII.GetBytes("0123456789abcdef").CopyTo(plain, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(plain.AsSpan(16, 4), lengthField);
        Encoding.ASCII.GetBytes("<xml/>wxbbd3f07e2945cf2a").CopyTo(plain, 20);
        plain.AsSpan(60).Fill(pad);
        var key = EncodingAesKey.Parse(V.EncodingAesKey);
        using var aes = Aes.Create();
        aes.Key = key.Key.ToArray();
        return Convert.ToBase64String(aes.EncryptCbc(plain, key.IV, PaddingMode.None));
    }
}
