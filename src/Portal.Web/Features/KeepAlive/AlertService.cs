using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.KeepAlive;

/// <summary>
/// Stores alerts (one per code and target per quiet period), and posts them to the webhook if configured. The check and
/// the insert run under the <c>alert:{code}|{target}</c> lease, so instances raising the same alert at once send it once.
/// </summary>
public sealed partial class AlertService(
    IDbContextFactory<PortalDbContext> dbFactory,
    IHttpClientFactory http,
    Data.LeaseStore leases,
    IOptionsMonitor<KeepAliveOptions> options,
    TimeProvider time,
    ILogger<AlertService> logger)
{
    public const string WebhookClient = "alert-webhook";

    /// <summary>Raises an alert unless the same code and target were raised within <paramref name="quietPeriod"/>.</summary>
    public async Task<bool> RaiseAsync(string code, AlertSeverity severity, string? target, string? detail, TimeSpan? quietPeriod = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var leaseName = Audit.AuditLog.Cap("alert:" + code + "|" + target, 200)!;
        if (await leases.TryAcquireAsync(leaseName, TimeSpan.FromSeconds(30), cancellationToken) is not { } owner)
        {
            // Another instance is raising this very alert right now.
            return false;
        }

        Alert alert;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var since = now - (quietPeriod ?? TimeSpan.FromHours(1));
            if (await db.Alerts.AnyAsync(a => a.Code == code && a.Target == target && a.At > since && a.AcknowledgedAt == null, cancellationToken))
            {
                return false;
            }

            alert = new Alert { At = now, Severity = severity, Code = code, Target = target, Detail = detail };
            db.Alerts.Add(alert);
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            await leases.ReleaseAsync(leaseName, owner);
        }

        LogAlert(logger, severity, code, target ?? "-");

        if (options.CurrentValue.AlertWebhookUrl is { Length: > 0 } url)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var response = await http.CreateClient(WebhookClient).PostAsJsonAsync(url, new { alert.Id, at = alert.At, severity = alert.Severity.ToString(), alert.Code, alert.Target, alert.Detail }, timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    LogWebhookFailed(logger, $"HTTP {(int)response.StatusCode}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                LogWebhookFailed(logger, ex.GetType().Name);
            }
        }

        return true;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Alert {Severity} {Code} for {Target}")]
    private static partial void LogAlert(ILogger logger, AlertSeverity severity, string code, string target);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "The alert webhook failed: {Error}")]
    private static partial void LogWebhookFailed(ILogger logger, string error);
}
