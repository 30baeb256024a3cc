namespace Portal.Web.Resources;

/// <summary>Marker for MudBlazor's built-in texts in Chinese (<c>MudBlazorResource.resx</c>, keys as in MudBlazor's own resources).</summary>
public sealed class MudBlazorResource;
