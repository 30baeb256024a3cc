using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Portal.WeChat.Client.Http;

/// <summary>
/// Logs each WeChat call by API name, path and status. Replaces HttpClientFactory's default loggers,
/// which would write the full URL, and with it <c>component_access_token</c>.
/// </summary>
public sealed partial class WeChatLoggingHandler(ILogger<WeChatLoggingHandler> logger) : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var api = request.Options.TryGetValue(WeChatRequestOptions.ApiName, out var name) ? name : "?";
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            LogCall(logger, api, path, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            LogFailure(logger, api, path, ex.GetType().Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "WeChat {Api} {Path} answered HTTP {Status} in {ElapsedMs:0} ms")]
    private static partial void LogCall(ILogger logger, string api, string path, int status, double elapsedMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "WeChat {Api} {Path} failed with {Error} after {ElapsedMs:0} ms")]
    private static partial void LogFailure(ILogger logger, string api, string path, string error, double elapsedMs);
}
