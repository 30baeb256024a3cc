using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.WeChat;
using Portal.Web.Infrastructure;

namespace Portal.Web.Features.Data;

public static class DataExtensions
{
    /// <summary>
    /// The EF context factory on <c>Portal:Database:Provider</c> + <c>ConnectionStrings:Portal</c> (default: SQLite,
    /// <c>data/portal.db</c>), each provider with its own migrations assembly, and the Data Protection key ring: on
    /// PostgreSQL in the database (every instance reads the same ring), on SQLite under <c>data/keys</c>. With
    /// <c>Portal:DataProtection:CertificatePath</c> the keys are encrypted at rest with that certificate.
    /// </summary>
    public static IHostApplicationBuilder AddPortalData(this IHostApplicationBuilder builder)
    {
        var portal = new PortalOptions();
        builder.Configuration.GetSection(PortalOptions.SectionName).Bind(portal);
        var database = DatabaseSettings.Read(builder.Configuration, builder.Environment.ResolveDataDirectory(portal));
        builder.Services.AddSingleton(database);

        builder.Services.AddDbContextFactory<PortalDbContext>((services, options) =>
        {
            // Interceptors registered in the container join the provider's own (tests count database commands this way).
            options.AddInterceptors(services.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>());
            if (database.IsPostgreSql)
            {
                options.UseNpgsql(database.ConnectionString, o => o.MigrationsAssembly("Portal.Data.PostgreSql"));
            }
            else
            {
                options.UseSqlite(database.ConnectionString, o => o.MigrationsAssembly("Portal.Data"))
                    .AddInterceptors(new SqlitePragmas(database.SqliteSynchronous));
            }
        });

        builder.Services.AddHostedService<DatabaseMigrator>();
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("Portal");
        if (builder.Configuration["Portal:DataProtection:CertificatePath"] is { Length: > 0 } certificatePath)
        {
            dataProtection.ProtectKeysWithCertificate(LoadKeyRingCertificate(certificatePath, builder.Configuration["Portal:DataProtection:CertificatePassword"]));
        }

        // Resolved when first used (not while building the host), so every configuration source, late ones included, counts.
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            if (database.IsPostgreSql)
            {
                o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IDbContextFactory<PortalDbContext>>());
                return;
            }

            var dataDirectory = sp.GetRequiredService<IHostEnvironment>().ResolveDataDirectory(sp.GetRequiredService<IOptions<PortalOptions>>().Value);
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(dataDirectory, "keys")), sp.GetRequiredService<ILoggerFactory>());
        });
        builder.Services.AddSingleton<TokenProtector>();
        builder.Services.AddSingleton<LeaseStore>();
        // SQLite has one writer: hot write paths queue in-process. PostgreSQL takes concurrent writers.
        builder.Services.AddSingleton(new SqliteWriteGate(enabled: !database.IsPostgreSql));

        // The token API's memory (tokens and verified keys), and on PostgreSQL the listener that keeps every instance's copy current.
        builder.Services.AddOptions<TokenCacheOptions>().BindConfiguration(TokenCacheOptions.SectionName)
            .Validate(o => o.CacheMaxEntries >= 1, "TokenApi:CacheMaxEntries must be at least 1")
            .Validate(o => o.NotificationStaleness >= TimeSpan.FromSeconds(2) && o.NotificationStaleness <= TimeSpan.FromMinutes(5), "TokenApi:NotificationStaleness must be 00:00:02 to 00:05:00")
            .ValidateOnStart();
        builder.Services.AddSingleton<TokenCache>();
        if (database.IsPostgreSql)
        {
            builder.Services.AddHostedService<TokenCacheListener>();
        }
        return builder;
    }

    /// <summary>
    /// The key ring's certificate, or a start-up refusal naming the setting (never the password): a missing file, a wrong
    /// password, or a certificate without its private key (which could encrypt new keys but never read them back).
    /// </summary>
    private static X509Certificate2 LoadKeyRingCertificate(string path, string? password)
    {
        const string pathKey = "Portal:DataProtection:CertificatePath";
        const string passwordKey = "Portal:DataProtection:CertificatePassword";
        if (!File.Exists(path))
        {
            throw new OptionsValidationException(pathKey, typeof(PortalOptions), [$"{pathKey} names no readable file ({path})"]);
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new OptionsValidationException(passwordKey, typeof(PortalOptions),
                [$"{pathKey} could not be opened: not a PFX (PKCS#12) file, or {passwordKey} is wrong"]);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new OptionsValidationException(pathKey, typeof(PortalOptions), [$"{pathKey} must hold the certificate's private key (the key ring could not be read back)"]);
        }

        return certificate;
    }
}

/// <summary>
/// Applies migrations at start-up, before every other hosted service (it is registered first). EF's
/// pending-model-changes guard refuses to run a model that has no migration. Instances starting together are safe:
/// EF takes a database lock around migrating (a lock table on SQLite, a table lock on PostgreSQL), so one migrates and
/// the others then find nothing to do.
/// </summary>
public sealed class DatabaseMigrator(IDbContextFactory<PortalDbContext> factory, DatabaseSettings database) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        if (!database.IsPostgreSql)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The Data Protection key ring in the portal's database, so every instance protects and unprotects with the same keys.</summary>
public sealed class DatabaseXmlRepository(IDbContextFactory<PortalDbContext> factory) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = factory.CreateDbContext();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = factory.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKeyRecord { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
