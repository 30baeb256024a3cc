namespace Portal.Data.Entities;

/// <summary>What a job run came to, as a code; its numbers are in <see cref="JobOutcomeArgs"/> and the UI words both.</summary>
public enum JobOutcomeCode
{
    /// <summary>Not finished yet.</summary>
    None = 0,

    /// <summary>Recorded before outcomes were codes (free text that was not kept).</summary>
    Unrecorded = 1,

    /// <summary>The body threw: <see cref="JobOutcomeArgs.Error"/> (type), or a WeChat failure (Api, ErrCode) or a portal failure (Failure).</summary>
    Failed = 2,

    /// <summary>The same job (and target) was already running in this process.</summary>
    SkippedAlreadyRunning = 3,

    /// <summary>The same job (and target) was already running on another instance.</summary>
    SkippedOtherInstance = 4,

    /// <summary>Stopped by a shutdown; runs again at the next start.</summary>
    InterruptedByShutdown = 5,

    /// <summary>Left running by a stopped process; queued again.</summary>
    ResumedAfterStop = 6,

    /// <summary>The refresh sweep found nothing due.</summary>
    SweepNothingDue = 7,

    /// <summary>The refresh sweep: Due, the per-outcome counts and ElapsedMs.</summary>
    SweepDone = 8,

    /// <summary>One account's refresh: <see cref="JobOutcomeArgs.Refresh"/>.</summary>
    Refresh = 9,

    Resynced = 10,

    ResyncFailed = 11,

    /// <summary>The component token could not be renewed: no ticket has arrived yet.</summary>
    NoTicket = 12,

    /// <summary>The component token is still valid until <see cref="JobOutcomeArgs.Until"/>.</summary>
    ComponentTokenValid = 13,

    /// <summary>The component token was renewed, valid until <see cref="JobOutcomeArgs.Until"/>.</summary>
    ComponentTokenRenewed = 14,

    /// <summary>The last ticket arrived <see cref="JobOutcomeArgs.Minutes"/> ago.</summary>
    TicketFresh = 15,

    /// <summary>No ticket for <see cref="JobOutcomeArgs.Minutes"/> minutes (null: never); WeChat was asked to push.</summary>
    TicketMissing = 16,

    /// <summary>Reconciliation: AtWeChat, Here, UnknownHere, GoneThere, Repaired, DetailsSynced.</summary>
    Reconciled = 17,

    /// <summary>Old rows deleted: Deleted, before Until.</summary>
    Purged = 18,
}

/// <summary>The typed arguments of a <see cref="JobOutcomeCode"/>; only those the code uses are set (stored as JSON).</summary>
public sealed record JobOutcomeArgs
{
    public int? Due { get; init; }

    public long? ElapsedMs { get; init; }

    public int? Refreshed { get; init; }

    public int? Recovered { get; init; }

    public int? Busy { get; init; }

    public int? NotDue { get; init; }

    public int? RefreshFailed { get; init; }

    public int? NeedsReauthorization { get; init; }

    public int? Revoked { get; init; }

    public int? QuotaPaused { get; init; }

    public int? Gone { get; init; }

    /// <summary>The outcome of one account's refresh (the name of the refresher's outcome, e.g. <c>Refreshed</c>).</summary>
    public string? Refresh { get; init; }

    public DateTimeOffset? Until { get; init; }

    public int? Minutes { get; init; }

    public int? AtWeChat { get; init; }

    public int? Here { get; init; }

    public int? UnknownHere { get; init; }

    public int? GoneThere { get; init; }

    public int? Repaired { get; init; }

    public int? DetailsSynced { get; init; }

    public int? Deleted { get; init; }

    /// <summary>A failed run: the exception's type name.</summary>
    public string? Error { get; init; }

    /// <summary>A failed run that WeChat refused: the API and its errcode.</summary>
    public string? Api { get; init; }

    public int? ErrCode { get; init; }

    /// <summary>A failed run refused by one of the portal's typed failures: its machine code.</summary>
    public string? Failure { get; init; }
}
