using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web.Features.Onboarding;

/// <summary>
/// Invitation link tokens: 22 random characters (about 131 bits), stored only as their sha256, so the link a store
/// operator shares or a QR code carries stays short (the launch URL is about 50 characters plus the host). Invitations
/// made before short links carried their id signed and encrypted with Data Protection; those still open until they
/// expire. Expiry and single use are enforced from the database so a finished invite can still show its result.
/// </summary>
public sealed class InviteTokens(IDataProtectionProvider provider)
{
    /// <summary>Length of a short token.</summary>
    public const int Length = 22;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly IDataProtector _legacy = provider.CreateProtector("Portal.Invites.v1");

    /// <summary>A new random link token; store <see cref="Hash"/> of it, never the token.</summary>
    public static string Create() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>What a presented token names: the hash of a short token, the id of a legacy one, or nothing.</summary>
    public InviteKey? Read(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 1000)
        {
            return null;
        }

        if (token.Length == Length && token.All(c => char.IsAsciiLetterOrDigit(c)))
        {
            return new InviteKey(Hash(token), null);
        }

        try
        {
            return Guid.TryParseExact(_legacy.Unprotect(token), "N", out var id) ? new InviteKey(null, id) : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)));
}

/// <summary>How a presented link token finds its invitation: by token hash (short links) or by id (legacy links).</summary>
public sealed record InviteKey(string? TokenHash, Guid? LegacyId);
