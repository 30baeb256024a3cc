namespace Portal.Data.Entities;

/// <summary>A merchant's store; the thing an official account or mini program is bound to.</summary>
public sealed class Shop
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public string City { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public Binding? Binding { get; set; }
}
