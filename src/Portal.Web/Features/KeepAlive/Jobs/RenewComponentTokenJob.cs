using Microsoft.Extensions.Options;
using Portal.Data.Entities;
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
            return new JobOutcome(JobOutcomeCode.NoTicket);
        }

        if (expiresAt is { } e && e - wechat.CurrentValue.ComponentTokenRefreshMargin > time.GetUtcNow())
        {
            return new JobOutcome(JobOutcomeCode.ComponentTokenValid, new JobOutcomeArgs { Until = e });
        }

        return new JobOutcome(JobOutcomeCode.ComponentTokenRenewed, new JobOutcomeArgs { Until = await component.RenewAsync(cancellationToken) }, 1);
    }
}
