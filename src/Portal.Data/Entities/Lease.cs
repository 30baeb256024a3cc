namespace Portal.Data.Entities;

/// <summary>
/// A named, expiring claim shared by every portal instance through the database: whoever holds an unexpired lease on a
/// name does that work (renewing the component token, exchanging one authorization code, processing one inbox
/// message). A holder that dies leaves it to expire; nothing waits longer than its duration.
/// </summary>
public sealed class Lease
{
    public required string Name { get; set; }

    /// <summary>The holder's token, unique per acquisition: only the holder releases it.</summary>
    public required string Owner { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
