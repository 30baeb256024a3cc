using Npgsql;

namespace Portal.Testing;

/// <summary>
/// The database a test host runs on. <c>PORTAL_TEST_PROVIDER=PostgreSql</c> with <c>PORTAL_TEST_PG</c> (a server
/// connection string without a database: test.sh starts a private cluster and exports it) gives every test host its
/// own fresh PostgreSQL database, dropped afterwards; otherwise SQLite in the host's data directory.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    private readonly string? _server;

    private TestDatabase(string? server, string? name)
    {
        _server = server;
        Name = name;
    }

    /// <summary>The PostgreSQL server tests may use, or null when none was started.</summary>
    public static string? Server => Environment.GetEnvironmentVariable("PORTAL_TEST_PG") is { Length: > 0 } s ? s : null;

    /// <summary>Whether test hosts default to PostgreSQL (the second pass of test.sh).</summary>
    public static bool PostgreSqlByDefault
        => Server is not null && string.Equals(Environment.GetEnvironmentVariable("PORTAL_TEST_PROVIDER"), "PostgreSql", StringComparison.OrdinalIgnoreCase);

    public string? Name { get; }

    public bool IsPostgreSql => Name is not null;

    public string? ConnectionString => Name is null ? null : new NpgsqlConnectionStringBuilder(_server) { Database = Name }.ConnectionString;

    /// <summary>The settings that put a portal on this database (nothing for SQLite).</summary>
    public Dictionary<string, string?> PortalSettings() => IsPostgreSql
        ? new() { ["Portal:Database:Provider"] = "PostgreSql", ["ConnectionStrings:Portal"] = ConnectionString }
        : new();

    public static TestDatabase Sqlite() => new(null, null);

    /// <summary>A new, empty PostgreSQL database; throws when no server was given (tests that need one check <see cref="Server"/>).</summary>
    public static TestDatabase CreatePostgreSql()
    {
        var server = Server ?? throw new InvalidOperationException("PORTAL_TEST_PG is not set: run the tests through test.sh, which starts PostgreSQL");
        var name = "portal_test_" + Guid.NewGuid().ToString("N")[..16];
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        command.ExecuteNonQuery();
        return new TestDatabase(server, name);
    }

    public void Dispose()
    {
        if (Name is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        command.ExecuteNonQuery();
    }
}
