namespace Portal.Web.Resources;

/// <summary>
/// Marker for the portal's texts: <c>SharedResource.resx</c> (Simplified Chinese, the neutral language) and
/// <c>SharedResource.en.resx</c>. Pages ask <c>IStringLocalizer&lt;SharedResource&gt;</c> by key.
/// </summary>
public sealed class SharedResource;
