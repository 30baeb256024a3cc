namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>What one run of a job did: a summary in words and, for jobs over many items, how many succeeded and failed.</summary>
public sealed record JobOutcome(string Summary, int Succeeded = 0, int Failed = 0)
{
    public override string ToString() => Summary;
}
