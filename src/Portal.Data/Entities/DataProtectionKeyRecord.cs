namespace Portal.Data.Entities;

/// <summary>One key of the Data Protection key ring, as XML (encrypted by a certificate when one is configured).</summary>
public sealed class DataProtectionKeyRecord
{
    public int Id { get; set; }

    public string? FriendlyName { get; set; }

    public required string Xml { get; set; }
}
