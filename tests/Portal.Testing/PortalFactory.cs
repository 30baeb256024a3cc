using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Data;

namespace Portal.Testing;

/// <summary>
/// The real portal host for tests: content root = the repository root (so the root appsettings.json and wwwroot are
/// used, as in production), a fresh data directory per factory, and settings overridden only where a test says so.
/// With <paramref name="kestrel"/> it listens on a real loopback port, for browsers and for the emulator's pushes.
/// </summary>
public class PortalFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _keepData;

    private readonly TimeProvider? _clock;
    private readonly Action<IServiceCollection>? _services;
    private readonly TestDatabase? _ownDatabase;

    /// <param name="services">Services the test adds to the host's container (e.g. a <see cref="DatabaseCommandCounter"/>).</param>
    public PortalFactory(IDictionary<string, string?>? settings, bool kestrel = false, string? dataDirectory = null, TimeProvider? clock = null, int? port = null, Action<IServiceCollection>? services = null)
    {
        _clock = clock;
        _services = services;
        _keepData = dataDirectory is not null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        Port = kestrel ? port ?? FreePort() : 5080;
        BaseUrl = $"http://127.0.0.1:{Port}";
        _settings = new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = DataDirectory,
            ["Portal:PublicBaseUrl"] = BaseUrl,
            // Without a real port nothing can receive the mounted emulator's pushes; tests that need them use kestrel.
            ["WeChat:Emulator:AutoPushTickets"] = kestrel ? "true" : "false",
            ["WeChat:Emulator:PushRetryDelay"] = "00:00:00.200",
            // Jobs run when a test says so (services directly, or run-now), never on a wall-clock schedule mid-test.
            ["KeepAlive:RunJobsOnSchedule"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        // The second pass of test.sh: every host that does not choose its database gets its own PostgreSQL database.
        if (!_settings.ContainsKey("Portal:Database:Provider") && TestDatabase.PostgreSqlByDefault)
        {
            _ownDatabase = TestDatabase.CreatePostgreSql();
            foreach (var (key, value) in _ownDatabase.PortalSettings())
            {
                _settings[key] = value;
            }
        }

        if (kestrel)
        {
            UseKestrel(options => options.Listen(IPAddress.Loopback, Port));
        }
    }

    public string DataDirectory { get; }

    /// <summary>The host's log for this factory (artifacts/logs).</summary>
    public string LogPath { get; } = System.IO.Path.Combine(RepoPaths.Artifacts("logs"), $"portal-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid().ToString("N")[..6]}.log");

    public int Port { get; }

    public string BaseUrl { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(RepoPaths.Root);
        builder.UseEnvironment("Testing");
        // Host settings reach Program as command-line configuration, so they are seen by code that reads configuration
        // while the host is being built (the job store's path), exactly as in a real deployment.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(new FileLoggerProvider(LogPath)));
        if (_clock is not null)
        {
            builder.ConfigureServices(services => services.AddSingleton(_clock));
        }

        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }

    /// <summary>PostgreSql when this host runs on a PostgreSQL database, otherwise Sqlite.</summary>
    public string Provider => _settings.TryGetValue("Portal:Database:Provider", out var p) && p is { Length: > 0 } ? p : "Sqlite";

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _ownDatabase?.Dispose();
        }

        if (disposing && !_keepData)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open (e.g. SQLite WAL) is left for the OS temp cleaner.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The default portal (emulator mode, in-memory test server) as an xUnit class fixture.</summary>
public sealed class DefaultPortalFactory() : PortalFactory(null);

public static class PortalFactoryExtensions
{
    /// <summary>Waits until the mounted emulator's first ticket push has been received and stored.</summary>
    public static Task WaitForTicketAsync(this PortalFactory factory, TimeSpan? timeout = null)
        => factory.WaitForAsync(async db => await db.ComponentCredentials.AnyAsync(c => c.TicketProtected != null) ? "stored" : null, timeout);

    /// <summary>A signed-in demo user as services see them (the principal a page would pass), e.g. "ops".</summary>
    public static async Task<Portal.Web.Features.Audit.Actor> ActorAsync(this PortalFactory factory, string userName)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Portal.Data.Entities.PortalUser>>();
        var principals = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.IUserClaimsPrincipalFactory<Portal.Data.Entities.PortalUser>>();
        var user = await users.FindByNameAsync(userName) ?? throw new InvalidOperationException($"no user {userName}");
        return Portal.Web.Features.Audit.Actor.From(await principals.CreateAsync(user), "127.0.0.1");
    }

    /// <summary>Polls a condition on the database until it holds.</summary>
    public static async Task<T> WaitForAsync<T>(this PortalFactory factory, Func<PortalDbContext, Task<T?>> probe, TimeSpan? timeout = null)
    {
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                if (await probe(db) is { } value && !Equals(value, default(T)))
                {
                    return value;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the condition did not hold in time");
            }

            await Task.Delay(50);
        }
    }
}

public static class PortalPrincipals
{
    /// <summary>The principal the portal's sign-in would give a seeded user (id, name, roles, security stamp).</summary>
    public static async Task<System.Security.Claims.ClaimsPrincipal> PrincipalAsync(this PortalFactory factory, string userName)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Portal.Data.Entities.PortalUser>>();
        var principals = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.IUserClaimsPrincipalFactory<Portal.Data.Entities.PortalUser>>();
        var user = await users.FindByNameAsync(userName) ?? throw new InvalidOperationException($"no user {userName}");
        return await principals.CreateAsync(user);
    }
}
