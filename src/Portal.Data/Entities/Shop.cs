namespace Portal.Data.Entities;

/// <summary>A merchant's store; the thing an official account or mini program is bound to.</summary>
public sealed class Shop
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public string City { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Name and city in lower case, computed and stored by the database (never written by the portal): what the store list's
    /// case-insensitive search reads, one column per row instead of lower() over several.
    /// </summary>
    public string? SearchText { get; private set; }

    public Binding? Binding { get; set; }
}
