using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.KeepAlive.Jobs;

namespace Portal.Web.Tests;

/// <summary>
/// The jobs across restarts and crashes, on Hangfire with its SQLite store, against the emulator in its own process
/// (it must outlive the portal): a graceful stop, a kill -9 of a portal process, a pause, a wrong schedule.
/// </summary>
public sealed class JobResilienceTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "portal-tests", "jobs-" + Guid.NewGuid().ToString("N"));
    private readonly int _portalPort = StandaloneEmulator.FreePort();
    private StandaloneEmulator _emulator = default!;

    private string PortalUrl => $"http://127.0.0.1:{_portalPort}";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        _emulator = await StandaloneEmulator.StartAsync(PortalUrl);
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // left for the temp cleaner
        }
    }

    private PortalFactory Portal(Dictionary<string, string?>? extra = null, int? port = null)
    {
        var settings = _emulator.PortalSettings();
        settings["KeepAlive:MaxConcurrency"] = "2";
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new PortalFactory(settings, kestrel: port is not null, dataDirectory: _data, port: port);
    }

    /// <summary>N authorizations at the emulator and N authorizers here whose tokens are all due.</summary>
    private static async Task<DateTimeOffset> SeedDueAsync(PortalFactory portal, IReadOnlyList<(string AppId, string RefreshToken)> seeded)
    {
        var protector = portal.Services.GetRequiredService<TokenProtector>();
        var now = DateTimeOffset.UtcNow;
        await using var db = await DbAsync(portal);
        foreach (var (appId, refreshToken) in seeded)
        {
            db.Authorizers.Add(new Authorizer
            {
                AppId = appId,
                Kind = AuthorizerKind.MiniProgram,
                IsAuthorized = true,
                Token = new AuthorizerToken { RefreshTokenProtected = protector.Protect(refreshToken), AccessTokenExpiresAt = now.AddMinutes(5), RefreshDueAt = now.AddMinutes(-1) },
            });
        }

        await db.SaveChangesAsync();
        return now;
    }

    /// <summary>The portal's database without a portal running (between a stop and the next start).</summary>
    private PortalDbContext RawDb()
        => new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={Path.Combine(_data, "portal.db")}").Options);

    private static Task<PortalDbContext> DbAsync(PortalFactory portal)
        => portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    private static async Task<Dictionary<string, (string Refresh, DateTimeOffset? RefreshedAt)>> TokensAsync(PortalFactory portal)
    {
        var protector = portal.Services.GetRequiredService<TokenProtector>();
        await using var db = await DbAsync(portal);
        return (await db.AuthorizerTokens.AsNoTracking().Include(t => t.Authorizer).ToListAsync())
            .ToDictionary(t => t.Authorizer!.AppId, t => (protector.Unprotect(t.RefreshTokenProtected), t.LastRefreshedAt));
    }

    private async Task PushTicketAsync(PortalFactory portal)
    {
        await _emulator.PostAsync("/admin/api/tickets/push");
        await portal.WaitForTicketAsync();
    }

    [Fact]
    public async Task GracefulStop_DuringASweep_TheRerunChangesNothingAlreadyDone()
    {
        var seeded = await _emulator.SeedAuthorizationsAsync(40, "d");
        await _emulator.PostAsync("/admin/api/settings", new Dictionary<string, string> { ["refreshTokenMode"] = "rotate" });
        long runId;
        DateTimeOffset seededAt;
        await using (var first = Portal(new() { ["Portal:PublicBaseUrl"] = PortalUrl }, _portalPort))
        {
            first.StartServer();
            await PushTicketAsync(first);
            seededAt = await SeedDueAsync(first, seeded);
            await _emulator.PostAsync("/admin/api/faults", new Dictionary<string, string> { ["target"] = "api_authorizer_token", ["kind"] = "latency", ["latencyMs"] = "300" });
            runId = await first.Services.GetRequiredService<OpsConsole>().RunNowAsync(RefreshAuthorizerTokensJob.JobName, await first.ActorAsync("ops"), CancellationToken.None);
            await first.WaitForAsync(async db => await db.AuthorizerTokens.CountAsync(t => t.LastRefreshedAt > seededAt) >= 6 ? "some done" : null, TimeSpan.FromSeconds(60));
        }

        // The host stopped gracefully in the middle: refreshes in flight finished and were written, the run is interrupted.
        Dictionary<string, string> doneBeforeStop;
        SqliteConnection.ClearAllPools();
        await using (var raw = RawDb())
        {
            Assert.Equal(JobRunStatus.Interrupted, (await raw.JobRuns.AsNoTracking().SingleAsync(r => r.Id == runId)).Status);
            var tokens = await raw.AuthorizerTokens.AsNoTracking().Include(t => t.Authorizer).ToListAsync();
            Assert.All(tokens, t => Assert.Null(t.LeaseOwner));
            doneBeforeStop = tokens.Where(t => t.LastRefreshedAt > seededAt).ToDictionary(t => t.Authorizer!.AppId, t => t.RefreshTokenProtected + "|" + t.AccessTokenProtected + "|" + t.LastRefreshedAt);
        }

        Assert.InRange(doneBeforeStop.Count, 6, seeded.Count - 1);
        using (var clear = new HttpRequestMessage(HttpMethod.Delete, "/admin/api/faults"))
        {
            (await _emulator.Admin.SendAsync(clear)).EnsureSuccessStatusCode();
        }

        await using var second = Portal();
        // Hangfire runs the interrupted job again at start; it resumes the same run and finishes what was left.
        var resumed = await second.WaitForAsync(db => db.JobRuns.AsNoTracking().Where(r => r.Id == runId && r.Status == JobRunStatus.Succeeded).FirstOrDefaultAsync(), TimeSpan.FromSeconds(60));
        Assert.Equal(seeded.Count - doneBeforeStop.Count, resumed.ItemsSucceeded);

        await using (var db = await DbAsync(second))
        {
            foreach (var t in await db.AuthorizerTokens.AsNoTracking().Include(t => t.Authorizer).Where(t => doneBeforeStop.Keys.Contains(t.Authorizer!.AppId)).ToListAsync())
            {
                Assert.Equal(doneBeforeStop[t.Authorizer!.AppId], t.RefreshTokenProtected + "|" + t.AccessTokenProtected + "|" + t.LastRefreshedAt);
            }
        }

        var after = await TokensAsync(second);

        Assert.All(after.Values, t => Assert.True(t.RefreshedAt > seededAt));
        var refreshes = await _emulator.SuccessfulRefreshesAsync();
        Assert.All(seeded, s => Assert.Equal(1, refreshes.GetValueOrDefault(s.AppId)));
        var remote = (await second.Services.GetRequiredService<ComponentTokenService>().ListAuthorizersAsync(null, CancellationToken.None)).ToDictionary(i => i.AuthorizerAppId, i => i.RefreshToken);
        Assert.All(after, t => Assert.Equal(remote[t.Key], t.Value.Refresh));
    }

    [Fact]
    public async Task Kill9_DuringARotatingSweep_RestartLosesNoRefreshTokenAndCompletesTheRun()
    {
        var seeded = await _emulator.SeedAuthorizationsAsync(100, "e");
        await _emulator.PostAsync("/admin/api/settings", new Dictionary<string, string> { ["refreshTokenMode"] = "rotate" });
        DateTimeOffset seededAt;
        await using (var seeder = Portal())
        {
            seededAt = await SeedDueAsync(seeder, seeded);
        }

        SqliteConnection.ClearAllPools();
        await _emulator.PostAsync("/admin/api/faults", new Dictionary<string, string> { ["target"] = "api_authorizer_token", ["kind"] = "latency", ["latencyMs"] = "300" });

        // The portal as its own process, sweeping every second on its schedule.
        var settings = _emulator.PortalSettings();
        settings["Portal:DataDirectory"] = _data;
        settings["Portal:PublicBaseUrl"] = PortalUrl;
        settings["KeepAlive:MaxConcurrency"] = "4";
        settings["KeepAlive:Schedules:refresh-authorizer-tokens"] = "* * * * * *";
        var arguments = new List<string> { Path.Combine(AppContext.BaseDirectory, "Portal.Web.dll"), "--urls", PortalUrl, "--contentRoot", RepoPaths.Root };
        arguments.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        using var child = Process.Start(start)!;
        child.OutputDataReceived += (_, _) => { };
        child.ErrorDataReceived += (_, _) => { };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        using var http = new HttpClient();
        try
        {
            await StandaloneEmulator.WaitUntilAsync(async () => (await http.GetAsync(PortalUrl + "/healthz")).IsSuccessStatusCode, TimeSpan.FromSeconds(90));
            await _emulator.PostAsync("/admin/api/tickets/push");
            await StandaloneEmulator.WaitUntilAsync(async () =>
            {
                await using var db = RawDb();
                var ticks = seededAt.UtcTicks;
                return await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS Value FROM AuthorizerTokens WHERE LastRefreshedAt > {0}", ticks).SingleAsync() >= 10;
            }, TimeSpan.FromSeconds(90));
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }

        SqliteConnection.ClearAllPools();
        long killedRun;
        await using (var raw = RawDb())
        {
            killedRun = (await raw.JobRuns.AsNoTracking().SingleAsync(r => r.JobName == RefreshAuthorizerTokensJob.JobName && r.Status == JobRunStatus.Running)).Id;
            Assert.True(await raw.AuthorizerTokens.AnyAsync(t => t.LastRefreshedAt == null || t.LastRefreshedAt <= seededAt), "killed before the sweep was done");
        }

        using (var clear = new HttpRequestMessage(HttpMethod.Delete, "/admin/api/faults"))
        {
            (await _emulator.Admin.SendAsync(clear)).EnsureSuccessStatusCode();
        }

        // Restart on the same data (no schedules): the run the killed process left running is resumed and completes.
        await using var restarted = Portal();
        // It ends done (or, when a sweep the dead process had already queued ran first and did the work, done with
        // nothing left, or skipped while that sweep ran); never left running or interrupted.
        await restarted.WaitForAsync(db => db.JobRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == killedRun && (r.Status == JobRunStatus.Succeeded || r.Status == JobRunStatus.Skipped)), TimeSpan.FromSeconds(60));
        await restarted.WaitForAsync(async db => await db.AuthorizerTokens.AllAsync(t => t.LastRefreshedAt > seededAt) ? "all refreshed" : null, TimeSpan.FromSeconds(60));
        var after = await TokensAsync(restarted);
        Assert.All(after.Values, t => Assert.True(t.RefreshedAt > seededAt, "every authorizer was refreshed"));
        var remote = (await restarted.Services.GetRequiredService<ComponentTokenService>().ListAuthorizersAsync(null, CancellationToken.None)).ToDictionary(i => i.AuthorizerAppId, i => i.RefreshToken);
        Assert.All(after, t => Assert.Equal(remote[t.Key], t.Value.Refresh));
        await using var check = await DbAsync(restarted);
        Assert.False(await check.Bindings.AnyAsync(b => b.State == BindingState.NeedsReauthorization));
        Assert.False(await check.JobRuns.AnyAsync(r => r.Status == JobRunStatus.Running));
    }

    [Fact]
    public async Task PausedJob_StaysPausedAcrossARestart()
    {
        var settings = new Dictionary<string, string?> { ["KeepAlive:RunJobsOnSchedule"] = "true" };
        await using (var first = Portal(settings))
        {
            var console = first.Services.GetRequiredService<OpsConsole>();
            await console.PauseAsync(TicketWatchdogJob.JobName, true, await first.ActorAsync("ops"), CancellationToken.None);
            var job = (await console.JobsAsync(CancellationToken.None)).Single(j => j.Name == TicketWatchdogJob.JobName);
            Assert.True(job.Paused);
            Assert.Null(job.NextRun);
        }

        await using var second = Portal(settings);
        var jobs = await second.Services.GetRequiredService<OpsConsole>().JobsAsync(CancellationToken.None);
        var watchdog = jobs.Single(j => j.Name == TicketWatchdogJob.JobName);
        Assert.True(watchdog.Paused);
        Assert.Null(watchdog.NextRun);
        Assert.Null(second.Services.GetRequiredService<IJobQueue>().NextRuns()[TicketWatchdogJob.JobName]);
        Assert.All(jobs.Where(j => j.Name != TicketWatchdogJob.JobName), j => Assert.NotNull(j.NextRun));

        // A scheduled occurrence that slips through is not run while paused.
        await second.Services.GetRequiredService<JobRunner>().RunScheduledAsync(TicketWatchdogJob.JobName, "slipped", CancellationToken.None);
        await using (var db = await DbAsync(second))
        {
            Assert.False(await db.JobRuns.AnyAsync(r => r.JobName == TicketWatchdogJob.JobName));
        }

        await second.Services.GetRequiredService<OpsConsole>().PauseAsync(TicketWatchdogJob.JobName, false, await second.ActorAsync("ops"), CancellationToken.None);
        Assert.NotNull((await second.Services.GetRequiredService<OpsConsole>().JobsAsync(CancellationToken.None)).Single(j => j.Name == TicketWatchdogJob.JobName).NextRun);
    }
}
