using Portal.Data.Entities;

namespace Portal.Web.Features.Ingestion;

/// <summary>What became of one item once its batch was committed (or failed).</summary>
public enum IngestOutcome
{
    /// <summary>Stored now, for the first time.</summary>
    Stored,

    /// <summary>The same message or push was already stored: nothing new was written (answered as a success).</summary>
    Duplicate,

    /// <summary>This signed request (timestamp, nonce, signature) was accepted before: refused.</summary>
    Replayed,

    /// <summary>The path's appid is not an account that authorized this platform.</summary>
    UnknownAccount,

    /// <summary>The message is addressed to another account than the path's appid.</summary>
    WrongAccount,

    /// <summary>The database did not take it: nothing of it was stored, and it must not be answered as a success.</summary>
    Failed,
}

/// <summary>
/// One verified, decrypted push handed to the <see cref="GroupCommitWriter"/>: its replay-guard key, the row to store once
/// (an account message or an inbox row) and, for a merchant account, the account check that needs the database.
/// </summary>
public sealed class IngestItem
{
    private readonly TaskCompletionSource<IngestOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The replay-guard key (prefix, timestamp, nonce, lower-cased msg_signature).</summary>
    public required string ReplayKey { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>When set: the appid in the path must be authorized and (when its user name is known) be this recipient.</summary>
    public AccountCheck? Account { get; init; }

    /// <summary>A message of an authorized account (unique by appid + dedupe key).</summary>
    public AccountMessageRecord? Message { get; init; }

    /// <summary>Written with <see cref="Message"/> when that is new (a release-test case answered passively).</summary>
    public ReleaseTestRecord? ReleaseTest { get; init; }

    /// <summary>An inbox row (unique by dedupe key): a component push or a poison item.</summary>
    public InboxMessage? Inbox { get; init; }

    /// <summary>Completes once the item's batch is durable (or failed).</summary>
    public Task<IngestOutcome> Completion => _completion.Task;

    /// <summary>The outcome decided inside the batch, published by <see cref="Complete"/> only after the commit.</summary>
    internal IngestOutcome Pending { get; set; }

    internal void Complete(IngestOutcome outcome) => _completion.TrySetResult(outcome);
}

/// <summary>The account a message URL request must belong to: <paramref name="AppId"/> from the path, <paramref name="ToUserName"/> from the message.</summary>
public sealed record AccountCheck(string AppId, string ToUserName);
