namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>The refresh sweep: refreshes every authorizer token that is due.</summary>
public sealed class RefreshAuthorizerTokensJob(RefreshSweep sweep) : IPortalJob
{
    public const string JobName = "refresh-authorizer-tokens";

    public string Name => JobName;

    public string? DefaultSchedule => "30 * * * * *";

    public async Task<JobOutcome> RunAsync(string? target, CancellationToken cancellationToken)
    {
        var result = await sweep.RunAsync(cancellationToken);
        return new JobOutcome(result.Due == 0 ? Portal.Data.Entities.JobOutcomeCode.SweepNothingDue : Portal.Data.Entities.JobOutcomeCode.SweepDone, result.Due == 0 ? null : result.Args(), result.Succeeded, result.Failed);
    }
}
