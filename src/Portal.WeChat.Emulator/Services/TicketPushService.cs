using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.WeChat.Emulator.Model;

namespace Portal.WeChat.Emulator.Services;

/// <summary>
/// Pushes component_verify_ticket once the host has started and then every <see cref="EmulatorOptions.TicketPushInterval"/>
/// (on the injected clock), unless stopped; <see cref="TriggerNow"/> pushes at once (api_start_push_ticket, admin).
/// </summary>
public sealed class TicketPushService(
    PushSender sender,
    EmulatorState state,
    IOptionsMonitor<EmulatorOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    EmulatorMount mount) : BackgroundService
{
    private readonly SemaphoreSlim _trigger = new(0, int.MaxValue);

    public void TriggerNow() => _trigger.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }

        if (!mount.IsMapped)
        {
            return;
        }

        var automatic = options.CurrentValue.AutoPushTickets;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (automatic && state.TicketPushesEnabled)
            {
                await sender.PushTicketAsync(stoppingToken).ConfigureAwait(false);
            }

            automatic = false;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(options.CurrentValue.TicketPushInterval, time, wait.Token);
            var triggered = _trigger.WaitAsync(wait.Token);
            var first = await Task.WhenAny(delay, triggered).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            if (first == triggered)
            {
                await sender.PushTicketAsync(stoppingToken).ConfigureAwait(false);
            }
            else
            {
                automatic = options.CurrentValue.AutoPushTickets;
            }
        }
    }
}
