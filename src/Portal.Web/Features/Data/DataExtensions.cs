using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Web.Features.WeChat;
using Portal.Web.Infrastructure;

namespace Portal.Web.Features.Data;

public static class DataExtensions
{
    /// <summary>
    /// The EF context factory on <c>ConnectionStrings:Portal</c> (default: <c>data/portal.db</c>) and Data Protection keys
    /// persisted under <c>data/keys</c>, so encrypted tokens survive a restart.
    /// </summary>
    public static IHostApplicationBuilder AddPortalData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDbContextFactory<PortalDbContext>((sp, options) =>
        {
            var dataDirectory = sp.GetRequiredService<IHostEnvironment>().ResolveDataDirectory(sp.GetRequiredService<IOptions<PortalOptions>>().Value);
            options.UseSqlite(ConnectionString(builder.Configuration, dataDirectory), o => o.MigrationsAssembly("Portal.Data"))
                .AddInterceptors(new SqlitePragmas(builder.Configuration["Portal:SqliteSynchronous"] is { Length: > 0 } sync ? sync : "NORMAL"));
        });

        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddDataProtection().SetApplicationName("Portal");

        // Resolved when first used (not while building the host), so every configuration source, late ones included, counts.
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            var dataDirectory = sp.GetRequiredService<IHostEnvironment>().ResolveDataDirectory(sp.GetRequiredService<IOptions<PortalOptions>>().Value);
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(dataDirectory, "keys")), sp.GetRequiredService<ILoggerFactory>());
        });
        builder.Services.AddSingleton<TokenProtector>();
        builder.Services.AddSingleton(new SqliteWriteGate(enabled: true));
        return builder;
    }

    public static string ConnectionString(IConfiguration configuration, string dataDirectory)
    {
        var configured = configuration.GetConnectionString("Portal");
        var builder = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured) ? "Data Source=portal.db" : configured);
        if (!Path.IsPathRooted(builder.DataSource) && builder.DataSource != ":memory:")
        {
            builder.DataSource = Path.Combine(dataDirectory, Path.GetFileName(builder.DataSource));
        }

        builder.DefaultTimeout = 30;
        return builder.ToString();
    }

}

/// <summary>
/// Applies migrations at start-up, before every other hosted service (it is registered first). EF's
/// pending-model-changes guard refuses to run a model that has no migration.
/// </summary>
public sealed class DatabaseMigrator(IDbContextFactory<PortalDbContext> factory) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
