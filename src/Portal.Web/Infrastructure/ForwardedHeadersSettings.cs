using System.Net;
using Microsoft.Extensions.Options;

namespace Portal.Web.Infrastructure;

/// <summary>
/// <c>Portal:ForwardedHeaders</c>: the reverse proxies (TLS terminators) whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> are believed. Empty means loopback only (a proxy on the same machine).
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string SectionName = "Portal:ForwardedHeaders";

    /// <summary>Proxy addresses, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form, e.g. <c>10.0.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies deep to look into <c>X-Forwarded-For</c>.</summary>
    public int ForwardLimit { get; set; } = 1;
}

/// <summary>Stops start-up on an address or network that does not parse, naming the key.</summary>
public sealed class ForwardedHeadersSettingsValidator : IValidateOptions<ForwardedHeadersSettings>
{
    public ValidateOptionsResult Validate(string? name, ForwardedHeadersSettings options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.KnownProxies.Length; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                failures.Add($"{ForwardedHeadersSettings.SectionName}:KnownProxies:{i} must be an IP address");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Length; i++)
        {
            if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                failures.Add($"{ForwardedHeadersSettings.SectionName}:KnownNetworks:{i} must be a network in CIDR form, e.g. 10.0.0.0/8");
            }
        }

        if (options.ForwardLimit is < 1 or > 10)
        {
            failures.Add($"{ForwardedHeadersSettings.SectionName}:ForwardLimit must be between 1 and 10");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
