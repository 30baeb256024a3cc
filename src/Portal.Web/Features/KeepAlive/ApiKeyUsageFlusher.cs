namespace Portal.Web.Features.KeepAlive;

/// <summary>
/// Writes API keys' last use (shown in the console) once a minute, off the request path: a token-API request that is
/// answered from memory does no database work at all, this included.
/// </summary>
public sealed partial class ApiKeyUsageFlusher(ApiKeyService keys, TimeProvider time, ILogger<ApiKeyUsageFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await keys.FlushUsageAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 8103, Level = LogLevel.Warning, Message = "API key usage could not be written ({Error}); it is retried in a minute")]
    private static partial void LogFailed(ILogger logger, string error);
}
