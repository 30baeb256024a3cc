using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Testing;
using Portal.Web.Features.Data;

namespace Portal.Web.Tests;

/// <summary>
/// <c>Portal:DataProtection:CertificatePath</c>: the Data Protection key ring (which seals every stored token) is encrypted
/// at rest with the certificate — in <c>data/keys</c> on SQLite, in the database on PostgreSQL — and reads back after a
/// restart; a certificate that cannot serve refuses the start and names the setting, never the password.
/// </summary>
public sealed class KeyRingProtectionTests
{
    private const string PathKey = "Portal:DataProtection:CertificatePath";
    private const string PasswordKey = "Portal:DataProtection:CertificatePassword";
    private const string Password = "pfx-Pa55word-not-in-messages";

    [Fact]
    public async Task WithACertificate_TheKeyRingIsEncryptedAtRest_AndTokensReadBackAfterARestart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        using var database = TestDatabase.PostgreSqlByDefault ? TestDatabase.CreatePostgreSql() : null;
        try
        {
            var settings = new Dictionary<string, string?> { [PathKey] = WritePfx(directory, withPrivateKey: true), [PasswordKey] = Password };
            foreach (var (key, value) in database?.PortalSettings() ?? [])
            {
                settings[key] = value;
            }

            const string secret = "authorizer-access-token-kept-sealed";
            string sealedToken;
            using (var first = new PortalFactory(settings, dataDirectory: directory))
            {
                Assert.True((await first.CreateClient().GetAsync("/healthz")).IsSuccessStatusCode);
                sealedToken = first.Services.GetRequiredService<TokenProtector>().Protect(secret);
                var stored = first.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository!.GetAllElements();
                Assert.NotEmpty(stored);
                foreach (var element in stored)
                {
                    var xml = element.ToString();
                    Assert.Contains("encryptedSecret", xml);
                    Assert.Contains("EncryptedXmlDecryptor", xml);
                    Assert.DoesNotContain("<masterKey", xml);
                }

                if (database is null)
                {
                    var files = Directory.GetFiles(Path.Combine(directory, "keys"), "*.xml");
                    Assert.NotEmpty(files);
                    Assert.All(files, f => Assert.DoesNotContain("<masterKey", File.ReadAllText(f)));
                }
            }

            using var second = new PortalFactory(settings, dataDirectory: directory);
            Assert.True((await second.CreateClient().GetAsync("/healthz")).IsSuccessStatusCode);
            Assert.Equal(secret, second.Services.GetRequiredService<TokenProtector>().Unprotect(sealedToken));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Theory]
    [InlineData("missing", PathKey + " names no readable file")]
    [InlineData("wrong-password", PathKey + " could not be opened: not a PFX (PKCS#12) file, or " + PasswordKey + " is wrong")]
    [InlineData("not-a-pfx", PathKey + " could not be opened")]
    [InlineData("no-private-key", PathKey + " must hold the certificate's private key")]
    public void ACertificateThatCannotServe_RefusesTheStart_NamingTheSetting(string problem, string expected)
    {
        var directory = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = problem switch
        {
            "missing" => Path.Combine(directory, "absent.pfx"),
            "not-a-pfx" => WriteText(directory, "-----BEGIN NOTHING-----"),
            "no-private-key" => WritePfx(directory, withPrivateKey: false),
            _ => WritePfx(directory, withPrivateKey: true),
        };
        var password = problem == "wrong-password" ? "a-wrong-password" : Password;
        using var factory = new PortalFactory(new Dictionary<string, string?> { [PathKey] = path, [PasswordKey] = password });
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var validation = ex as OptionsValidationException ?? ex.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains(expected, validation!.Message);
        Assert.DoesNotContain(password, validation.Message);
        Directory.Delete(directory, recursive: true);
    }

    private static string WritePfx(string directory, bool withPrivateKey)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=portal-key-ring-test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        using var exported = withPrivateKey ? null : X509CertificateLoader.LoadCertificate(certificate.RawData);
        var path = Path.Combine(directory, withPrivateKey ? "key-ring.pfx" : "public-only.pfx");
        File.WriteAllBytes(path, (exported ?? certificate).Export(X509ContentType.Pkcs12, Password));
        return path;
    }

    private static string WriteText(string directory, string text)
    {
        var path = Path.Combine(directory, "not-a.pfx");
        File.WriteAllText(path, text);
        return path;
    }
}
