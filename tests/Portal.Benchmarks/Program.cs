using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Audit;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.KeepAlive.Jobs;
using Portal.Web.Features.Onboarding;
using Portal.Web.Infrastructure;

// The token-api path's load generator, started by that path as its own process.
if (Portal.Benchmarks.TokenApiBench.IsClient(args))
{
    return await Portal.Benchmarks.TokenApiBench.ClientMainAsync(args);
}

// --quick / --path: the hot paths, each against its floor (Bench.cs, Paths/). Without them: the sweep table below.
if (Portal.Benchmarks.Bench.Wanted(args))
{
    return await Portal.Benchmarks.Bench.RunAsync(args);
}

// Seeds N authorizers whose tokens are all due, runs one refresh sweep as the portal runs it (the
// refresh-authorizer-tokens job queued on Hangfire, as "run now" does) against the emulator running in a separate
// process over loopback HTTP, and reports throughput, per-refresh cost, memory and database size; then times the
// due-selection query with 1 % due. Sizes: --sizes 1000,10000,100000 (default); concurrency: --concurrency 8 (KeepAlive:MaxConcurrency).
var sizes = Arg("--sizes", "1000,10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var concurrency = int.Parse(Arg("--concurrency", "8"), CultureInfo.InvariantCulture);
// --via hangfire (default): the sweep as the portal runs it; --via direct: the sweep's selection and the refresher called
// in-process, as the Quartz-era benchmark did (no scheduler at all), to separate the scheduler's cost from the sweep's.
var via = Arg("--via", "hangfire");
// --postgres "Host=127.0.0.1;Port=…;Username=postgres" (default: $PORTAL_TEST_PG when --provider PostgreSql): a fresh
// database on that server per size; --instances 2 runs two portal hosts on it whose sweeps run at the same moment
// (with --via direct: the sweep body on each instance; the scheduler runs one sweep per occurrence on one instance).
var postgres = Arg("--provider", "Sqlite") == "PostgreSql" ? Arg("--postgres", Environment.GetEnvironmentVariable("PORTAL_TEST_PG") ?? "") : null;
var instances = int.Parse(Arg("--instances", "1"), CultureInfo.InvariantCulture);
if (instances is < 1 or > 2 || (instances == 2 && (postgres is null || via != "direct")))
{
    Console.Error.WriteLine("--instances 2 needs --provider PostgreSql and --via direct");
    return 2;
}

Console.WriteLine($"provider {(postgres is null ? "Sqlite" : "PostgreSql")}, {instances} instance(s), via {via}, concurrency {concurrency} per instance");
Console.WriteLine($"| N | due | refreshed | sweep run time | refreshes/s | cost per refresh | queued → running | portal peak RSS | emulator peak RSS | db size | due query (1 % due) |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var n in sizes)
{
    await RunAsync(n, concurrency, via == "direct", postgres, instances);
}

return 0;

static async Task RunAsync(int n, int concurrency, bool direct, string? postgres, int instances)
{
    const string appId = "wx0123456789abcdef";
    const string secret = "benchmark-secret-0123456789abcdef";
    const string token = "benchmarktoken";
    const string aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-benchmark", Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(dataDirectory);
    var portalPort = FreePort();
    var emulatorPort = FreePort();
    var portalUrl = $"http://127.0.0.1:{portalPort}";
    var emulatorUrl = $"http://127.0.0.1:{emulatorPort}";

    using var emulator = Process.Start(new ProcessStartInfo("dotnet", [
        Path.Combine(AppContext.BaseDirectory, "Portal.WeChat.Emulator.dll"), "--urls", emulatorUrl,
        "--Emulator:ComponentAppId=" + appId, "--Emulator:ComponentAppSecret=" + secret, "--Emulator:Token=" + token,
        "--Emulator:EncodingAesKey=" + aesKey, "--Emulator:EventUrl=" + portalUrl + "/wechat/component/events",
        "--Emulator:AutoPushTickets=false", "--Logging:LogLevel:Default=Warning",
    ]) { RedirectStandardOutput = true, RedirectStandardError = true })!;

    string? database = null;
    string[] databaseArgs = [];
    if (postgres is not null)
    {
        database = "portal_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = "postgres", Pooling = false }.ConnectionString);
        await admin.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
        await create.ExecuteNonQueryAsync();
        databaseArgs = ["--Portal:Database:Provider=PostgreSql", "--ConnectionStrings:Portal=" + new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = database, MaxPoolSize = 200 }.ConnectionString];
    }

    async Task<WebApplication> StartPortalAsync(string url, string directory)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
            Args =
            [
                "--urls", url, "--Portal:DataDirectory=" + directory, "--Portal:PublicBaseUrl=" + url,
                "--WeChat:Mode=Emulator", "--WeChat:EmulatorBaseUrl=" + emulatorUrl, "--WeChat:ComponentAppId=" + appId,
                "--WeChat:ComponentAppSecret=" + secret, "--WeChat:Token=" + token, "--WeChat:EncodingAesKey=" + aesKey,
                "--KeepAlive:RunJobsOnSchedule=false", "--KeepAlive:MaxConcurrency=" + concurrency, "--KeepAlive:SweepBatchSize=" + n,
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Portal=Error", .. databaseArgs,
            ],
        });
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

    await using var app = await StartPortalAsync(portalUrl, dataDirectory);
    var secondDirectory = Path.Combine(dataDirectory, "second");
    Directory.CreateDirectory(secondDirectory);
    await using var second = instances == 2 ? await StartPortalAsync($"http://127.0.0.1:{FreePort()}", secondDirectory) : null;

    using var http = new HttpClient { BaseAddress = new Uri(emulatorUrl), Timeout = TimeSpan.FromMinutes(5) };
    await WaitForAsync(async () => (await http.GetAsync("/healthz")).IsSuccessStatusCode);
    (await http.PostAsync("/admin/api/tickets/push", null)).EnsureSuccessStatusCode();
    var services = app.Services;
    await WaitForAsync(async () => (await services.GetRequiredService<ComponentTokenService>().StatusAsync(CancellationToken.None)).TicketReceivedAt is not null);

    // Seed: 500 warm-up authorizations (refreshed untimed, so JIT and connection set-up are not measured), then N
    // authorizations at the emulator, N authorizers here, every token due.
    const int warmUp = 500;
    var warm = JsonDocument.Parse(await (await http.PostAsync($"/admin/api/authorizations/bulk?count={warmUp}&prefix=a", null)).Content.ReadAsStringAsync()).RootElement;
    var seeded = JsonDocument.Parse(await (await http.PostAsync($"/admin/api/authorizations/bulk?count={n}&prefix=b", null)).Content.ReadAsStringAsync()).RootElement;
    var protector = services.GetRequiredService<TokenProtector>();
    var dbFactory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
    var now = DateTimeOffset.UtcNow;
    foreach (var chunk in warm.EnumerateArray().Concat(seeded.EnumerateArray()).Chunk(5000))
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        foreach (var item in chunk)
        {
            db.Authorizers.Add(new Authorizer
            {
                AppId = item.GetProperty("authorizer_appid").GetString()!,
                Kind = AuthorizerKind.MiniProgram,
                IsAuthorized = true,
                Token = new AuthorizerToken
                {
                    RefreshTokenProtected = protector.Protect(item.GetProperty("refresh_token").GetString()!),
                    AccessTokenExpiresAt = now.AddMinutes(5),
                    RefreshDueAt = now.AddMinutes(-1),
                },
            });
        }

        await db.SaveChangesAsync();
    }

    var sweep = services.GetRequiredService<RefreshSweep>();
    var refresher = services.GetRequiredService<AuthorizerTokenRefresher>();
    await using (var db = await dbFactory.CreateDbContextAsync())
    {
        var warmIds = await db.Authorizers.Where(a => a.AppId.StartsWith("wxa")).Select(a => a.Id).ToListAsync();
        await Parallel.ForEachAsync(warmIds, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, ct) => await refresher.RefreshAsync(id, "warm-up", ct));
    }

    // One sweep, as the scheduler runs it: queued on Hangfire, run by a worker through the job runner, recorded.
    // "sweep run time" is the recorded run (running → done); "queued → running" is Hangfire's pick-up delay.
    var console = services.GetRequiredService<OpsConsole>();
    var due = await sweep.SelectDueAsync(CancellationToken.None);
    TimeSpan wall, pickUp = TimeSpan.Zero;
    int refreshed;
    if (direct)
    {
        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(new[] { app, second }.OfType<WebApplication>()
            .Select(host => Task.Run(() => host.Services.GetRequiredService<RefreshSweep>().RunAsync(CancellationToken.None))));
        wall = watch.Elapsed;
        refreshed = results.Sum(r => r.Succeeded);
    }
    else
    {
        // Queued exactly as the recurring schedule and "run now" queue it (the console's people-facing check of the
        // caller's rights is not part of what is measured).
        var runId = await services.GetRequiredService<JobRunner>().EnqueueAsync(RefreshAuthorizerTokensJob.JobName, null, "benchmark", CancellationToken.None);
        var run = await console.WaitAsync(runId, TimeSpan.FromHours(2), CancellationToken.None) ?? throw new InvalidOperationException("the sweep's run vanished");
        if (run.Status != JobRunStatus.Succeeded)
        {
            throw new InvalidOperationException($"the sweep ended {run.Status}: {run.Outcome}");
        }

        wall = TimeSpan.FromMilliseconds(run.DurationMs);
        pickUp = run.StartedAt - run.EnqueuedAt;
        refreshed = run.ItemsSucceeded;
    }

    // The due-selection query with 1 % due.
    await using (var db = await dbFactory.CreateDbContextAsync())
    {
        var onePercent = Math.Max(1, n / 100);
        await db.AuthorizerTokens.OrderBy(t => t.AuthorizerId).Take(onePercent).ExecuteUpdateAsync(s => s.SetProperty(t => t.RefreshDueAt, DateTimeOffset.UtcNow.AddMinutes(-1)));
    }

    var queryTimes = new List<double>();
    int selected = 0;
    for (var i = 0; i < 21; i++)
    {
        var q = Stopwatch.StartNew();
        selected = (await sweep.SelectDueAsync(CancellationToken.None)).Count;
        queryTimes.Add(q.Elapsed.TotalMilliseconds);
    }

    long dbBytes;
    if (database is null)
    {
        dbBytes = new DirectoryInfo(dataDirectory).GetFiles("portal.db*").Sum(f => f.Length);
    }
    else
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        dbBytes = await db.Database.SqlQueryRaw<long>("SELECT pg_database_size(current_database()) AS \"Value\"").SingleAsync();
    }

    var emulatorPeak = PeakRssMiB(emulator.Id);
    if (second is not null)
    {
        await second.StopAsync();
    }

    await app.StopAsync();
    emulator.Kill(entireProcessTree: true);
    await emulator.WaitForExitAsync();
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(dataDirectory, recursive: true);
    if (database is not null)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = "postgres", Pooling = false }.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {n:N0} | {due.Count:N0} | {refreshed:N0} | {wall.TotalSeconds:0.0} s | {refreshed / wall.TotalSeconds:0} | {wall.TotalMilliseconds * concurrency / Math.Max(1, refreshed):0.00} ms | {(direct ? "direct" : $"{pickUp.TotalSeconds:0.0} s")} | {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MiB | {emulatorPeak:0} MiB | {dbBytes / 1048576.0:0.0} MiB | {queryTimes.Order().ElementAt(10):0.0} ms ({selected:N0} rows) |"));
}

static double PeakRssMiB(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
}

static async Task WaitForAsync(Func<Task<bool>> condition)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
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

        await Task.Delay(100);
    }

    throw new TimeoutException("the benchmark's setup did not come up");
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string Arg(string name, string fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
