namespace Portal.Data.Entities;

/// <summary>The component's ticket and access token (one row), encrypted at rest.</summary>
public sealed class ComponentCredential
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public string? TicketProtected { get; set; }

    /// <summary>The push's CreateTime: a ticket never replaces a newer one.</summary>
    public DateTimeOffset? TicketCreatedAt { get; set; }

    public DateTimeOffset? TicketReceivedAt { get; set; }

    public string? AccessTokenProtected { get; set; }

    public DateTimeOffset? AccessTokenExpiresAt { get; set; }

    public long Version { get; set; }
}
