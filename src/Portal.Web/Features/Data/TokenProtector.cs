using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web.Features.Data;

/// <summary>Encrypts tokens, tickets and push payloads before they reach the database (ASP.NET Data Protection).</summary>
public sealed class TokenProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Portal.Tokens.v1");

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string Unprotect(string protectedText) => _protector.Unprotect(protectedText);
}
