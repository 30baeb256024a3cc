namespace Portal.Web.Features.KeepAlive;

/// <summary>The <c>KeepAlive</c> section: how tokens are kept fresh.</summary>
public sealed class KeepAliveOptions
{
    public const string SectionName = "KeepAlive";

    /// <summary>Refresh an authorizer token this long before it expires.</summary>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Up to this much earlier again, per authorizer, so refreshes spread out instead of bunching.</summary>
    public TimeSpan RefreshJitter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Refreshes in flight at once during a sweep (1 to 256; a refresh holds a database connection only for its writes, not while WeChat answers). 64: at
    /// WeChat's 80–200 ms per refresh that is 320–800 refreshes/s, a whole 100,000-account fleet in 2–5 minutes after an
    /// outage, well inside the 15-minute refresh margin; steady state needs only about 15/s. The arithmetic and the
    /// measurements: docs/operations.md and docs/benchmarks.md (sweep-80ms).
    /// </summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>How long one refresh may hold an authorizer before another may take it over (a crashed worker's lease expires).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The most authorizers one sweep takes.</summary>
    public int SweepBatchSize { get; set; } = 20_000;

    /// <summary>When no ticket has arrived for this long, ask WeChat to push and raise an alert.</summary>
    public TimeSpan TicketStaleAfter { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>False: the jobs run only when someone presses "run now" (tests, maintenance).</summary>
    public bool RunJobsOnSchedule { get; set; } = true;

    /// <summary>Cron expressions of the recurring jobs by name (Hangfire's format: 5 fields, or 6 with seconds first; Asia/Shanghai).</summary>
    public Dictionary<string, string> Schedules { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Optional URL that receives every alert as a JSON POST.</summary>
    public string AlertWebhookUrl { get; set; } = string.Empty;
}
