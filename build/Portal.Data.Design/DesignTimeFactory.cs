using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Portal.Data;

namespace Portal.Data.Design;

/// <summary>
/// The context as <c>dotnet ef</c> sees it. <c>PORTAL_DESIGN_PROVIDER=PostgreSql</c> selects Npgsql and the
/// Portal.Data.PostgreSql migrations assembly; anything else is SQLite and Portal.Data's own set. Neither connects.
/// </summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
        => new(string.Equals(Environment.GetEnvironmentVariable("PORTAL_DESIGN_PROVIDER"), "PostgreSql", StringComparison.OrdinalIgnoreCase)
            ? new DbContextOptionsBuilder<PortalDbContext>()
                .UseNpgsql("Host=localhost;Database=portal_design", o => o.MigrationsAssembly("Portal.Data.PostgreSql"))
                .Options
            : new DbContextOptionsBuilder<PortalDbContext>()
                .UseSqlite("Data Source=design-time.db", o => o.MigrationsAssembly("Portal.Data"))
                .Options);
}

public static class Program
{
    public static void Main()
    {
    }
}
