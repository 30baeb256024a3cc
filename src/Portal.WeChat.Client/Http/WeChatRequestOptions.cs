namespace Portal.WeChat.Client.Http;

/// <summary>Per-request values the handlers read.</summary>
public static class WeChatRequestOptions
{
    /// <summary>The API's name, for logs and metrics (never the URL: it carries the token).</summary>
    public static readonly HttpRequestOptionsKey<string> ApiName = new("WeChat.ApiName");
}
