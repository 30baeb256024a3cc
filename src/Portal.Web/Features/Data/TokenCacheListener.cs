using System.Diagnostics;
using Npgsql;

namespace Portal.Web.Features.Data;

/// <summary>
/// PostgreSQL only: keeps one connection LISTENing on <see cref="Channel"/>, where the database's triggers (migration
/// <c>TokenCacheNotify</c>) announce, inside the writing transaction, every change the token API's cache depends on:
/// an authorizer's token or authorization (<c>a:&lt;appid&gt;</c>), API keys (<c>k</c>), the component token (<c>c</c>).
/// PostgreSQL delivers a committed notification to every listening session, so while this connection lives nothing is
/// missed. It proves the connection with a round trip at least every second; <see cref="TokenCache"/> stops serving
/// when the last proof is older than <c>TokenApi:NotificationStaleness</c>, and is cleared on every (re)connect.
/// </summary>
public sealed partial class TokenCacheListener(TokenCache cache, DatabaseSettings database, ILogger<TokenCacheListener> logger) : BackgroundService
{
    public const string Channel = "portal_token_cache";

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Pooling = false,
            CommandTimeout = 3,
            Timeout = 5,
            ApplicationName = "portal-token-cache",
        }.ConnectionString;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => cache.OnNotification(e.Payload);
                var started = Stopwatch.GetTimestamp();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Anything committed while we were not listening may have been missed: start from nothing.
                cache.Clear();
                cache.Confirm(started);
                if (failures > 0)
                {
                    LogReconnected(logger);
                }

                failures = 0;
                while (!stoppingToken.IsCancellationRequested)
                {
                    started = Stopwatch.GetTimestamp();
                    if (!await connection.WaitAsync(Heartbeat, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }

                    cache.Confirm(started);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or IOException)
            {
                cache.Disconnected();
                if (failures++ == 0)
                {
                    LogLost(logger, ex.GetType().Name);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 * failures)), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "Token cache notifications lost ({Error}); the token API reads the database until they are back")]
    private static partial void LogLost(ILogger logger, string error);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Information, Message = "Token cache notifications are back; the cache starts empty")]
    private static partial void LogReconnected(ILogger logger);
}
