using System.Security.Cryptography;
using System.Text;
using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Xml;

namespace Portal.WeChat.Protocol.Tests;

public class MessageCryptoTests
{
    private static MessageCrypto CryptoFor(CryptoVector v) => new(v.Token, EncodingAesKey.Parse(v.EncodingAesKey), v.AppId);

    [Theory]
    [MemberData(nameof(PublishedVectors.DecryptableNames), MemberType = typeof(PublishedVectors))]
    public void VerifyAndDecrypt_PublishedVector_VerifiesDecryptsAndReencryptsByteForByte(string name)
    {
        var v = PublishedVectors.ByName(name);
        var crypto = CryptoFor(v);

        var message = crypto.VerifyAndDecrypt(v.MsgSignature, v.Timestamp, v.Nonce, v.Encrypt);
        if (v.Plaintext is not null)
        {
            Assert.Equal(v.Plaintext, message);
        }

        var payload = crypto.Cipher.DecryptPayload(v.Encrypt);
        Assert.Equal(v.AppId, payload.AppId);
        if (v.Random16 is not null)
        {
            Assert.Equal(v.Random16, Encoding.ASCII.GetString(payload.Random16));
        }

        var again = crypto.Encrypt(message, v.Timestamp, v.Nonce, payload.Random16);
        Assert.Equal(v.Encrypt, again.Encrypt);
        Assert.Equal(v.MsgSignature, again.MsgSignature);
    }

    [Theory]
    [InlineData("V1 component_verify_ticket")]
    [InlineData("V2 unauthorized")]
    [InlineData("V3 official account text message")]
    public void VerifyUrlSignature_PublishedVector_Matches(string name)
    {
        var v = PublishedVectors.ByName(name);
        Assert.True(CryptoFor(v).VerifyUrlSignature(v.Signature, v.Timestamp, v.Nonce));
        Assert.True(CryptoFor(v).VerifyUrlSignature(v.Signature!.ToUpperInvariant(), v.Timestamp, v.Nonce));
        Assert.False(CryptoFor(v).VerifyUrlSignature(v.Signature, v.Timestamp, v.Nonce + "1"));
    }

    [Fact]
    public void FixedTimeEqualsHex_RefusesCharactersThatAreNotHexDigits_EvenWhenTheirLowByteIsOne()
    {
        var expected = MessageSignature.ComputeUrlSignature("token", "1764500000", "123456789");
        Assert.True(MessageSignature.FixedTimeEqualsHex(expected, expected));
        Assert.True(MessageSignature.FixedTimeEqualsHex(expected, expected.ToUpperInvariant()));
        foreach (var shift in new[] { 0x100, 0x200, 0x4100, 0xFF00 - (expected[0] & 0xFF00) })
        {
            // Same low byte as the real first character: compared as truncated bytes this passed (a new replay key each time).
            var variant = (char)(expected[0] + shift) + expected[1..];
            Assert.False(MessageSignature.FixedTimeEqualsHex(expected, variant), $"U+{(int)variant[0]:X4}");
        }

        Assert.False(MessageSignature.IsSha1Hex((char)(expected[0] + 0x100) + expected[1..]));
        Assert.False(MessageSignature.IsSha1Hex(expected + "0"));
        Assert.True(MessageSignature.IsSha1Hex(expected.ToUpperInvariant()));
    }

    [Fact]
    public void Encrypt_V5KnownRandom_ReproducesWxJavaCiphertext()
    {
        var v = PublishedVectors.V5;
        var cipher = new MessageCipher(EncodingAesKey.Parse(v.EncodingAesKey), v.AppId);
        Assert.Equal(v.Encrypt, cipher.Encrypt(v.Plaintext!, Encoding.ASCII.GetBytes(v.Random16!)));
        Assert.Equal(v.MsgSignature, MessageSignature.ComputeMessageSignature(v.Token, v.Timestamp, v.Nonce, v.Encrypt));
    }

    [Fact]
    public void EncryptedReply_V6KnownRandom_ReproducesWechatpyReply()
    {
        var v = PublishedVectors.V6Encrypt;
        var reply = ReplyXml.Encrypted(CryptoFor(v), v.Plaintext!, v.Timestamp, v.Nonce, Encoding.ASCII.GetBytes(v.Random16!));

        var root = SafeXml.ParseRoot(reply);
        Assert.Equal(v.Encrypt, root.Element("Encrypt")!.Value);
        Assert.Equal(v.MsgSignature, root.Element("MsgSignature")!.Value);
        Assert.Equal(v.Timestamp, root.Element("TimeStamp")!.Value);
        Assert.Equal(v.Nonce, root.Element("Nonce")!.Value);
    }

    [Fact]
    public void Decrypt_V6_GivesWechatpyMessage()
    {
        var v = PublishedVectors.V6Decrypt;
        var message = AccountMessage.Parse(CryptoFor(v).VerifyAndDecrypt(v.MsgSignature, v.Timestamp, v.Nonce, v.Encrypt));
        Assert.Equal("test", message.Content);
        Assert.Equal("messense", message.FromUserName);
    }

    [Fact]
    public void Decrypt_V7_GivesEasyWeChatMessage()
    {
        var v = PublishedVectors.V7;
        var message = AccountMessage.Parse(CryptoFor(v).VerifyAndDecrypt(v.MsgSignature, v.Timestamp, v.Nonce, v.Encrypt));
        Assert.Equal("asdasdasd", message.ToUserName);
        Assert.Equal("asdasdasdsadasd", message.FromUserName);
        Assert.Equal(1234567898, message.CreateTime);
        Assert.Equal("hello", message.Content);
    }

    [Fact]
    public void Decrypt_V4_HasThirtyBytePadding()
    {
        var v = PublishedVectors.V4;
        var key = EncodingAesKey.Parse(v.EncodingAesKey);
        using var aes = Aes.Create();
        aes.Key = key.Key.ToArray();
        var plain = aes.DecryptCbc(Convert.FromBase64String(v.Encrypt), key.IV, PaddingMode.None);
        Assert.Equal(30, plain[^1]);
        Assert.Equal(v.Plaintext, CryptoFor(v).VerifyAndDecrypt(v.MsgSignature, v.Timestamp, v.Nonce, v.Encrypt));
    }

    [Fact]
    public void EncodingAesKey_V1_DecodesToPublishedKeyAndIv()
    {
        var key = EncodingAesKey.Parse(PublishedVectors.V1.EncodingAesKey);
        Assert.Equal("d35db7e39ebbf3dd35db7e39ebbf3dd35db7e39ebbf3dd35db7e39ebbf3dd35d", Convert.ToHexStringLower(key.Key));
        Assert.Equal("d35db7e39ebbf3dd35db7e39ebbf3dd3", Convert.ToHexStringLower(key.IV));
        Assert.DoesNotContain(PublishedVectors.V1.EncodingAesKey, key.ToString());
    }

    [Fact]
    public void RoundTrip_AlignedMessage_PadsAFullBlockOf32()
    {
        var cipher = new MessageCipher(EncodingAesKey.Parse(PublishedVectors.V1.EncodingAesKey), "wx0123456789abcdef");
        // 16 + 4 + 26 + 18 = 64: already aligned, so a whole block of 0x20 is added.
        var message = new string('a', 26);
        var encrypt = cipher.Encrypt(message);
        Assert.Equal(96, Convert.FromBase64String(encrypt).Length);
        Assert.Equal(message, cipher.Decrypt(encrypt));
    }

    [Fact]
    public void Encrypt_DefaultRandom_IsSixteenHexCharactersAndDiffersEachTime()
    {
        var cipher = new MessageCipher(EncodingAesKey.Parse(PublishedVectors.V1.EncodingAesKey), "wxbbd3f07e2945cf2a");
        var a = cipher.DecryptPayload(cipher.Encrypt("x"));
        var b = cipher.DecryptPayload(cipher.Encrypt("x"));
        Assert.Matches("^[0-9a-f]{16}$", Encoding.ASCII.GetString(a.Random16));
        Assert.NotEqual(a.Random16, b.Random16);
    }
}
