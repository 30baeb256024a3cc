namespace Portal.Web.Features.WeChat;

/// <summary>The <c>Portal</c> configuration section.</summary>
public sealed class PortalOptions
{
    public const string SectionName = "Portal";

    /// <summary>The portal's public origin: the authorization-initiation domain and the redirect host.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Where the database, Data Protection keys and job store live (relative to the content root).</summary>
    public string DataDirectory { get; set; } = "data";
}
