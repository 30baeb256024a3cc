using Microsoft.Extensions.Options;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Client.Models;
using Portal.Web.Features.Component;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>When no ticket has arrived for a while: ask WeChat to push again and alert ops (the last ticket stays in use while valid).</summary>
public sealed class TicketWatchdogJob(ComponentTokenService component, ComponentApiClient client, AlertService alerts, IOptionsMonitor<KeepAliveOptions> options, TimeProvider time) : IPortalJob
{
    public const string JobName = "ticket-watchdog";

    public string Name => JobName;

    public string? DefaultSchedule => "15 */5 * * * *";

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        var (receivedAt, _, _) = await component.StatusAsync(cancellationToken);
        var age = receivedAt is { } at ? time.GetUtcNow() - at : (TimeSpan?)null;
        if (age is { } a && a < options.CurrentValue.TicketStaleAfter)
        {
            return new JobOutcome(JobOutcomeCode.TicketFresh, new JobOutcomeArgs { Minutes = (int)Math.Round(a.TotalMinutes) });
        }

        var detail = age is null ? "no ticket has ever arrived" : $"no ticket for {age.Value.TotalMinutes:0} minutes";
        var answer = await client.StartPushTicketAsync(new StartPushTicketRequest(), cancellationToken);
        await alerts.RaiseAsync("ticket_missing", AlertSeverity.Critical, null, $"{detail}; api_start_push_ticket answered '{answer.ErrMsg}'. The last ticket is used while it is valid (12 h). Check the authorization event URL and the firewall.", cancellationToken: cancellationToken);
        return new JobOutcome(JobOutcomeCode.TicketMissing, new JobOutcomeArgs { Minutes = age is { } m ? (int)Math.Round(m.TotalMinutes) : null }, 0, 1);
    }
}
