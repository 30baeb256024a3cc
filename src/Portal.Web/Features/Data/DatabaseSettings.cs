using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Portal.Web.Features.Data;

/// <summary>Which database the portal runs on: <c>Portal:Database:Provider</c>.</summary>
public enum DatabaseProvider
{
    /// <summary>One file under the data directory; one portal instance (the default, runs out of the box).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by any number of instances, Hangfire in its own schema of it.</summary>
    PostgreSql,
}

/// <summary>
/// The database as configured, read once while the host is built (the job store depends on it). A wrong provider or a
/// connection string that does not fit it stops start-up with the key's name; the connection string itself is never
/// echoed (it may hold a password).
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public const string ProviderKey = "Portal:Database:Provider";
    public const string ConnectionStringKey = "ConnectionStrings:Portal";

    /// <summary>The schema of Hangfire's tables in the portal's PostgreSQL database.</summary>
    public const string HangfireSchema = "hangfire";

    public bool IsPostgreSql => Provider == DatabaseProvider.PostgreSql;

    /// <summary>SQLite's <c>synchronous</c> pragma for every connection (<c>Portal:SqliteSynchronous</c>, default NORMAL).</summary>
    public string SqliteSynchronous { get; init; } = "NORMAL";

    public static DatabaseSettings Read(IConfiguration configuration, string dataDirectory)
    {
        var failure = Validate(configuration, out var settings);
        if (failure is not null)
        {
            throw new OptionsValidationException(ProviderKey, typeof(DatabaseSettings), [failure]);
        }

        var synchronous = configuration["Portal:SqliteSynchronous"] is { Length: > 0 } configured ? configured.ToUpperInvariant() : "NORMAL";
        if (synchronous is not ("OFF" or "NORMAL" or "FULL" or "EXTRA"))
        {
            throw new OptionsValidationException("Portal:SqliteSynchronous", typeof(DatabaseSettings), ["Portal:SqliteSynchronous must be OFF, NORMAL, FULL or EXTRA"]);
        }

        return settings! with
        {
            ConnectionString = settings.IsPostgreSql ? settings.ConnectionString : SqliteConnectionString(settings.ConnectionString, dataDirectory),
            SqliteSynchronous = synchronous,
        };
    }

    /// <summary>The reason the configuration cannot run, naming the key, or null.</summary>
    public static string? Validate(IConfiguration configuration, out DatabaseSettings? settings)
    {
        settings = null;
        var providerText = configuration[ProviderKey];
        var provider = DatabaseProvider.Sqlite;
        if (!string.IsNullOrWhiteSpace(providerText) && (!Enum.TryParse(providerText, ignoreCase: true, out provider) || int.TryParse(providerText, out _)))
        {
            return $"{ProviderKey} must be Sqlite or PostgreSql";
        }

        var configured = configuration.GetConnectionString("Portal");
        if (provider == DatabaseProvider.PostgreSql)
        {
            if (string.IsNullOrWhiteSpace(configured))
            {
                return $"{ConnectionStringKey} must be set to a PostgreSQL connection string (Host=…;Database=…) when {ProviderKey} is PostgreSql";
            }

            try
            {
                var npgsql = new NpgsqlConnectionStringBuilder(configured);
                if (string.IsNullOrWhiteSpace(npgsql.Host) || string.IsNullOrWhiteSpace(npgsql.Database))
                {
                    return $"{ConnectionStringKey} must name Host and Database when {ProviderKey} is PostgreSql";
                }
            }
            catch (ArgumentException)
            {
                return $"{ConnectionStringKey} is not a valid PostgreSQL connection string";
            }

            settings = new DatabaseSettings(provider, configured);
            return null;
        }

        try
        {
            var sqlite = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured) ? "Data Source=portal.db" : configured);
            if (string.IsNullOrWhiteSpace(sqlite.DataSource))
            {
                return $"{ConnectionStringKey} must name a Data Source when {ProviderKey} is Sqlite";
            }
        }
        catch (ArgumentException)
        {
            return $"{ConnectionStringKey} is not a valid SQLite connection string (a PostgreSQL one needs {ProviderKey} = PostgreSql)";
        }

        settings = new DatabaseSettings(provider, string.IsNullOrWhiteSpace(configured) ? "Data Source=portal.db" : configured);
        return null;
    }

    private static string SqliteConnectionString(string configured, string dataDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(configured);
        if (!Path.IsPathRooted(builder.DataSource) && builder.DataSource != ":memory:")
        {
            builder.DataSource = Path.Combine(dataDirectory, Path.GetFileName(builder.DataSource));
        }

        builder.DefaultTimeout = 30;
        return builder.ToString();
    }

    public override string ToString() => $"{Provider} (connection string not shown)";
}
