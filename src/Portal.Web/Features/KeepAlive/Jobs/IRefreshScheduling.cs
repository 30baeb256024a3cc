namespace Portal.Web.Features.KeepAlive.Jobs;

/// <summary>
/// What other features may ask of KeepAlive's scheduling: Onboarding uses it to give a newly bound authorizer its
/// first refresh at the moment it falls due, instead of leaving it to whichever sweep comes next.
/// </summary>
public interface IRefreshScheduling
{
    Task ScheduleFirstRefreshAsync(string appId, DateTimeOffset dueAt, CancellationToken cancellationToken);
}
