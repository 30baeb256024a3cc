using Portal.Data.Entities;

namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>
/// What one run of a job did: an outcome code with its typed arguments (worded by the UI) and, for jobs over many
/// items, how many succeeded and failed.
/// </summary>
public sealed record JobOutcome(JobOutcomeCode Code, JobOutcomeArgs? Args = null, int Succeeded = 0, int Failed = 0)
{
    public static JobOutcome Purged(int deleted, DateTimeOffset before) => new(JobOutcomeCode.Purged, new JobOutcomeArgs { Deleted = deleted, Until = before }, deleted);
}
