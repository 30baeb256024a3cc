namespace Portal.Data.Entities;

/// <summary>Who did what, when, from where. Never holds tokens or secrets.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public string? Target { get; set; }

    public string? Detail { get; set; }

    public string? RemoteIp { get; set; }
}
