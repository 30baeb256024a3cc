using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web.Features.Onboarding;

/// <summary>
/// Invitation links carry the invite id signed and encrypted with Data Protection: a forged or altered token does not
/// open; expiry and single use are enforced from the database so a finished invite can still show its result.
/// </summary>
public sealed class InviteTokens(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Portal.Invites.v1");

    public string Create(Guid inviteId) => _protector.Protect(inviteId.ToString("N"));

    public Guid? Read(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 1000)
        {
            return null;
        }

        try
        {
            return Guid.TryParseExact(_protector.Unprotect(token), "N", out var id) ? id : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)));
}
