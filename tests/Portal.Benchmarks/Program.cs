using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.KeepAlive.Jobs;
using Portal.Benchmarks;

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
// --via process: the portal as deployed — Portal.Web.dll in its own process, with its own runtime configuration (garbage
// collector), pages and Blazor loaded — whose scheduled sweep (every 5 s here) does the work; memory and CPU are that
// process's. Seeding and the emulator as in the other modes.
// --postgres "Host=127.0.0.1;Port=…;Username=postgres" (default: $PORTAL_TEST_PG when --provider PostgreSql): a fresh
// database on that server per size; --instances 2 runs two portal hosts on it whose sweeps run at the same moment
// (with --via direct: the sweep body on each instance; the scheduler runs one sweep per occurrence on one instance).
var postgres = Arg("--provider", "Sqlite") == "PostgreSql" ? Arg("--postgres", Environment.GetEnvironmentVariable("PORTAL_TEST_PG") ?? "") : null;
var instances = int.Parse(Arg("--instances", "1"), CultureInfo.InvariantCulture);
if (via is not ("hangfire" or "direct" or "process"))
{
    Console.Error.WriteLine("--via is hangfire, direct or process");
    return 2;
}

if (instances is < 1 or > 2 || (instances == 2 && (postgres is null || via != "direct")))
{
    Console.Error.WriteLine("--instances 2 needs --provider PostgreSql and --via direct");
    return 2;
}

Console.WriteLine($"provider {(postgres is null ? "Sqlite" : "PostgreSql")}, {instances} instance(s), via {via}, concurrency {concurrency} per instance");
Console.WriteLine($"| N | due | refreshed | sweep run time | refreshes/s | cost per refresh | portal CPU per refresh | queued → running | portal peak RSS | portal peak RSS in the sweep | emulator peak RSS | db size | due query (1 % due) |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var n in sizes)
{
    if (via == "process")
    {
        await RunAsProcessAsync(n, concurrency, postgres);
    }
    else
    {
        await RunAsync(n, concurrency, via == "direct", postgres, instances);
    }
}

return 0;

static async Task RunAsync(int n, int concurrency, bool direct, string? postgres, int instances)
{
    await using var host = await SweepHost.StartAsync(postgres, instances, new Dictionary<string, string>
    {
        ["KeepAlive:MaxConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
        ["KeepAlive:SweepBatchSize"] = n.ToString(CultureInfo.InvariantCulture),
    });
    var services = host.Services;
    var app = host.App;
    var second = host.Instances.Count > 1 ? host.Instances[1] : null;

    // Seed: 500 warm-up authorizations (refreshed untimed, so JIT and connection set-up are not measured), then N
    // authorizations at the emulator, N authorizers here, every token due.
    const int warmUp = 500;
    var warm = await host.SeedAtEmulatorAsync(warmUp, "a");
    var seeded = await host.SeedAtEmulatorAsync(n, "b");
    var warmIds = await host.SeedAuthorizersAsync(warm, DateTimeOffset.UtcNow.AddMinutes(-1));
    await host.SeedAuthorizersAsync(seeded, DateTimeOffset.UtcNow.AddMinutes(-1));
    var sweep = services.GetRequiredService<RefreshSweep>();
    var dbFactory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
    await host.WarmUpAsync(warmIds, concurrency);

    // The portal's own memory during the sweep: the seeding's garbage collected, the process's peak RSS reset (Linux
    // clear_refs 5), read again after the sweep. "portal peak RSS" keeps the whole process's peak, seeding included.
    seeded = [];
    warm = [];
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var peakBefore = SweepHost.PeakRssMiB(Environment.ProcessId);
    try
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        // Not Linux or not allowed: the sweep's column then shows the whole process's peak.
    }

    // One sweep, as the scheduler runs it: queued on Hangfire, run by a worker through the job runner, recorded.
    // "sweep run time" is the recorded run (running → done); "queued → running" is Hangfire's pick-up delay.
    var console = services.GetRequiredService<OpsConsole>();
    var due = await sweep.SelectDueAsync(CancellationToken.None);
    TimeSpan wall, pickUp = TimeSpan.Zero;
    int refreshed;
    // Process CPU (every thread of this process: the portal's refreshes, its Hangfire, the benchmark's bookkeeping)
    // across the sweep, divided by what it refreshed.
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    if (direct)
    {
        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(new[] { app, second }.OfType<WebApplication>()
            .Select(h => Task.Run(() => h.Services.GetRequiredService<RefreshSweep>().RunAsync(CancellationToken.None))));
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

    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

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

    var sweepPeak = SweepHost.PeakRssMiB(Environment.ProcessId);
    var dbBytes = await host.DatabaseBytesAsync();
    var emulatorPeak = host.EmulatorPeakRssMiB();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {n:N0} | {due.Count:N0} | {refreshed:N0} | {wall.TotalSeconds:0.0} s | {refreshed / wall.TotalSeconds:0} | {wall.TotalMilliseconds * concurrency / Math.Max(1, refreshed):0.00} ms | {cpu.TotalMilliseconds / Math.Max(1, refreshed):0.00} ms | {(direct ? "direct" : $"{pickUp.TotalSeconds:0.0} s")} | {Math.Max(peakBefore, sweepPeak):0} MiB | {sweepPeak:0} MiB | {emulatorPeak:0} MiB | {dbBytes / 1048576.0:0.0} MiB | {queryTimes.Order().ElementAt(10):0.0} ms ({selected:N0} rows) |"));
}

static async Task RunAsProcessAsync(int n, int concurrency, string? postgres)
{
    await using var host = await SweepHost.StartAsync(postgres, 1, new Dictionary<string, string>
    {
        ["KeepAlive:MaxConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
        ["KeepAlive:SweepBatchSize"] = n.ToString(CultureInfo.InvariantCulture),
    });

    // Seeded as in the other modes, through the in-process instance (migrations, key ring); only the warm-up is due
    // (--warm-up, default 5,000: a process that has refreshed only 500 still tiers its code up during a short sweep).
    var warmUp = int.Parse(Arg("--warm-up", "5000"), CultureInfo.InvariantCulture);
    var warm = await host.SeedAtEmulatorAsync(warmUp, "a");
    var seeded = await host.SeedAtEmulatorAsync(n, "b");
    await host.SeedAuthorizersAsync(warm, DateTimeOffset.UtcNow.AddMinutes(-1));
    await host.SeedAuthorizersAsync(seeded, null);
    var dbFactory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
    var sweep = host.Services.GetRequiredService<RefreshSweep>();

    // The portal as deployed takes over; its schedule runs the sweep every 5 s. The first run refreshes the warm-up.
    var portal = await host.HandOverToProcessAsync(new Dictionary<string, string>
    {
        ["KeepAlive:RunJobsOnSchedule"] = "true",
        ["KeepAlive:Schedules:" + RefreshAuthorizerTokensJob.JobName] = "*/5 * * * * *",
    });
    // The warm-up is done when nothing is due and no sweep is running (with a batch size below it, it takes several sweeps).
    await SweepHost.WaitForAsync(async () =>
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var running = await db.JobRuns.AnyAsync(r => r.JobName == RefreshAuthorizerTokensJob.JobName && r.Status == JobRunStatus.Running);
        var refreshedSince = await db.JobRuns.Where(r => r.JobName == RefreshAuthorizerTokensJob.JobName).SumAsync(r => r.ItemsSucceeded);
        return !running && refreshedSince >= warmUp && (await sweep.SelectDueAsync(CancellationToken.None)).Count == 0;
    }, TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(500), "the warm-up sweeps did not finish");

    var idleRss = SweepHost.RssMiB(portal.Id);

    // Its peak RSS reset (Linux clear_refs 5 on the child), the N tokens made due; the next sweep takes them all.
    var peakBefore = SweepHost.PeakRssMiB(portal.Id);
    File.WriteAllText($"/proc/{portal.Id}/clear_refs", "5");
    var madeDue = DateTimeOffset.UtcNow;
    // In one statement, so that one scheduled sweep finds all of them due.
    await using (var db = await dbFactory.CreateDbContextAsync())
    {
        await db.AuthorizerTokens.Where(t => t.RefreshDueAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.RefreshDueAt, madeDue.AddMinutes(-1)));
    }

    // CPU from the moment the sweep is seen running (polled every 20 ms) to its end: the refreshes, not the idle wait for the schedule.
    await SweepHost.WaitForAsync(async () =>
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var starts = await db.JobRuns.AsNoTracking().Where(r => r.JobName == RefreshAuthorizerTokensJob.JobName).Select(r => r.StartedAt).ToListAsync();
        return starts.Any(t => t >= madeDue);
    }, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(20), "no sweep started");
    var cpuBefore = portal.TotalProcessorTime;
    var run = await WaitForSweepAsync(dbFactory, madeDue, n);
    var cpu = portal.TotalProcessorTime - cpuBefore;
    var sweepPeak = SweepHost.PeakRssMiB(portal.Id);
    var afterRss = SweepHost.RssMiB(portal.Id);

    var due = await sweep.SelectDueAsync(CancellationToken.None);
    var dbBytes = await host.DatabaseBytesAsync();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {n:N0} | {n:N0} | {run.ItemsSucceeded:N0} | {run.DurationMs / 1000.0:0.0} s | {run.ItemsSucceeded / (run.DurationMs / 1000.0):0} | {run.DurationMs * (double)concurrency / Math.Max(1, run.ItemsSucceeded):0.00} ms | {cpu.TotalMilliseconds / Math.Max(1, run.ItemsSucceeded):0.00} ms | {(run.StartedAt - run.EnqueuedAt).TotalSeconds:0.0} s | {Math.Max(peakBefore, sweepPeak):0} MiB | {sweepPeak:0} MiB | {host.EmulatorPeakRssMiB():0} MiB | {dbBytes / 1048576.0:0.0} MiB | — |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"portal process (Portal.Web.dll, {GcMode()}): RSS {idleRss:0} MiB idle after the warm-up sweep, {sweepPeak:0} MiB peak in the sweep, {afterRss:0} MiB after; {due.Count:N0} still due"));
}

// The sweep run that started after `since` and took at least `items` (the scheduled sweeps in between find nothing due).
static async Task<JobRun> WaitForSweepAsync(IDbContextFactory<PortalDbContext> dbFactory, DateTimeOffset since, int items)
{
    JobRun? done = null;
    await SweepHost.WaitForAsync(async () =>
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var runs = await db.JobRuns.AsNoTracking().Where(r => r.JobName == RefreshAuthorizerTokensJob.JobName && r.Status != JobRunStatus.Running).ToListAsync();
        done = runs.Where(r => r.StartedAt >= since && r.ItemsSucceeded + r.ItemsFailed > 0).OrderBy(r => r.Id).FirstOrDefault();
        return done is not null;
    }, TimeSpan.FromHours(2), TimeSpan.FromMilliseconds(500), "no sweep ran");
    if (done!.Status != JobRunStatus.Succeeded || done.ItemsSucceeded < items)
    {
        throw new InvalidOperationException($"the sweep ended {done.Status} with {done.ItemsSucceeded} refreshed, {done.ItemsFailed} failed (expected {items})");
    }

    return done;
}

// The garbage collector the portal process runs, from the runtime configuration it was started with.
static string GcMode()
{
    var config = Path.Combine(AppContext.BaseDirectory, "Portal.Web.runtimeconfig.json");
    var text = File.ReadAllText(config);
    return (text.Contains("\"System.GC.Server\": true", StringComparison.Ordinal) ? "Server GC" : "workstation GC")
        + (text.Contains("System.GC.ConserveMemory", StringComparison.Ordinal) ? ", conserve memory" : "")
        + (Environment.GetEnvironmentVariable("DOTNET_gcServer") is { } env ? $", DOTNET_gcServer={env}" : "");
}

static string Arg(string name, string fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
