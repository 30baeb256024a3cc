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

/// <summary>One run of a background job, for the console (Quartz keeps only schedules).</summary>
public sealed class JobRun
{
    public long Id { get; set; }

    public required string JobName { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public long DurationMs { get; set; }

    public bool Succeeded { get; set; }

    public string? Summary { get; set; }

    /// <summary>Items the run completed (for the refresh job: tokens refreshed or recovered).</summary>
    public int ItemsSucceeded { get; set; }

    /// <summary>Items the run could not complete (for the refresh job: failed, revoked, needs re-authorization, paused).</summary>
    public int ItemsFailed { get; set; }
}

/// <summary>An API WeChat refused for quota (45009): no calls until <see cref="PausedUntil"/>.</summary>
public sealed class ApiPause
{
    public required string Api { get; set; }

    public DateTimeOffset PausedUntil { get; set; }

    public string? Reason { get; set; }
}
