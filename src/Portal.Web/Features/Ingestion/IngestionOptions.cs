using Microsoft.Extensions.Options;

namespace Portal.Web.Features.Ingestion;

/// <summary>The <c>Ingestion</c> section: how pushes from WeChat are committed (group commit, ADR-017).</summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>A batch closes when it holds this many items (1–1000).</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// How long the writer waits for more items after the first one of a batch before it commits (0–50 ms). Default 0:
    /// under load batches fill while the previous one commits, and a wait only makes the requests arrive in lockstep
    /// (measured: 4,200 messages/s with 1 ms, 6,800–8,200/s with 0 at 32 concurrent requests; docs/benchmarks.md).
    /// </summary>
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Items waiting for the writer at most (64–100,000); requests beyond it wait for room.</summary>
    public int QueueCapacity { get; set; } = 8192;

    /// <summary>
    /// How long the writer trusts an account it read as authorized before it reads it again (0–5 min). A message for an
    /// account that withdrew its authorization may be stored for that long; one for a new account is checked at once.
    /// </summary>
    public TimeSpan AccountCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// SQLite only: WAL pages (4 KiB each) beyond which the writer's checkpointer restarts the WAL under the write gate
    /// (1,000–1,000,000; default 16,384 = 64 MiB). Under steady writes a PASSIVE checkpoint never lets the WAL start over.
    /// </summary>
    public int WalRestartFrames { get; set; } = 16_384;

    /// <summary>Inbox messages processed at the same time by this instance (1–32).</summary>
    public int InboxWorkers { get; set; } = 4;
}

/// <summary>Stops start-up with the key's path when a value is out of range.</summary>
public sealed class IngestionOptionsValidator : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBatchSize is < 1 or > 1000)
        {
            failures.Add("Ingestion:MaxBatchSize must be between 1 and 1000");
        }

        if (options.MaxBatchDelay < TimeSpan.Zero || options.MaxBatchDelay > TimeSpan.FromMilliseconds(50))
        {
            failures.Add("Ingestion:MaxBatchDelay must be between 00:00:00 and 00:00:00.050");
        }

        if (options.QueueCapacity is < 64 or > 100_000)
        {
            failures.Add("Ingestion:QueueCapacity must be between 64 and 100000");
        }

        if (options.AccountCacheDuration < TimeSpan.Zero || options.AccountCacheDuration > TimeSpan.FromMinutes(5))
        {
            failures.Add("Ingestion:AccountCacheDuration must be between 00:00:00 and 00:05:00");
        }

        if (options.WalRestartFrames is < 1_000 or > 1_000_000)
        {
            failures.Add("Ingestion:WalRestartFrames must be between 1000 and 1000000");
        }

        if (options.InboxWorkers is < 1 or > 32)
        {
            failures.Add("Ingestion:InboxWorkers must be between 1 and 32");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
