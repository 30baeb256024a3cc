using Portal.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.Identity;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.Onboarding;
using Portal.Web.Infrastructure;

namespace Portal.Benchmarks;

/// <summary>
/// What the sweep benchmarks share: the WeChat emulator in its own process on a loopback port, the portal's real
/// services (configuration, database with migrations, Data Protection, the typed client with its handlers, component
/// token service, refresher, sweep, Hangfire) on a fresh data directory or PostgreSQL database, one or two instances,
/// a ticket pushed, and authorizers seeded at the emulator and in the portal's database.
/// </summary>
public sealed class SweepHost : IAsyncDisposable
{
    public const string AppId = "wx0123456789abcdef";
    private const string Secret = "benchmark-secret-0123456789abcdef";
    private const string Token = "benchmarktoken";
    private const string AesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    private readonly Process _emulator;
    private readonly string _dataDirectory;
    private readonly string? _postgres;
    private readonly string? _database;
    private readonly List<WebApplication> _instances = [];
    private readonly MemoryConfigurationProviderHandle _settings = new();
    private readonly string _portalUrl;
    private PortalProcess? _portalProcess;

    private SweepHost(Process emulator, string emulatorUrl, string portalUrl, string dataDirectory, string? postgres, string? database)
    {
        _emulator = emulator;
        _portalUrl = portalUrl;
        _dataDirectory = dataDirectory;
        _postgres = postgres;
        _database = database;
        EmulatorUrl = emulatorUrl;
        Emulator = new HttpClient { BaseAddress = new Uri(emulatorUrl), Timeout = TimeSpan.FromMinutes(5) };
    }

    public string EmulatorUrl { get; }

    /// <summary>The emulator's admin API (as an operator uses it: faults, bulk authorizations, ticket pushes).</summary>
    public HttpClient Emulator { get; }

    /// <summary>The first portal instance.</summary>
    public WebApplication App => _instances[0];

    public IReadOnlyList<WebApplication> Instances => _instances;

    public IServiceProvider Services => App.Services;

    public bool IsPostgreSql => _database is not null;

    /// <summary>
    /// Starts the emulator and <paramref name="instances"/> portal hosts (two only on PostgreSQL), waits for the ticket
    /// and the component token. <paramref name="settings"/> are extra portal settings (<c>KeepAlive:MaxConcurrency</c>, …);
    /// <see cref="SetAsync"/> changes them later as a configuration reload would.
    /// </summary>
    public static async Task<SweepHost> StartAsync(string? postgres, int instances, IDictionary<string, string> settings)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-benchmark", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var portalUrl = $"http://127.0.0.1:{FreePort()}";
        var emulatorUrl = $"http://127.0.0.1:{FreePort()}";
        var emulator = Process.Start(new ProcessStartInfo("dotnet", [
            Path.Combine(AppContext.BaseDirectory, "Portal.WeChat.Emulator.dll"), "--urls", emulatorUrl,
            "--Emulator:ComponentAppId=" + AppId, "--Emulator:ComponentAppSecret=" + Secret, "--Emulator:Token=" + Token,
            "--Emulator:EncodingAesKey=" + AesKey, "--Emulator:EventUrl=" + portalUrl + "/wechat/component/events",
            "--Emulator:AutoPushTickets=false", "--Logging:LogLevel:Default=Warning",
        ]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        emulator.OutputDataReceived += (_, _) => { };
        emulator.ErrorDataReceived += (_, _) => { };
        emulator.BeginOutputReadLine();
        emulator.BeginErrorReadLine();

        string? database = null;
        if (postgres is not null)
        {
            database = "portal_bench_" + Guid.NewGuid().ToString("N")[..12];
            await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = "postgres", Pooling = false }.ConnectionString);
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        var host = new SweepHost(emulator, emulatorUrl, portalUrl, dataDirectory, postgres, database);
        foreach (var (key, value) in settings)
        {
            host._settings.Data[key] = value;
        }

        for (var i = 0; i < instances; i++)
        {
            var directory = i == 0 ? dataDirectory : Path.Combine(dataDirectory, "instance" + i);
            Directory.CreateDirectory(directory);
            host._instances.Add(await host.StartPortalAsync(i == 0 ? portalUrl : $"http://127.0.0.1:{FreePort()}", directory));
        }

        await WaitForAsync(async () => (await host.Emulator.GetAsync("/healthz")).IsSuccessStatusCode);
        (await host.Emulator.PostAsync("/admin/api/tickets/push", null)).EnsureSuccessStatusCode();
        var component = host.Services.GetRequiredService<ComponentTokenService>();
        await WaitForAsync(async () => (await component.StatusAsync(CancellationToken.None)).TicketReceivedAt is not null);
        await component.GetTokenAsync(CancellationToken.None);
        return host;
    }

    private async Task<WebApplication> StartPortalAsync(string url, string directory)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--urls", url, .. PortalSettings(url, directory).Select(s => $"--{s.Key}={s.Value}"), "--KeepAlive:RunJobsOnSchedule=false"],
        });
        // Last, so it wins over the command line; SetAsync changes it at run time as a reloaded appsettings.json would.
        ((IConfigurationBuilder)builder.Configuration).Add(_settings);
        builder.AddPortalConfiguration();
        // The onboarding service's launch limits (ActionLimits) live here since the hardening work.
        builder.AddPortalRateLimiting();
        builder.AddPortalData();
        builder.AddPortalIdentity();
        builder.AddPortalOnboarding();
        builder.AddPortalKeepAlive();
        var built = builder.Build();
        built.MapPortalOnboarding();
        await built.StartAsync();
        return built;
    }

    /// <summary>The portal's settings: its public URL, data directory, database, the emulator and the component's secrets.</summary>
    private Dictionary<string, string?> PortalSettings(string url, string directory)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = directory,
            ["Portal:PublicBaseUrl"] = url,
            ["WeChat:Mode"] = "Emulator",
            ["WeChat:EmulatorBaseUrl"] = EmulatorUrl,
            ["WeChat:ComponentAppId"] = AppId,
            ["WeChat:ComponentAppSecret"] = Secret,
            ["WeChat:Token"] = Token,
            ["WeChat:EncodingAesKey"] = AesKey,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Portal"] = "Error",
        };
        if (_database is not null)
        {
            settings["Portal:Database:Provider"] = "PostgreSql";
            settings["ConnectionStrings:Portal"] = new Npgsql.NpgsqlConnectionStringBuilder(_postgres) { Database = _database }.ConnectionString;
        }

        return settings;
    }

    /// <summary>
    /// Stops the first in-process instance (its services stay usable for reading the database) and starts the portal as
    /// deployed on the same port, data directory or database and key ring (<see cref="PortalProcess"/>: <c>Portal.Web.dll</c>
    /// in its own process with its own runtime configuration — its garbage collector — and the whole web app), with these
    /// settings and <paramref name="settings"/> (the jobs' schedules, …), no demo data. Returns once it answers.
    /// </summary>
    public async Task<PortalProcess> HandOverToProcessAsync(IDictionary<string, string> settings)
    {
        await App.StopAsync();
        var all = PortalSettings(_portalUrl, _dataDirectory);
        foreach (var (key, value) in _settings.Data)
        {
            all[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        all["Portal:Demo:Seed"] = "false";
        _portalProcess = await PortalProcess.StartAsync(new Uri(_portalUrl).Port, all);
        return _portalProcess;
    }

    /// <summary>Changes portal settings on every instance as a configuration reload does (IOptionsMonitor sees it).</summary>
    public void Set(string key, string value)
    {
        _settings.Set(key, value);
        foreach (var instance in _instances)
        {
            ((IConfigurationRoot)instance.Configuration).Reload();
        }
    }

    /// <summary>Creates <paramref name="count"/> authorizations at the emulator: (appid, refresh token).</summary>
    public async Task<IReadOnlyList<(string AppId, string RefreshToken)>> SeedAtEmulatorAsync(int count, string prefix)
    {
        using var response = await Emulator.PostAsync($"/admin/api/authorizations/bulk?count={count}&prefix={prefix}", null);
        response.EnsureSuccessStatusCode();
        var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return items.EnumerateArray().Select(i => (i.GetProperty("authorizer_appid").GetString()!, i.GetProperty("refresh_token").GetString()!)).ToList();
    }

    /// <summary>Adds the authorizers to the portal's database with their refresh tokens encrypted; due at <paramref name="dueAt"/> (null: never).</summary>
    public async Task<IReadOnlyList<int>> SeedAuthorizersAsync(IEnumerable<(string AppId, string RefreshToken)> items, DateTimeOffset? dueAt)
    {
        var protector = Services.GetRequiredService<TokenProtector>();
        var dbFactory = Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var now = DateTimeOffset.UtcNow;
        var ids = new List<int>();
        foreach (var chunk in items.Chunk(5000))
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var added = chunk.Select(item => new Authorizer
            {
                AppId = item.AppId,
                Kind = AuthorizerKind.MiniProgram,
                IsAuthorized = true,
                Token = new AuthorizerToken
                {
                    RefreshTokenProtected = protector.Protect(item.RefreshToken),
                    AccessTokenExpiresAt = now.AddMinutes(5),
                    RefreshDueAt = dueAt,
                },
            }).ToList();
            db.Authorizers.AddRange(added);
            await db.SaveChangesAsync();
            ids.AddRange(added.Select(a => a.Id));
        }

        return ids;
    }

    /// <summary>Makes these authorizers due now.</summary>
    public async Task MakeDueAsync(IReadOnlyList<int> ids)
    {
        var dbFactory = Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var due = DateTimeOffset.UtcNow.AddMinutes(-1);
        foreach (var chunk in ids.Chunk(5000))
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            await db.AuthorizerTokens.Where(t => chunk.Contains(t.AuthorizerId)).ExecuteUpdateAsync(s => s.SetProperty(t => t.RefreshDueAt, due));
        }
    }

    /// <summary>Refreshes these authorizers untimed (JIT, connection pools, HTTP connections warm).</summary>
    public async Task WarmUpAsync(IReadOnlyList<int> ids, int concurrency)
    {
        var refresher = Services.GetRequiredService<AuthorizerTokenRefresher>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, ct) => await refresher.RefreshAsync(id, "warm-up", ct));
    }

    /// <summary>The database's size: the SQLite files, or PostgreSQL's <c>pg_database_size</c>.</summary>
    public async Task<long> DatabaseBytesAsync()
    {
        if (_database is null)
        {
            return new DirectoryInfo(_dataDirectory).GetFiles("portal.db*").Sum(f => f.Length);
        }

        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Database.SqlQueryRaw<long>("SELECT pg_database_size(current_database()) AS \"Value\"").SingleAsync();
    }

    /// <summary>
    /// PostgreSQL: server connections open to the portal's database (the pools of every instance; a pool opens a
    /// connection only when all of its open ones are busy and keeps it for minutes, so this is the peak in use). SQLite: null.
    /// </summary>
    public async Task<int?> DatabaseConnectionsAsync()
    {
        if (_database is null)
        {
            return null;
        }

        await using var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(_postgres) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return (await CountConnectionsAsync(connection)).Open;
    }

    /// <summary>PostgreSQL: samples the portal database's connections busy in a statement or transaction every 10 ms until cancelled; the highest count (SQLite: null).</summary>
    public async Task<int?> PeakBusyConnectionsAsync(CancellationToken stop)
    {
        if (_database is null)
        {
            return null;
        }

        await using var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(_postgres) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        var peak = 0;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, (await CountConnectionsAsync(connection)).Busy);
            await Task.Delay(10, CancellationToken.None);
        }

        return peak;
    }

    private async Task<(int Open, int Busy)> CountConnectionsAsync(Npgsql.NpgsqlConnection connection)
    {
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*), count(*) FILTER (WHERE state <> 'idle') FROM pg_stat_activity WHERE datname = @db", connection);
        count.Parameters.AddWithValue("db", _database!);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    public double EmulatorPeakRssMiB() => PeakRssMiB(_emulator.Id);

    public TimeSpan EmulatorCpu()
    {
        _emulator.Refresh();
        return _emulator.TotalProcessorTime;
    }

    public async ValueTask DisposeAsync()
    {
        if (_portalProcess is not null)
        {
            await _portalProcess.DisposeAsync();
        }

        for (var i = _instances.Count - 1; i >= 0; i--)
        {
            await _instances[i].StopAsync();
            await _instances[i].DisposeAsync();
        }

        Emulator.Dispose();
        if (!_emulator.HasExited)
        {
            _emulator.Kill(entireProcessTree: true);
            await _emulator.WaitForExitAsync();
        }

        _emulator.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
        if (_database is not null)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(_postgres) { Database = "postgres", Pooling = false }.ConnectionString);
            await admin.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The process's resident memory now (VmRSS), in MiB.</summary>
    public static double RssMiB(int pid) => StatusMiB(pid, "VmRSS:");

    /// <summary>The process's peak resident memory (VmHWM, reset by writing 5 to /proc/PID/clear_refs), in MiB.</summary>
    public static double PeakRssMiB(int pid) => StatusMiB(pid, "VmHWM:");

    private static double StatusMiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    public static Task WaitForAsync(Func<Task<bool>> condition)
        => WaitForAsync(condition, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100), "the benchmark's setup did not come up");

    /// <summary>Polls <paramref name="condition"/> every <paramref name="interval"/> until it holds; throws <paramref name="timeoutMessage"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan interval, string timeoutMessage)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(interval);
        }

        throw new TimeoutException(timeoutMessage);
    }

    public static int FreePort() => StandaloneEmulator.FreePort();

    /// <summary>An in-memory configuration source whose values can change after the host is built.</summary>
    private sealed class MemoryConfigurationProviderHandle : IConfigurationSource
    {
        public Dictionary<string, string?> Data { get; } = new(StringComparer.OrdinalIgnoreCase);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this);

        public void Set(string key, string value)
        {
            lock (Data)
            {
                Data[key] = value;
            }
        }

        private sealed class Provider(MemoryConfigurationProviderHandle source) : ConfigurationProvider
        {
            public override void Load()
            {
                lock (source.Data)
                {
                    Data = new Dictionary<string, string?>(source.Data, StringComparer.OrdinalIgnoreCase);
                }
            }
        }
    }
}
