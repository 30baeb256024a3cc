using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Portal.Testing;

/// <summary>
/// The real portal host for tests: content root = the repository root (so the root appsettings.json and wwwroot are
/// used, as in production), a fresh data directory per factory, and settings overridden only where a test says so.
/// With <paramref name="kestrel"/> it listens on a real loopback port, for browsers and for the emulator's pushes.
/// </summary>
public class PortalFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public PortalFactory(IDictionary<string, string?>? settings, bool kestrel = false)
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        Port = kestrel ? FreePort() : 5080;
        BaseUrl = $"http://127.0.0.1:{Port}";
        _settings = new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = DataDirectory,
            ["Portal:PublicBaseUrl"] = BaseUrl,
            // Without a real port nothing can receive the mounted emulator's pushes; tests that need them use kestrel.
            ["WeChat:Emulator:AutoPushTickets"] = kestrel ? "true" : "false",
            ["WeChat:Emulator:PushRetryDelay"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        if (kestrel)
        {
            UseKestrel(options => options.Listen(IPAddress.Loopback, Port));
        }
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public string BaseUrl { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(RepoPaths.Root);
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
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
