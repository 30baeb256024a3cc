using System.Security.Cryptography;

namespace Portal.Web.Infrastructure;

/// <summary>
/// Serves <c>/_framework/blazor.web.js</c> from the copy embedded at build time (build/BlazorScript.targets).
/// When built with <c>-p:UseStockBlazorScript=true</c> there is no embedded copy and the framework's asset is used.
/// </summary>
public static class BlazorScriptEndpoint
{
    public const string ResourceName = "Portal.Web.blazor.web.js";
    public const string Path = "/_framework/blazor.web.js";

    public static IEndpointRouteBuilder MapBlazorScript(this IEndpointRouteBuilder endpoints)
    {
        using var stream = typeof(BlazorScriptEndpoint).Assembly.GetManifestResourceStream(ResourceName);
        if (stream is null)
        {
            return endpoints;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var script = copy.ToArray();
        var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(script))[..32]}\"");

        endpoints.MapGet(Path, () => Results.Bytes(script, "text/javascript; charset=utf-8", entityTag: etag)).ExcludeFromDescription();
        return endpoints;
    }
}
