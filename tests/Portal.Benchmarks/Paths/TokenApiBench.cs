using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Data;
using Portal.Web.Features.Identity;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.Messages;
using Portal.Web.Features.Onboarding;
using Portal.Web.Features.Pushes;
using Portal.Web.Features.WeChat;
using Portal.Web.Infrastructure;

namespace Portal.Benchmarks;

/// <summary>
/// <c>token-api</c>: <c>GET /api/v1/authorizers/{appid}/access-token</c> at concurrency 64 against the portal composed and
/// piped exactly as Program.cs does (Production environment, real Kestrel port), the emulator in its own process, N
/// authorizers whose tokens were refreshed through it, and one API key. The floor, measured in the same run on the same
/// host and pipeline, is <c>GET /api/v1/_bench/constant</c>: the same rate-limit policy and a JSON answer of the same
/// shape, without key check or lookup; only this benchmark's host maps it. Phases alternate (floor, token, floor,
/// token) so machine load drifts onto both alike. Also reports the database commands run during the measured token
/// phases (an EF interceptor; 0 expected), CPU per request of each, and the cache's memory per entry.
/// </summary>
public static class TokenApiBench
{
    private const int Concurrency = 64;
    private const string FloorPath = "/api/v1/_bench/constant";

    public static async Task<BenchResult> RunAsync(BenchOptions options)
    {
        var authorizers = int.Parse(options.Arg("--authorizers", options.Quick ? "1000" : "10000"), CultureInfo.InvariantCulture);
        var phase = TimeSpan.FromSeconds(double.Parse(options.Arg("--phase-seconds", options.Quick ? "2.5" : "10"), CultureInfo.InvariantCulture));
        // Warm-up per side: long enough for tiered JIT to reach optimized code on a busy machine (2 s left a quick run at ~4× the CPU per request).
        var warmUp = TimeSpan.FromSeconds(double.Parse(options.Arg("--warmup-seconds", options.Quick ? "3" : "5"), CultureInfo.InvariantCulture));
        var details = new List<string>();
        var runs = new List<(double Rate, double P99, double Floor, double FloorP99, int DbCommands, double PortalCpuToken, double ClientCpuToken, double PortalCpuFloor, double ClientCpuFloor, double BytesPerEntry, int TokenLength, string Load)>();
        for (var run = 0; run < options.Runs; run++)
        {
            runs.Add(await RunOnceAsync(options, authorizers, phase, warmUp));
        }

        // Medians of each figure over the runs (the ratio is the median rate over the median floor).
        static double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);
        var median = (Rate: Median(runs.Select(r => r.Rate)), P99: Median(runs.Select(r => r.P99)), Floor: Median(runs.Select(r => r.Floor)), DbCommands: runs.Max(r => r.DbCommands));
        details.Add($"token-api ({options.Provider}, {authorizers:N0} authorizers, concurrency {Concurrency}, {runs.Count} run(s) of 2 × {phase.TotalSeconds:0.#} s per side, {Environment.ProcessorCount} cores)");
        details.Add("| run | token API req/s | p99 | floor req/s | floor p99 | ratio | db commands (token phases) | CPU/req token: portal + client | CPU/req floor: portal + client | cache bytes/entry (100k) | load (1/5/15 min) |");
        details.Add("|---|---|---|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            details.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {i + 1} | {r.Rate:N0} | {r.P99:0.00} ms | {r.Floor:N0} | {r.FloorP99:0.00} ms | {r.Rate / r.Floor:0.00} | {r.DbCommands} | {r.PortalCpuToken:0} + {r.ClientCpuToken:0} µs | {r.PortalCpuFloor:0} + {r.ClientCpuFloor:0} µs | {r.BytesPerEntry:0} ({r.TokenLength}-char tokens) | {r.Load} |"));
        }

        var passed = median.Rate >= 20_000 && median.P99 < 5 && median.Rate / median.Floor >= 0.5 && median.DbCommands == 0;
        details.Add(string.Create(CultureInfo.InvariantCulture,
            $"targets: ≥ 20,000/s {(median.Rate >= 20_000 ? "met" : "MISSED")}, p99 < 5 ms {(median.P99 < 5 ? "met" : "MISSED")}, ≥ 50 % of floor {(median.Rate / median.Floor >= 0.5 ? "met" : "MISSED")}, no database command {(median.DbCommands == 0 ? "met" : "MISSED")} (client and portal share the machine's cores)"));
        return new BenchResult("token-api", median.Rate, median.P99, median.Floor, passed, details);
    }

    private static async Task<(double Rate, double P99, double Floor, double FloorP99, int DbCommands, double PortalCpuToken, double ClientCpuToken, double PortalCpuFloor, double ClientCpuFloor, double BytesPerEntry, int TokenLength, string Load)> RunOnceAsync(BenchOptions options, int authorizers, TimeSpan phase, TimeSpan warmUp)
    {
        var port = StandaloneEmulator.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-benchmark", "token-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        if (options.PostgresConnection is { Length: > 0 } pg)
        {
            Environment.SetEnvironmentVariable("PORTAL_TEST_PG", pg);
        }

        using var database = options.Provider == "PostgreSql" ? TestDatabase.CreatePostgreSql() : TestDatabase.Sqlite();
        await using var emulator = await StandaloneEmulator.StartAsync(url);
        var settings = emulator.PortalSettings();
        foreach (var (key, value) in database.PortalSettings())
        {
            settings[key] = key == "ConnectionStrings:Portal" ? value + ";Maximum Pool Size=200" : value;
        }

        settings["Portal:DataDirectory"] = dataDirectory;
        settings["Portal:PublicBaseUrl"] = url;
        settings["WeChat:Emulator:AllowInProduction"] = "true";
        settings["KeepAlive:RunJobsOnSchedule"] = "false";
        settings["KeepAlive:MaxConcurrency"] = "32";
        settings["RateLimits:TokenApiPerIp:PermitLimit"] = "1000000000";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Error";
        settings["Logging:LogLevel:Portal"] = "Error";

        await using var app = await StartPortalAsync(url, settings);
        await emulator.PostAsync("/admin/api/tickets/push");
        var services = app.Services;
        await StandaloneEmulator.WaitUntilAsync(async () => (await services.GetRequiredService<Portal.Web.Features.Component.ComponentTokenService>().StatusAsync(CancellationToken.None)).TicketReceivedAt is not null, TimeSpan.FromSeconds(60));

        // N authorizations at the emulator, the same N here, every token refreshed once through WeChat (the emulator): real tokens.
        var seeded = await emulator.SeedAuthorizationsAsync(authorizers, "e");
        var protector = services.GetRequiredService<TokenProtector>();
        var dbFactory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var now = DateTimeOffset.UtcNow;
        foreach (var chunk in seeded.Chunk(5000))
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            foreach (var (appId, refreshToken) in chunk)
            {
                db.Authorizers.Add(new Authorizer
                {
                    AppId = appId,
                    Kind = AuthorizerKind.MiniProgram,
                    IsAuthorized = true,
                    Token = new AuthorizerToken { RefreshTokenProtected = protector.Protect(refreshToken), AccessTokenExpiresAt = now.AddMinutes(-1), RefreshDueAt = now.AddMinutes(-1) },
                });
            }

            await db.SaveChangesAsync();
        }

        var sweep = await services.GetRequiredService<RefreshSweep>().RunAsync(CancellationToken.None);
        if (sweep.Succeeded != authorizers)
        {
            throw new InvalidOperationException($"only {sweep.Succeeded} of {authorizers} tokens were refreshed");
        }

        // One API key that may read every authorizer (as an internal service's), stored as the console stores it.
        var secret = "pk_" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40);
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.ApiKeys.Add(new ApiKey
            {
                Name = "benchmark",
                Prefix = secret[..10],
                KeyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))),
                CreatedBy = "benchmark",
                CreatedAt = now,
                Scope = ApiKeyScope.AllAuthorizers | ApiKeyScope.ComponentToken,
            });
            await db.SaveChangesAsync();
        }

        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            foreach (var row in await db.AuthorizerTokens.AsNoTracking().Include(t => t.Authorizer).ToListAsync())
            {
                expected[row.Authorizer!.AppId] = protector.Unprotect(row.AccessTokenProtected!);
            }
        }

        var appIds = seeded.Select(s => s.AppId).ToArray();
        var tokenPaths = appIds.Select(a => $"/api/v1/authorizers/{a}/access-token").ToArray();
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Concurrency * 2,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);

        // Every authorizer requested once in this process (each answer compared with the stored token), filling the cache.
        var cache = services.GetRequiredService<TokenCache>();
        var wrong = 0;
        await Parallel.ForEachAsync(appIds, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (appId, ct) =>
        {
            using var response = await client.GetAsync($"/api/v1/authorizers/{appId}/access-token", ct);
            var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct)).RootElement;
            if (response.StatusCode != HttpStatusCode.OK || json.GetProperty("access_token").GetString() != expected[appId])
            {
                Interlocked.Increment(ref wrong);
            }
        });
        if (wrong > 0 || cache.Count != authorizers)
        {
            throw new InvalidOperationException($"{wrong} wrong answers; the cache holds {cache.Count} of {authorizers} tokens after one request each");
        }

        // The load generator in its own process (its CPU apart from the portal's): warm-up, then floor/token alternating.
        var appIdFile = Path.Combine(dataDirectory, "appids.txt");
        await File.WriteAllLinesAsync(appIdFile, appIds);
        var start = new ProcessStartInfo("dotnet", [typeof(TokenApiBench).Assembly.Location, ClientFlag, url, appIdFile])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment[KeyVariable] = secret;
        using var child = Process.Start(start)!;
        child.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("client: " + e.Data); };
        child.BeginErrorReadLine();
        async Task<ClientPhase> PhaseAsync(string kind, TimeSpan duration)
        {
            var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            await child.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{kind} {duration.TotalSeconds}"));
            await child.StandardInput.FlushAsync();
            var line = await child.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the load client ended early");
            var result = JsonSerializer.Deserialize<ClientPhase>(line)!;
            self.Refresh();
            return result with { PortalCpuSeconds = (self.TotalProcessorTime - cpu).TotalSeconds };
        }

        // Warm-up: at least warmUp per side, then on until the portal's CPU per request stops falling (tiered JIT reaching
        // optimized code takes longer on a busy machine; a quick run measured right after 2 s cost ~4× the steady CPU per request).
        var warmUpWatch = Stopwatch.StartNew();
        await PhaseAsync("floor", warmUp);
        await PhaseAsync("token", warmUp);
        var previous = double.MaxValue;
        for (var step = 0; step < 15; step++)
        {
            var floorStep = await PhaseAsync("floor", TimeSpan.FromSeconds(1));
            var tokenStep = await PhaseAsync("token", TimeSpan.FromSeconds(1));
            var cost = (floorStep.PortalCpuSeconds + tokenStep.PortalCpuSeconds) / Math.Max(1, floorStep.Requests + tokenStep.Requests);
            if (cost > previous * 0.9)
            {
                break;
            }

            previous = cost;
        }

        var warmedUpFor = warmUpWatch.Elapsed;
        var counter = services.GetRequiredService<DatabaseCommandCounter>();
        var floor = new Phase();
        var token = new Phase();
        var backgroundCommands = 0;
        for (var round = 0; round < 2; round++)
        {
            floor.Add(await PhaseAsync("floor", phase));
            var before = counter.ForPath;
            var beforeAll = counter.Total;
            token.Add(await PhaseAsync("token", phase));
            token.DbCommands += counter.ForPath - before;
            backgroundCommands += counter.Total - beforeAll - (counter.ForPath - before);
        }

        await child.StandardInput.WriteLineAsync("end");
        await child.StandardInput.FlushAsync();
        var totals = JsonSerializer.Deserialize<Dictionary<string, double>>(await child.StandardOutput.ReadLineAsync() ?? "{}")!;
        await child.WaitForExitAsync();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"the load client failed ({child.ExitCode})");
        }

        // The cache's own size: emptied, then filled with 100,000 entries shaped like the real ones (18-character appids,
        // tokens as long as the emulator's), measured on the heap around the fill.
        var tokenLength = expected.Values.First().Length;
        cache.Clear();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var epoch = cache.Epoch;
        for (var i = 0; i < 100_000; i++)
        {
            cache.Put("wx" + i.ToString("x16", CultureInfo.InvariantCulture), new CachedAuthorizerToken(i, new string((char)('a' + i % 26), tokenLength), DateTimeOffset.UtcNow.AddHours(2)), epoch);
        }

        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var bytesPerEntry = (heapAfter - heapBefore) / (double)Math.Max(1, cache.Count);
        if (cache.Count != 100_000)
        {
            throw new InvalidOperationException($"the cache took {cache.Count} of 100,000 entries");
        }

        floor.P99Override = totals["floorP99"];
        token.P99Override = totals["tokenP99"];
        var load = File.ReadAllText("/proc/loadavg").Split(' ').Take(3);
        await app.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Npgsql.NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        return (token.Rate, token.P99, floor.Rate, floor.P99, token.DbCommands, token.PortalCpuMicros, token.ClientCpuMicros, floor.PortalCpuMicros, floor.ClientCpuMicros, bytesPerEntry, tokenLength, string.Join(" / ", load) + $"; warm-up {warmedUpFor.TotalSeconds:0} s; other db commands meanwhile {backgroundCommands}");
    }

    /// <summary>The portal exactly as Program.cs composes and pipes it, plus the floor endpoint (this host only).</summary>
    private static async Task<WebApplication> StartPortalAsync(string url, Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            // Portal.Web's name: its static-assets manifest (copied next to this benchmark) is found as in production.
            ApplicationName = "Portal.Web",
            ContentRootPath = RepoPaths.Root,
            Args = ["--urls", url, .. settings.Select(s => $"--{s.Key}={s.Value}")],
        });
        builder.AddPortalConfiguration();
        builder.AddPortalSecurity();
        builder.AddPortalRateLimiting();
        builder.AddPortalData();
        builder.AddPortalIdentity();
        builder.AddPortalOnboarding();
        builder.AddPortalPushes();
        builder.AddPortalKeepAlive();
        builder.AddPortalMessages();
        builder.AddPortalAdmin();
        builder.AddPortalEmulator();
        builder.AddPortalUi();
        builder.AddPortalHealth();
        DatabaseCommandCounter.Register(builder.Services);

        var app = builder.Build();
        app.UsePortalSecurity();
        app.UsePortalPipeline();
        app.MapPortalHealth();
        app.MapPortalEmulator();
        app.MapPortalIdentity();
        app.MapPortalOnboarding();
        app.MapPortalKeepAlive();
        app.MapPortalMessages();
        app.MapPortalAdmin();
        app.MapPortalUi();

        // The floor: the token API's group settings (anonymous, no antiforgery, its rate-limit policy) and an answer of
        // the same shape, serialized per request, but no key check and no lookup.
        var constant = new { authorizer_appid = "wx0000000000000000", access_token = new string('t', 136), expires_at = DateTimeOffset.UnixEpoch, expires_in = 7200 };
        app.MapGet(FloorPath, () => Results.Json(constant)).DisableAntiforgery().AllowAnonymous().RequireRateLimiting(RateLimitingExtensions.TokenApiPolicy);
        await app.StartAsync();
        return app;
    }

    private const string ClientFlag = "--token-api-client";
    private const string KeyVariable = "PORTAL_BENCH_API_KEY";

    /// <summary>One phase as the load client measured it, and the portal's CPU over it.</summary>
    private sealed record ClientPhase(long Requests, double Seconds, double CpuSeconds, double PortalCpuSeconds = 0);

    private sealed class Phase
    {
        private long _requests;
        private double _seconds;
        private double _clientCpu;
        private double _portalCpu;

        public int DbCommands { get; set; }

        public double P99Override { get; set; }

        public double Rate => _requests / _seconds;

        public double P99 => P99Override;

        public double PortalCpuMicros => _portalCpu * 1e6 / Math.Max(1, _requests);

        public double ClientCpuMicros => _clientCpu * 1e6 / Math.Max(1, _requests);

        public void Add(ClientPhase phase)
        {
            _requests += phase.Requests;
            _seconds += phase.Seconds;
            _clientCpu += phase.CpuSeconds;
            _portalCpu += phase.PortalCpuSeconds;
        }
    }

    /// <summary>Whether this process was started as the load client (<c>--token-api-client url appid-file</c>).</summary>
    public static bool IsClient(string[] args) => args.Length == 3 && args[0] == ClientFlag;

    /// <summary>
    /// The load client: reads <c>floor|token seconds</c> lines, runs <see cref="Concurrency"/> workers for that long,
    /// answers one JSON line per phase; <c>end</c> prints the p99 of every measured phase of each kind (the first phase
    /// of each kind is warm-up and left out) and exits.
    /// </summary>
    public static async Task<int> ClientMainAsync(string[] args)
    {
        var url = args[1];
        var appIds = await File.ReadAllLinesAsync(args[2]);
        var tokenPaths = appIds.Select(a => $"/api/v1/authorizers/{a}/access-token").ToArray();
        var appIdBytes = appIds.Select(a => Encoding.UTF8.GetBytes($"\"authorizer_appid\":\"{a}\"")).ToArray();
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Concurrency * 2,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Environment.GetEnvironmentVariable(KeyVariable));
        var latencies = new Dictionary<string, List<double>> { ["floor"] = [], ["token"] = [] };
        var seen = new HashSet<string>();
        while (await Console.In.ReadLineAsync() is { } line && line != "end")
        {
            var parts = line.Split(' ');
            var kind = parts[0];
            var duration = TimeSpan.FromSeconds(double.Parse(parts[1], CultureInfo.InvariantCulture));
            var result = kind == "floor"
                ? await LoadAsync(client, _ => FloorPath, duration, null)
                : await LoadAsync(client, i => tokenPaths[i % tokenPaths.Length], duration, (i, body) => body.AsSpan().IndexOf(appIdBytes[i % appIdBytes.Length]) >= 0);
            if (!seen.Add(kind))
            {
                latencies[kind].AddRange(result.Latencies);
            }

            Console.WriteLine(JsonSerializer.Serialize(new ClientPhase(result.Requests, result.Seconds, result.CpuSeconds)));
        }

        static double P99(List<double> l) => l.Count == 0 ? 0 : l.Order().ElementAt((int)(l.Count * 0.99));
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double> { ["floorP99"] = P99(latencies["floor"]), ["tokenP99"] = P99(latencies["token"]) }));
        return 0;
    }

    /// <summary><see cref="Concurrency"/> workers, each sending its next request when the previous answered, for <paramref name="duration"/>.</summary>
    private static async Task<(long Requests, double Seconds, double CpuSeconds, List<double> Latencies)> LoadAsync(HttpClient client, Func<int, string> path, TimeSpan duration, Func<int, byte[], bool>? check)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var deadline = duration;
        var next = -1;
        var failures = 0;
        var workers = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>(8192);
            while (watch.Elapsed < deadline)
            {
                var i = Interlocked.Increment(ref next);
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(path(i), HttpCompletionOption.ResponseContentRead);
                var body = await response.Content.ReadAsByteArrayAsync();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK || (check is not null && i % 64 == 0 && !check(i, body)))
                {
                    Interlocked.Increment(ref failures);
                }
            }

            return latencies;
        })).ToArray();
        var all = (await Task.WhenAll(workers)).SelectMany(l => l).ToList();
        var seconds = watch.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} of {all.Count} requests were not answered correctly");
        }

        return (all.Count, seconds, cpu, all);
    }
}
