using Portal.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Xml;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Data;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Ingestion;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.Messages;
using Portal.Web.Features.Onboarding;
using Portal.Web.Features.Pushes;
using Portal.Web.Features.WeChat;
using Portal.Web.Infrastructure;

namespace Portal.Benchmarks;

/// <summary>
/// <c>messages</c>: the message URL (<c>POST /wechat/accounts/{appid}/events</c>); <c>events</c>: the event URL
/// (<c>POST /wechat/component/events</c>). The portal is composed as Program.cs composes it (all services and middleware; pages not mapped) and listens on a real
/// Kestrel port; the emulator runs in its own process. Requests are signed and encrypted as WeChat does and built before
/// the clock starts; 32 clients send them over loopback HTTP. The floor is measured in the same run on the same requests:
/// an endpoint mapped only by this benchmark (never by the portal) that reads, verifies, decrypts and parses with the
/// same code and answers <c>success</c> without storing. After the run the rows are counted: every distinct message
/// stored exactly once, or the path fails.
/// </summary>
public static class IngestionBench
{
    private const string AppId = "wx0123456789abcdef";
    private const string Secret = "benchmark-secret-0123456789abcdef";
    private const string Token = "benchmarktoken";
    private const string AesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    private const int Concurrency = 32;
    /// <summary>Authorized accounts the messages go to (<c>--accounts N</c> overrides; the issue's platform has 10,000).</summary>
    private const int Accounts = 200;

    public static Task<BenchResult> MessagesAsync(BenchOptions options) => RunAsync(options, events: false);

    public static Task<BenchResult> EventsAsync(BenchOptions options) => RunAsync(options, events: true);

    private static async Task<BenchResult> RunAsync(BenchOptions options, bool events)
    {
        var path = events ? "events" : "messages";
        var count = int.Parse(options.Arg("--count", options.Quick ? "12000" : "40000"), CultureInfo.InvariantCulture);
        // Warm-up on both endpoints before each run, 40,000 requests each: long enough for the JIT's optimized tiers in a fresh
        // process. With fewer the first run of a process was cold: on the event URL 6,000–20,000 pushes left 0.46–0.53 ms of
        // CPU per push (p99 25–31 ms) against 0.19 ms warm (p99 19 ms); on the message URL 10,000 left the first run's floor at
        // ~11,500/s against ~22,000/s in the runs after it. --warm-up N overrides.
        var warmUp = int.Parse(options.Arg("--warm-up", "40000"), CultureInfo.InvariantCulture);
        var runs = new List<(double Rate, double P99, double Floor, double FloorP99, double Bytes, double FloorBytes, double Cpu, double FloorCpu, string Extra, bool Ok)>();
        for (var run = 0; run < options.Runs; run++)
        {
            runs.Add(await OneRunAsync(options, events, count, warmUp));
        }

        // Medians of the runs, each figure on its own (rate, p99, floor, and the ratio of each run to its own floor).
        double Median(IEnumerable<double> values) => values.Order().ElementAt(runs.Count / 2);
        var median = (Rate: Median(runs.Select(r => r.Rate)), P99: Median(runs.Select(r => r.P99)), Floor: Median(runs.Select(r => r.Floor)), Ratio: Median(runs.Select(r => r.Rate / r.Floor)));
        var sqlite = options.Provider != "PostgreSql";
        bool passed;
        string target;
        if (events)
        {
            // The issue sets no target for the event URL; this one is ours. Unlike the message URL, every push is also applied
            // (two more writes: the push's state and, here, the ticket) and the floor does neither, so the ratio is reported, not a target.
            target = "target (SQLite): ≥ 3,000 pushes/s at 32, p99 < 25 ms; every push stored once and processed (the ratio is reported: the floor neither stores nor applies a push)";
            passed = runs.All(r => r.Ok) && (!sqlite || (median.Rate >= 3000 && median.P99 < 25));
        }
        else
        {
            target = "target (SQLite): ≥ 5,000 messages/s at 32, p99 < 20 ms, ≥ 50 % of the floor; every message stored once";
            passed = runs.All(r => r.Ok) && (!sqlite || (median.Rate >= 5000 && median.P99 < 20 && median.Ratio >= 0.5));
        }

        var details = new List<string>
        {
            $"## {path} ({options.Provider}, concurrency {Concurrency}, {count:N0} requests per run, {options.Runs} run(s), load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})",
            "| run | rate | p99 | floor rate | floor p99 | ratio | alloc/request (floor) | CPU/request (floor) | rows and processing |",
            "|---|---|---|---|---|---|---|---|---|",
        };
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            details.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {i + 1} | {r.Rate:0}/s | {r.P99:0.0} ms | {r.Floor:0}/s | {r.FloorP99:0.0} ms | {r.Rate / r.Floor:0.00} | {r.Bytes / 1024:0.0} KB ({r.FloorBytes / 1024:0.0} KB) | {r.Cpu:0.00} ms ({r.FloorCpu:0.00} ms) | {r.Extra} |"));
        }

        details.Add(target);
        details.Add(string.Create(CultureInfo.InvariantCulture, $"medians: {median.Rate:0}/s, p99 {median.P99:0.0} ms, floor {median.Floor:0}/s, ratio {median.Ratio:0.00} (each run's rate ÷ its own floor)"));
        return new BenchResult(path, median.Rate, median.P99, median.Floor, passed, details, median.Ratio);
    }

    private static async Task<(double Rate, double P99, double Floor, double FloorP99, double Bytes, double FloorBytes, double Cpu, double FloorCpu, string Extra, bool Ok)> OneRunAsync(BenchOptions options, bool events, int count, int warmUp)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-ingest-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var portalUrl = $"http://127.0.0.1:{StandaloneEmulator.FreePort()}";
        var emulatorUrl = $"http://127.0.0.1:{StandaloneEmulator.FreePort()}";
        using var emulator = Process.Start(new ProcessStartInfo("dotnet", [
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
        string[] databaseArgs = [];
        if (options.PostgresConnection is { Length: > 0 } postgres)
        {
            database = "portal_ingest_" + Guid.NewGuid().ToString("N")[..12];
            await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = "postgres", Pooling = false }.ConnectionString);
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
            databaseArgs = ["--Portal:Database:Provider=PostgreSql", "--ConnectionStrings:Portal=" + new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = database, MaxPoolSize = 100 }.ConnectionString];
        }

        var app = BuildPortal(portalUrl, emulatorUrl, dataDirectory, databaseArgs, options.Args);
        await app.StartAsync();
        try
        {
            using var probe = new HttpClient();
            await SweepHost.WaitForAsync(async () => (await probe.GetAsync(emulatorUrl + "/healthz")).IsSuccessStatusCode);

            var services = app.Services;
            var dbFactory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            var accountCount = int.Parse(options.Arg("--accounts", Accounts.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
            var accounts = Enumerable.Range(0, accountCount).Select(i => ($"wxbe{i:x14}", $"gh_bench{i:x6}")).ToArray();
            if (!events)
            {
                await using var db = await dbFactory.CreateDbContextAsync();
                foreach (var (appId, user) in accounts)
                {
                    db.Authorizers.Add(new Authorizer { AppId = appId, UserName = user, NickName = user, Kind = AuthorizerKind.OfficialAccount, IsAuthorized = true });
                }

                await db.SaveChangesAsync();
            }

            var crypto = new MessageCrypto(Token, EncodingAesKey.Parse(AesKey), AppId);
            // Every 50th request repeats an earlier message with a new nonce (WeChat's retry): answered success, stored once.
            var warm = Build(crypto, events, accounts, warmUp, "w");
            var timed = Build(crypto, events, accounts, count, "t");
            var distinct = warm.Distinct + timed.Distinct;

            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            using var http = new HttpClient(handler) { BaseAddress = new Uri(portalUrl), Timeout = TimeSpan.FromSeconds(60) };
            var floorPrefix = events ? "/bench/floor/component/events" : "/bench/floor/accounts";
            string Real(string target) => target;
            string Floor(string target) => events ? floorPrefix + target[target.IndexOf('?', StringComparison.Ordinal)..] : floorPrefix + target["/wechat/accounts".Length..];

            // Warm-up on both endpoints (JIT tiers settle), then the timed requests in slices that alternate floor and real, so
            // that both see the same machine (a busy neighbour, a late tier-1 compile) rather than one of them alone.
            await SendAllAsync(http, warm.Requests, Floor);
            var warmReal = await SendAllAsync(http, warm.Requests, Real);
            const int Slices = 4;
            var floors = new List<Measured>();
            var reals = new List<Measured>();
            var writer = services.GetRequiredService<GroupCommitWriter>();
            (long Batches, long Items, TimeSpan Busy) totals = (0, 0, TimeSpan.Zero);
            // On the event URL every push is also applied by the inbox processor, shortly after its answer: each slice starts
            // once the pushes before it are applied, so that neither the floor nor the next slice pays for earlier ones. (At the
            // end, the same wait tells whether the processor kept up.)
            async Task SettleAsync(TimeSpan limit)
            {
                if (!events)
                {
                    return;
                }

                await using var db = await dbFactory.CreateDbContextAsync();
                var settle = Stopwatch.StartNew();
                while (await db.Inbox.AnyAsync(m => m.Status == InboxStatus.Pending) && settle.Elapsed < limit)
                {
                    await Task.Delay(20);
                }
            }

            for (var slice = 0; slice < Slices; slice++)
            {
                var part = timed.Requests[(slice * timed.Requests.Length / Slices)..((slice + 1) * timed.Requests.Length / Slices)];
                await SettleAsync(TimeSpan.FromSeconds(60));
                floors.Add(await SendAllAsync(http, part, Floor));
                var before = writer.Totals;
                reals.Add(await SendAllAsync(http, part, Real));
                var after = writer.Totals;
                totals = (totals.Batches + after.Batches - before.Batches, totals.Items + after.Items - before.Items, totals.Busy + after.Busy - before.Busy);
            }

            var floor = Measured.Combine(floors);
            var real = Measured.Combine(reals);
            var batching = string.Create(CultureInfo.InvariantCulture, $"; {totals.Batches:N0} commits, mean batch {totals.Items / (double)Math.Max(1, totals.Batches):0.0}, writer busy {totals.Busy.TotalSeconds / real.Seconds:P0}, WAL restarted {writer.WalRestarts:N0}×");
            var answeredAt = DateTimeOffset.UtcNow;

            var ok = real.Failures == 0 && floor.Failures == 0 && warmReal.Failures == 0;
            string extra;
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                if (!events)
                {
                    var rows = await db.AccountMessages.CountAsync();
                    var keys = await db.AccountMessages.Select(m => new { m.AuthorizerAppId, m.DedupeKey }).Distinct().CountAsync();
                    ok &= rows == distinct && keys == distinct;
                    extra = $"{rows:N0} rows for {distinct:N0} distinct messages ({warm.Requests.Length + timed.Requests.Length:N0} sent){(real.Failures > 0 ? $", {real.Failures} not success" : "")}";
                }
                else
                {
                    var rows = await db.Inbox.CountAsync();
                    ok &= rows == distinct;
                    // The inbox processor must keep up: every push processed, and how long after its arrival.
                    await SettleAsync(TimeSpan.FromSeconds(120));

                    var processed = await db.Inbox.AsNoTracking().Where(m => m.Status == InboxStatus.Processed).Select(m => new { m.ReceivedAt, m.ProcessedAt }).ToListAsync();
                    var lags = processed.Select(m => (m.ProcessedAt!.Value - m.ReceivedAt).TotalSeconds).Order().ToArray();
                    ok &= processed.Count == rows;
                    extra = string.Create(CultureInfo.InvariantCulture,
                        $"{rows:N0} rows for {distinct:N0} distinct pushes; {processed.Count:N0} processed, the last {(processed.Count == 0 ? 0 : (processed.Max(m => m.ProcessedAt!.Value) - answeredAt).TotalSeconds):0.0} s after the last answer; lag p50 {Percentile(lags, 0.5):0.0} s, max {(lags.Length == 0 ? 0 : lags[^1]):0.0} s{(real.Failures > 0 ? $", {real.Failures} not success" : "")}");
                }
            }

            extra += batching;
            return (count / real.Seconds, real.P99, count / floor.Seconds, floor.P99, real.Bytes / count, floor.Bytes / count, real.CpuMs / count, floor.CpuMs / count, extra, ok);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            emulator.Kill(entireProcessTree: true);
            await emulator.WaitForExitAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
            if (database is not null)
            {
                Npgsql.NpgsqlConnection.ClearAllPools();
                await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(options.PostgresConnection) { Database = "postgres", Pooling = false }.ConnectionString);
                await admin.OpenAsync();
                await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    /// <summary>The portal as Program.cs composes it (every service and middleware; the pages are not mapped), plus the two floor endpoints (this benchmark's own; the portal never maps them).</summary>
    private static WebApplication BuildPortal(string url, string emulatorUrl, string dataDirectory, string[] databaseArgs, string[] benchArgs)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
            Args =
            [
                "--urls", url, "--Portal:DataDirectory=" + dataDirectory, "--Portal:PublicBaseUrl=" + url, "--Portal:Demo:Seed=false",
                "--WeChat:Mode=Emulator", "--WeChat:EmulatorBaseUrl=" + emulatorUrl, "--WeChat:Emulator:AllowInProduction=true", "--WeChat:ComponentAppId=" + AppId,
                "--WeChat:ComponentAppSecret=" + Secret, "--WeChat:Token=" + Token, "--WeChat:EncodingAesKey=" + AesKey,
                "--KeepAlive:RunJobsOnSchedule=false", "--Logging:LogLevel:Default=Warning",
                // --set Ingestion:MaxBatchDelay=00:00:00.002 (repeatable) tries other settings.
                .. benchArgs.Select((a, i) => (a, i)).Where(p => p.a == "--set" && p.i + 1 < benchArgs.Length).Select(p => "--" + benchArgs[p.i + 1]),
                .. databaseArgs,
            ],
        });
        builder.AddPortalConfiguration();
        builder.AddPortalSecurity();
        builder.AddPortalRateLimiting();
        builder.AddPortalData();
        builder.AddPortalIdentity();
        builder.AddPortalIngestion();
        builder.AddPortalOnboarding();
        builder.AddPortalPushes();
        builder.AddPortalKeepAlive();
        builder.AddPortalMessages();
        builder.AddPortalAdmin();
        builder.AddPortalEmulator();
        builder.AddPortalUi();
        builder.AddPortalHealth();
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
        // MapPortalUi is left out: its static-asset manifest exists only in Portal.Web's own output, and no page is on these paths.
        MapFloor(app);
        return app;
    }

    /// <summary>Verify, decrypt, parse, answer: the portal's own code for each step, and no storage.</summary>
    private static void MapFloor(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/bench/floor/accounts/{appid}/events", async (string appid, HttpContext context, IOptionsMonitor<WeChatOptions> wechat, TimeProvider time) =>
        {
            var o = wechat.CurrentValue;
            var (request, refusal, _) = await SignedRequest.ReadAsync(context, o, time);
            if (request is null)
            {
                return refusal!;
            }

            var envelope = EncryptedEnvelope.ParseAccountMessage(request.Body);
            var message = AccountMessage.Parse(request.VerifyAndDecrypt(o.CreateCrypto(), envelope.Encrypt));
            return message.ToUserName == envelope.Recipient ? Results.Text("success") : Results.BadRequest();
        }).DisableAntiforgery().AllowAnonymous();
        endpoints.MapPost("/bench/floor/component/events", async (HttpContext context, IOptionsMonitor<WeChatOptions> wechat, TimeProvider time) =>
        {
            var o = wechat.CurrentValue;
            var (request, refusal, _) = await SignedRequest.ReadAsync(context, o, time);
            if (request is null)
            {
                return refusal!;
            }

            var envelope = EncryptedEnvelope.ParseComponentPush(request.Body);
            var push = ComponentPush.Parse(request.VerifyAndDecrypt(o.CreateCrypto(), envelope.Encrypt));
            return push.AppId == o.ComponentAppId ? Results.Text("success") : Results.BadRequest();
        }).DisableAntiforgery().AllowAnonymous();
    }

    private sealed record Prepared((string Target, byte[] Body)[] Requests, int Distinct);

    private static Prepared Build(MessageCrypto crypto, bool events, (string AppId, string User)[] accounts, int count, string tag)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var timestamp = now.ToString(CultureInfo.InvariantCulture);
        var requests = new (string, byte[])[count];
        var plain = new string[count];
        var distinct = 0;
        for (var i = 0; i < count; i++)
        {
            var repeat = i % 50 == 49;
            string xml, envelopeName, target;
            var (appId, user) = accounts[i % accounts.Length];
            if (repeat)
            {
                xml = plain[i - 25];
            }
            else
            {
                distinct++;
                xml = events
                    ? $"<xml><AppId><![CDATA[{AppId}]]></AppId><CreateTime>{now}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[ticket@@@{tag}{i}-{Guid.NewGuid():N}]]></ComponentVerifyTicket></xml>"
                    : $"<xml><ToUserName><![CDATA[{user}]]></ToUserName><FromUserName><![CDATA[oBenchUser{i % 997:0000}]]></FromUserName><CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好，请问今天营业到几点？ {tag}{i}]]></Content><MsgId>{(tag == "w" ? 1_000_000_000L : 2_000_000_000L) + i}</MsgId></xml>";
            }

            if (events)
            {
                // A repeated ticket push is the same plaintext: same dedupe key (the push's hash).
                (appId, user) = (AppId, AppId);
            }
            else if (repeat)
            {
                (appId, user) = accounts[(i - 25) % accounts.Length];
            }

            plain[i] = xml;
            var nonce = MessageCrypto.NewNonce();
            var encrypted = crypto.Encrypt(xml, timestamp, nonce);
            var query = $"signature={crypto.ComputeUrlSignature(timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}&encrypt_type=aes&msg_signature={encrypted.MsgSignature}";
            envelopeName = events ? "AppId" : "ToUserName";
            target = events ? "/wechat/component/events?" + query : $"/wechat/accounts/{appId}/events?openid=oBenchUser&{query}";
            requests[i] = (target, Encoding.UTF8.GetBytes($"<xml><{envelopeName}><![CDATA[{user}]]></{envelopeName}><Encrypt><![CDATA[{encrypted.Encrypt}]]></Encrypt></xml>"));
        }

        return new Prepared(requests, distinct);
    }

    private sealed record Measured(double Seconds, long[] Latencies, int Failures, long Bytes, double CpuMs)
    {
        public double P99 => Latencies.Length == 0 ? 0 : Latencies[(int)Math.Min(Latencies.Length - 1, Math.Ceiling(Latencies.Length * 0.99) - 1)] * 1000.0 / Stopwatch.Frequency;

        public static Measured Combine(IReadOnlyList<Measured> parts)
        {
            var latencies = parts.SelectMany(p => p.Latencies).ToArray();
            Array.Sort(latencies);
            return new Measured(parts.Sum(p => p.Seconds), latencies, parts.Sum(p => p.Failures), parts.Sum(p => p.Bytes), parts.Sum(p => p.CpuMs));
        }
    }

    private static async Task<Measured> SendAllAsync(HttpClient http, (string Target, byte[] Body)[] requests, Func<string, string> route)
    {
        var latencies = new long[requests.Length];
        var next = -1;
        var failures = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var bytes = GC.GetTotalAllocatedBytes(precise: false);
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests.Length)
            {
                var (target, body) = requests[i];
                var begin = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(body);
                using var response = await http.PostAsync(route(target), content);
                var answer = await response.Content.ReadAsStringAsync();
                latencies[i] = Stopwatch.GetTimestamp() - begin;
                if (response.StatusCode != HttpStatusCode.OK || answer != "success")
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - bytes;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        Array.Sort(latencies);
        return new Measured(seconds, latencies, failures, allocated, cpuMs);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * p) - 1)];
}
