namespace Portal.Data.Entities;

public enum AlertSeverity
{
    Info = 0,
    Warning = 1,
    Critical = 2,
}

/// <summary>Something ops must know: stored, shown in the console, optionally posted to a webhook.</summary>
public sealed class Alert
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public AlertSeverity Severity { get; set; }

    /// <summary>Stable code, e.g. <c>ticket_missing</c>, <c>needs_reauthorization</c>.</summary>
    public required string Code { get; set; }

    public string? Target { get; set; }

    public string? Detail { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    public string? AcknowledgedBy { get; set; }
}

/// <summary>What an API key may read from the token API.</summary>
[Flags]
public enum ApiKeyScope
{
    None = 0,
    /// <summary>The component_access_token.</summary>
    ComponentToken = 1,
    /// <summary>Every authorizer's access token.</summary>
    AllAuthorizers = 2,
    /// <summary>The access tokens of the authorizers listed on the key only.</summary>
    ListedAuthorizers = 4,
}

/// <summary>A key internal services use for the token API; only its hash is stored.</summary>
public sealed class ApiKey
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The first characters, to recognise a key in the console.</summary>
    public required string Prefix { get; set; }

    public required string KeyHash { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public ApiKeyScope Scope { get; set; }

    /// <summary>With <see cref="ApiKeyScope.ListedAuthorizers"/>: the authorizer appids it may read, "wx…|wx…".</summary>
    public string? AuthorizerAppIds { get; set; }

    public IReadOnlyList<string> ListedAppIds => string.IsNullOrEmpty(AuthorizerAppIds) ? [] : AuthorizerAppIds.Split('|');

    public bool Allows(ApiKeyScope scope) => (Scope & scope) == scope;

    /// <summary>Whether the key may read this authorizer's token.</summary>
    public bool AllowsAuthorizer(string appId)
        => Allows(ApiKeyScope.AllAuthorizers) || (Allows(ApiKeyScope.ListedAuthorizers) && ListedAppIds.Contains(appId, StringComparer.Ordinal));
}

public enum JobRunStatus
{
    /// <summary>Asked for (by ops, onboarding or a restart); waiting for a worker.</summary>
    Enqueued = 0,
    Running = 1,
    Succeeded = 2,
    Failed = 3,
    /// <summary>Stopped by a shutdown; the scheduler runs it again at the next start and it resumes this row.</summary>
    Interrupted = 4,
    /// <summary>Not run: the same job was already running, or the job is paused.</summary>
    Skipped = 5,
}

/// <summary>One run of a background job: what ops see in the console and the dashboard chart reads.</summary>
public sealed class JobRun
{
    public long Id { get; set; }

    public required string JobName { get; set; }

    /// <summary>The authorizer appid for work on one account (force refresh, resync, first refresh); null for sweeps.</summary>
    public string? Target { get; set; }

    /// <summary>Who or what asked: <c>schedule</c>, <c>ops:&lt;user&gt;</c>, <c>onboarding</c>, <c>restart</c>.</summary>
    public string Trigger { get; set; } = "schedule";

    public JobRunStatus Status { get; set; }

    /// <summary>The scheduler's own id of the job execution (for the Dashboard link and to resume the same row after a restart).</summary>
    public string? ExternalId { get; set; }

    /// <summary>The portal process that runs it; a run left Running by another (dead) process is resumed at start.</summary>
    public string? Owner { get; set; }

    public DateTimeOffset EnqueuedAt { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public long DurationMs { get; set; }

    public bool Succeeded { get; set; }

    /// <summary>What the run came to, as a code; the UI words it with <see cref="OutcomeArgs"/>.</summary>
    public JobOutcomeCode Outcome { get; set; }

    /// <summary>The outcome's numbers (counts, durations, times), stored as JSON.</summary>
    public JobOutcomeArgs? OutcomeArgs { get; set; }

    /// <summary>Items the run completed (for the refresh job: tokens refreshed or recovered).</summary>
    public int ItemsSucceeded { get; set; }

    /// <summary>Items the run could not complete (for the refresh job: failed, revoked, needs re-authorization, paused).</summary>
    public int ItemsFailed { get; set; }
}

/// <summary>A recurring job ops paused in the console; kept here so the pause survives restarts and scheduler resets.</summary>
public sealed class JobPause
{
    public required string JobName { get; set; }

    public DateTimeOffset PausedAt { get; set; }

    public required string PausedBy { get; set; }
}

/// <summary>An API WeChat refused for quota (45009): no calls until <see cref="PausedUntil"/>.</summary>
public sealed class ApiPause
{
    public required string Api { get; set; }

    public DateTimeOffset PausedUntil { get; set; }

    public string? Reason { get; set; }
}
