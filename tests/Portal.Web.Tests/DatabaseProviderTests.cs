using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Testing;
using Portal.Web.Features.Data;

namespace Portal.Web.Tests;

/// <summary>Portal:Database:Provider: both providers migrate to exactly the model, a wrong setting stops start-up naming its key.</summary>
public sealed class DatabaseProviderTests
{
    [Fact]
    // pragma_table_xinfo, not table_info: the latter hides generated columns (the stored search columns).
    public async Task Sqlite_MigrationsCreateExactlyTheModel()
    {
        using var factory = new PortalFactory(new Dictionary<string, string?> { ["Portal:Database:Provider"] = "Sqlite" });
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.True(db.Database.IsSqlite());
        await AssertSchemaEqualsModelAsync(db,
            "SELECT m.name AS \"Table\", p.name AS \"Column\" FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
            + $" AND m.name NOT LIKE '{ListSearch.SqliteIndexTable}%'");

        // Outside the model, made by the migration: the search index (an FTS5 table) and the triggers that keep it in step.
        var triggers = await db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'Authorizers'").ToListAsync();
        Assert.Equal(ListSearch.SqliteTriggers.Order(), triggers.Order());
        await db.Database.ExecuteSqlRawAsync($"INSERT INTO \"{ListSearch.SqliteIndexTable}\"(\"{ListSearch.SqliteIndexTable}\") VALUES ('integrity-check')");
    }

    [PostgreSqlFact]
    public async Task PostgreSql_MigrationsCreateExactlyTheModel_AndHangfireHasItsOwnSchema()
    {
        using var database = TestDatabase.CreatePostgreSql();
        using var factory = new PortalFactory(database.PortalSettings());
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.True(db.Database.IsNpgsql());
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes without a PostgreSQL migration: add one (build/Portal.Data.Design)");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        await AssertSchemaEqualsModelAsync(db,
            "SELECT table_name AS \"Table\", column_name AS \"Column\" FROM information_schema.columns WHERE table_schema = 'public'");

        // Outside the model, made by the migration: the trigram index the list searches use.
        Assert.Equal(1, await db.Database.SqlQueryRaw<int>($"SELECT count(*)::int AS \"Value\" FROM pg_indexes WHERE indexname = '{ListSearch.PostgreSqlIndex}' AND indexdef LIKE '%gin_trgm_ops%'").SingleAsync());

        Assert.IsType<PostgreSqlStorage>(factory.Services.GetRequiredService<JobStorage>());
        var hangfireTables = await db.Database.SqlQueryRaw<string>("SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'hangfire'").ToListAsync();
        Assert.Contains("job", hangfireTables);
        Assert.Contains("lock", hangfireTables);
    }

    [PostgreSqlFact]
    public async Task PostgreSql_KeyRingLivesInTheDatabase()
    {
        using var database = TestDatabase.CreatePostgreSql();
        using var factory = new PortalFactory(database.PortalSettings());
        var protectedText = factory.Services.GetRequiredService<TokenProtector>().Protect("a token");
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.NotEmpty(await db.DataProtectionKeys.ToListAsync());
        Assert.False(Directory.Exists(Path.Combine(factory.DataDirectory, "keys")) && Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "keys")).Any());

        // Another host on the same database (a second instance) reads the same ring.
        using var second = new PortalFactory(database.PortalSettings());
        Assert.Equal("a token", second.Services.GetRequiredService<TokenProtector>().Unprotect(protectedText));
    }

    [Theory]
    [InlineData("Oracle", null, "Portal:Database:Provider must be Sqlite or PostgreSql")]
    [InlineData("1", null, "Portal:Database:Provider must be Sqlite or PostgreSql")]
    [InlineData("PostgreSql", "", "ConnectionStrings:Portal must be set to a PostgreSQL connection string")]
    [InlineData("PostgreSql", "Data Source=portal.db", "ConnectionStrings:Portal is not a valid PostgreSQL connection string")]
    [InlineData("PostgreSql", "Host=db.example.com;Password=s3cret-value", "ConnectionStrings:Portal must name Host and Database")]
    [InlineData("Sqlite", "Host=db;Database=portal", "ConnectionStrings:Portal is not a valid SQLite connection string")]
    public void WrongDatabaseSetting_RefusesToStartNamingTheKey(string provider, string? connectionString, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Portal:Database:Provider"] = provider };
        if (connectionString is not null)
        {
            settings["ConnectionStrings:Portal"] = connectionString;
        }

        using var factory = new PortalFactory(settings);
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var message = (ex as OptionsValidationException ?? ex.InnerException as OptionsValidationException)?.Message
                      ?? DatabaseSettings.Validate(StartFailure.Configuration(settings), out _) ?? ex.ToString();
        Assert.Contains(expected, message);
        Assert.DoesNotContain("s3cret-value", message);
    }

    /// <summary>Every table and column of the model exists in the database, and the database has no table or column the model lacks.</summary>
    private static async Task AssertSchemaEqualsModelAsync(PortalDbContext db, string columnsSql)
    {
        var actual = (await db.Database.SqlQueryRaw<TableColumn>(columnsSql).ToListAsync())
            .Where(c => c.Table is not ("__EFMigrationsHistory" or "__EFMigrationsLock"))
            .Select(c => $"{c.Table}.{c.Column}").ToHashSet(StringComparer.Ordinal);
        var expected = db.Model.GetRelationalModel().Tables
            .SelectMany(t => t.Columns.Select(c => $"{t.Name}.{c.Name}")).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(expected.Except(actual));
        Assert.Empty(actual.Except(expected));
    }

    private sealed record TableColumn(string Table, string Column);
}
