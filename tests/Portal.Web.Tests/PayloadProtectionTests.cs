using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Web.Features.Data;

namespace Portal.Web.Tests;

/// <summary>
/// Push payloads are sealed with envelope encryption (ADR-018): AES-256-GCM under a data key that Data Protection wraps and
/// that travels in every payload. Real key rings in real directories; what each test shows is named by it.
/// </summary>
public sealed class PayloadProtectionTests : IDisposable
{
    private const string Xml = "<xml><ToUserName><![CDATA[gh_123]]></ToUserName><Content><![CDATA[您好，请问今天营业到几点？]]></Content></xml>";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "portal-tests", "payload-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void APayload_ReadsBack_AndCarriesNoPlaintext()
    {
        var protector = Protector("ring");
        var sealedText = protector.ProtectPayload(Xml);
        Assert.StartsWith("p1.", sealedText, StringComparison.Ordinal);
        Assert.DoesNotContain("gh_123", sealedText, StringComparison.Ordinal);
        Assert.DoesNotContain("营业", sealedText, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("gh_123")).TrimEnd('='), sealedText, StringComparison.Ordinal);
        Assert.Equal(Xml, protector.Unprotect(sealedText));
    }

    [Fact]
    public void TheSamePayloadTwice_IsSealedDifferently_UnderOneDataKey()
    {
        var protector = Protector("ring");
        var sealedTexts = Enumerable.Range(0, 500).Select(_ => protector.ProtectPayload(Xml)).ToList();
        Assert.Equal(500, sealedTexts.Distinct(StringComparer.Ordinal).Count()); // a fresh nonce each time
        Assert.Single(sealedTexts.Select(WrappedKeyOf).Distinct(StringComparer.Ordinal)); // one data key, wrapped once
        Assert.All(sealedTexts, s => Assert.Equal(Xml, protector.Unprotect(s)));
    }

    [Fact]
    public void RowsWrittenWithDataProtection_BeforeThisFormat_StillRead()
    {
        var provider = Provider("ring");
        var legacy = provider.CreateProtector("Portal.Tokens.v1").Protect(Xml);
        var protector = new TokenProtector(provider, TimeProvider.System);
        Assert.Equal(Xml, protector.Unprotect(legacy));
        Assert.Equal("token-value", protector.Unprotect(protector.Protect("token-value")));
    }

    [Fact]
    public void AnotherInstanceSharingTheKeyRing_ReadsThePayload_AForeignKeyRingDoesNot()
    {
        var sealedText = Protector("ring").ProtectPayload(Xml);
        Assert.Equal(Xml, Protector("ring").Unprotect(sealedText)); // a second provider on the same ring: another instance
        Assert.ThrowsAny<CryptographicException>(() => Protector("other-ring").Unprotect(sealedText));
    }

    [Fact]
    public void ATamperedTruncatedOrForgedPayload_IsRefused()
    {
        var protector = Protector("ring");
        var sealedText = protector.ProtectPayload(Xml);
        var blob = WebEncoders.Base64UrlDecode(sealedText[3..]);

        var flipped = (byte[])blob.Clone();
        flipped[^1] ^= 0x01; // the ciphertext's last byte
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect("p1." + WebEncoders.Base64UrlEncode(flipped)));

        var tag = (byte[])blob.Clone();
        tag[blob.Length - Encoding.UTF8.GetByteCount(Xml) - 1] ^= 0x80; // the tag's last byte
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect("p1." + WebEncoders.Base64UrlEncode(tag)));

        var wrapped = (byte[])blob.Clone();
        wrapped[10] ^= 0x01; // inside the wrapped data key
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect("p1." + WebEncoders.Base64UrlEncode(wrapped)));

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect("p1." + WebEncoders.Base64UrlEncode(blob[..40])));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect("p1."));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect("p1.!!not base64!!"));

        // A data key the attacker chose, wrapped by nobody: refused before any decryption.
        var forged = new byte[2 + 32 + 12 + 16 + 8];
        forged[1] = 32;
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect("p1." + WebEncoders.Base64UrlEncode(forged)));
    }

    [Fact]
    public void AfterADay_NewPayloadsUseANewDataKey_AndTheOldOnesStillRead()
    {
        var clock = new SteppedClock(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
        var protector = new TokenProtector(Provider("ring"), clock);
        var first = protector.ProtectPayload(Xml);
        Assert.Equal(WrappedKeyOf(first), WrappedKeyOf(protector.ProtectPayload(Xml)));

        clock.Now += TokenProtector.DataKeyLifetime + TimeSpan.FromMinutes(1);
        var second = protector.ProtectPayload(Xml);
        Assert.NotEqual(WrappedKeyOf(first), WrappedKeyOf(second));
        Assert.Equal(Xml, protector.Unprotect(first));
        Assert.Equal(Xml, protector.Unprotect(second));
        Assert.Equal(Xml, Protector("ring").Unprotect(first)); // and from a fresh instance, which has neither key in memory
    }

    private IDataProtectionProvider Provider(string ring)
        => DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(_directory, ring)), b => b.SetApplicationName("Portal"));

    private TokenProtector Protector(string ring) => new(Provider(ring), TimeProvider.System);

    private static string WrappedKeyOf(string sealedText)
    {
        var blob = WebEncoders.Base64UrlDecode(sealedText[3..]);
        var length = (blob[0] << 8) | blob[1];
        return Convert.ToHexString(blob, 2, length);
    }

    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
