namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>Fetches one account's details and granted sets from WeChat again (ops' "resync").</summary>
public sealed class ResyncAuthorizerJob(Onboarding.AuthorizationExchanger exchanger) : IPortalJob
{
    public const string JobName = "resync-authorizer";

    public string Name => JobName;

    public string? DefaultSchedule => null;

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
        => await exchanger.SyncDetailsAsync(target ?? string.Empty, cancellationToken) ? new JobOutcome(Portal.Data.Entities.JobOutcomeCode.Resynced, null, 1) : new JobOutcome(Portal.Data.Entities.JobOutcomeCode.ResyncFailed, null, 0, 1);
}
