namespace Portal.Web.Components.Shared;

/// <summary>
/// A grid column's sort (MudBlazor names it after the row property) as a service's typed sort key: each key is named
/// after the row property it sorts by, so a column with no key falls back to the default instead of reaching a query.
/// </summary>
public static class GridSort
{
    public static TSort Parse<TSort>(string? sortBy, TSort fallback)
        where TSort : struct, Enum
        => sortBy is not null && Enum.TryParse<TSort>(sortBy, ignoreCase: false, out var key) && Enum.IsDefined(key) ? key : fallback;
}
