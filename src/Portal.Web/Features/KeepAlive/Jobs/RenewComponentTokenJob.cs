using Microsoft.Extensions.Options;
using Portal.Web.Features.Component;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>Renews the component token when it is within its margin of expiry, never more often.</summary>
public sealed class RenewComponentTokenJob(ComponentTokenService component, IOptionsMonitor<WeChatOptions> wechat, TimeProvider time) : IPortalJob
{
    public const string JobName = "renew-component-token";

    public string Name => JobName;

    public string? DefaultSchedule => "0 * * * * *";

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        var (ticketAt, _, expiresAt) = await component.StatusAsync(cancellationToken);
        if (ticketAt is null)
        {
            return new JobOutcome("no ticket yet");
        }

        if (expiresAt is { } e && e - wechat.CurrentValue.ComponentTokenRefreshMargin > time.GetUtcNow())
        {
            return new JobOutcome($"valid until {e:u}; nothing to do");
        }

        return new JobOutcome($"renewed; valid until {await component.RenewAsync(cancellationToken):u}", 1);
    }
}
