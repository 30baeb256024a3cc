using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Portal.WeChat.Client.Http;

/// <summary>
/// Retries only what is transient: errcode -1, HTTP 5xx/408/429, connection failures and per-attempt timeouts,
/// with exponential backoff and jitter. WeChat's 4xxxx/6xxxx errors pass straight through.
/// </summary>
public sealed partial class WeChatRetryHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ILogger<WeChatRetryHandler> _logger;

    /// <summary>Creates the handler from the client options. Back-off and attempt timeouts are network time: always the system clock.</summary>
    public WeChatRetryHandler(IOptions<WeChatClientOptions> options, ILogger<WeChatRetryHandler> logger)
    {
        _logger = logger;
        var o = options.Value;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = TimeProvider.System };
        if (o.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = o.MaxRetries,
                Delay = o.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => ValueTask.FromResult(true),
                    { Exception: OperationCanceledException } when !args.Context.CancellationToken.IsCancellationRequested => ValueTask.FromResult(true),
                    { Result: { } response } => IsTransientAsync(response),
                    _ => ValueTask.FromResult(false),
                },
                OnRetry = args =>
                {
                    var api = args.Context.Properties.TryGetValue(new ResiliencePropertyKey<string>("api"), out var name) ? name : "?";
                    LogRetry(_logger, api, args.AttemptNumber + 1, args.Outcome.Exception?.GetType().Name ?? $"HTTP {(int?)args.Outcome.Result?.StatusCode}");
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddTimeout(o.AttemptTimeout);
        _pipeline = builder.Build();
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(new ResiliencePropertyKey<string>("api"), request.Options.TryGetValue(WeChatRequestOptions.ApiName, out var api) ? api : request.RequestUri?.AbsolutePath ?? "?");
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state.Handler.SendCoreAsync(state.Request, ctx.CancellationToken).ConfigureAwait(false),
                context,
                (Handler: this, Request: request)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);

    private static async ValueTask<bool> IsTransientAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status >= 500 || status is 408 or 429)
        {
            return true;
        }

        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("errcode", out var code)
                && code.ValueKind == JsonValueKind.Number
                && code.GetInt32() == -1;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "WeChat API {Api} failed transiently ({Reason}); retry {Attempt}")]
    private static partial void LogRetry(ILogger logger, string api, int attempt, string reason);
}
