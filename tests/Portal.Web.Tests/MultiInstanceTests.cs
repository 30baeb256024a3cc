using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.WeChat.Protocol.Links;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.Identity;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.KeepAlive.Jobs;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Tests;

/// <summary>
/// Two portal instances on one PostgreSQL database and the emulator in its own process (issue 13's done-when points
/// 1–6). Instances A and B are two hosts with their own containers, Kestrel ports, Hangfire servers and lease owners;
/// in the kill -9 test A is a child process. Nothing is shared between them but the database.
/// </summary>
[Collection(MultiInstanceCollection.Name)]
public sealed partial class MultiInstanceTests : IAsyncLifetime
{
    private readonly int _portA = StandaloneEmulator.FreePort();
    private readonly int _portB = StandaloneEmulator.FreePort();
    private TestDatabase _database = default!;
    private StandaloneEmulator? _emulator;

    private StandaloneEmulator Emulator => _emulator!;

    public Task InitializeAsync()
    {
        if (TestDatabase.Server is not null)
        {
            _database = TestDatabase.CreatePostgreSql();
        }

        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        _database?.Dispose();
    }

    private string UrlOf(int port) => $"http://127.0.0.1:{port}";

    /// <summary>The emulator pushes to <paramref name="pushesTo"/>.</summary>
    private async Task StartEmulatorAsync(int pushesTo) => _emulator = await StandaloneEmulator.StartAsync(UrlOf(pushesTo));

    private Dictionary<string, string?> Settings(int port, Dictionary<string, string?>? extra = null)
    {
        var settings = Emulator.PortalSettings();
        foreach (var (key, value) in _database.PortalSettings())
        {
            settings[key] = value;
        }

        settings["Portal:PublicBaseUrl"] = UrlOf(port);
        settings["Portal:DataDirectory"] = Path.Combine(Path.GetTempPath(), "portal-tests", "mi-" + Guid.NewGuid().ToString("N"));
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    private PortalFactory Instance(int port, Dictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var factory = new PortalFactory(Settings(port, extra), kestrel: true, port: port, services: services);
        factory.StartServer();
        return factory;
    }

    private PortalDbContext Db() => new(new DbContextOptionsBuilder<PortalDbContext>().UseNpgsql(_database.ConnectionString).Options);

    private async Task<JsonElement[]> CallsAsync(string api)
        => (await Emulator.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/calls?api={api}")).EnumerateArray().ToArray();

    /// <summary>Done-when 1: the redirect on one instance, the authorized push on the other: one api_query_auth, one binding.</summary>
    [PostgreSqlTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RedirectOnOneInstance_PushOnTheOther_OneExchangeOneBinding(bool redirectOnA)
    {
        // The invitation's redirect goes to the instance that launched it; the emulator pushes to the other one.
        await StartEmulatorAsync(pushesTo: redirectOnA ? _portB : _portA);
        await using var a = Instance(_portA);
        await using var b = Instance(_portB);
        var launcher = redirectOnA ? a : b;
        var pusher = redirectOnA ? b : a;
        await Emulator.PostAsync("/admin/api/tickets/push");
        await pusher.WaitForTicketAsync();
        await Emulator.PostAsync("/admin/api/settings", new Dictionary<string, string> { ["pushTiming"] = "concurrent" });

        var onboarding = launcher.Services.GetRequiredService<OnboardingService>();
        var operatorActor = await launcher.ActorAsync("operator1");
        int shopId;
        await using (var db = Db())
        {
            shopId = await db.Shops.Where(s => s.Name == "好味道餐厅·人民广场店").Select(s => s.Id).SingleAsync();
        }

        var invite = await onboarding.CreateInviteAsync(operatorActor, shopId, new InviteRequest(AuthType.OfficialAccountAndMiniProgram, null, []), CancellationToken.None);
        var link = await onboarding.StartAsync(invite.Token, mobile: false, Actor.System, CancellationToken.None);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(60) };
        using var page = new HttpRequestMessage(HttpMethod.Get, link.Url);
        page.Headers.Referrer = new Uri(launcher.BaseUrl + invite.LaunchPath);
        var html = await (await browser.SendAsync(page)).Content.ReadAsStringAsync();
        var form = new List<KeyValuePair<string, string>> { new("session", SessionField().Match(html).Groups[1].Value), new("appid", "wx1a2b3c4d5e6f7001"), new("decision", "confirm") };
        form.AddRange(SetField().Matches(html).Select(m => new KeyValuePair<string, string>("set", m.Groups[1].Value)));
        var confirmUrl = new Uri(new Uri(link.Url), new Uri(link.Url).AbsolutePath + "/confirm");
        using var confirm = await browser.PostAsync(confirmUrl, new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, confirm.StatusCode);
        var redirect = confirm.Headers.Location!;
        Assert.StartsWith(launcher.BaseUrl, redirect.ToString());
        using var callback = await browser.GetAsync(redirect);
        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);

        // The push reached the other instance; wait until it processed it too.
        await pusher.WaitForAsync(async db => await db.Inbox.AnyAsync(m => m.InfoType == "authorized" && m.Status == InboxStatus.Processed) ? "processed" : null, TimeSpan.FromSeconds(30));
        Assert.Single(await CallsAsync("api_query_auth"));
        await using var check = Db();
        var binding = await check.Bindings.Include(x => x.Authorizer).SingleAsync(x => x.ShopId == shopId);
        Assert.Contains(binding.State, new[] { BindingState.Active, BindingState.PermissionsMissing });
        Assert.Equal("wx1a2b3c4d5e6f7001", binding.Authorizer!.AppId);
        Assert.Equal(1, await check.Bindings.CountAsync(x => x.Authorizer!.AppId == "wx1a2b3c4d5e6f7001"));
        Assert.Equal(1, await check.ExchangedAuthCodes.CountAsync());
    }

    /// <summary>Done-when 2: both instances sweep 2,000 due authorizers at once in rotate mode.</summary>
    [PostgreSqlFact]
    public async Task BothInstancesSweep2000DueAuthorizersAtOnce_EachRefreshedExactlyOnce()
    {
        await StartEmulatorAsync(pushesTo: _portA);
        await using var a = Instance(_portA, new() { ["KeepAlive:MaxConcurrency"] = "16" });
        await using var b = Instance(_portB, new() { ["KeepAlive:MaxConcurrency"] = "16" });
        await Emulator.PostAsync("/admin/api/tickets/push");
        await a.WaitForTicketAsync();
        var seeded = await Emulator.SeedAuthorizationsAsync(2000, "a2");
        await Emulator.PostAsync("/admin/api/settings", new Dictionary<string, string> { ["refreshTokenMode"] = "rotate" });
        var seededAt = await SeedDueAsync(a, seeded);

        var sweeps = await Task.WhenAll(
            Task.Run(() => a.Services.GetRequiredService<RefreshSweep>().RunAsync(CancellationToken.None)),
            Task.Run(() => b.Services.GetRequiredService<RefreshSweep>().RunAsync(CancellationToken.None)));

        var refreshed = sweeps.Sum(s => s.Outcomes.TryGetValue(RefreshOutcome.Refreshed, out var n) ? n : 0);
        Assert.Equal(2000, refreshed);
        var calls = await CallsAsync("api_authorizer_token");
        var repeated = calls.GroupBy(c => c.GetProperty("parameters").GetProperty("authorizer_appid").GetString()).Where(g => g.Count() > 1).Take(3)
            .Select(g => g.Key + ": " + string.Join(" / ", g.Select(c => c.ToString()))).ToList();
        Assert.True(calls.Length == 2000, $"{calls.Length} calls; repeated: {string.Join("\n", repeated)}");
        Assert.All(calls, c => Assert.Equal(0, c.GetProperty("errCode").GetInt32()));
        Assert.DoesNotContain(calls, c => c.GetProperty("errCode").GetInt32() == 61023);
        // One call per authorizer: no two leases on one authorizer ever overlapped (an overlap is a second call).
        Assert.All(calls.GroupBy(c => c.GetProperty("parameters").GetProperty("authorizer_appid").GetString()), g => Assert.Single(g));
        await AssertEveryRefreshTokenIsWeChatsAsync(a, seededAt, seeded.Count);
    }

    /// <summary>Done-when 3: a recurring job on both instances' schedules runs once per occurrence.</summary>
    [PostgreSqlFact]
    public async Task RecurringJob_OnBothInstances_RunsOncePerOccurrence()
    {
        await StartEmulatorAsync(pushesTo: _portA);
        var everySecond = new Dictionary<string, string?> { ["KeepAlive:RunJobsOnSchedule"] = "true", ["KeepAlive:Schedules:ticket-watchdog"] = "* * * * * *" };
        await using var a = Instance(_portA, everySecond);
        await using var b = Instance(_portB, everySecond);
        await a.WaitForAsync(async db => await db.JobRuns.CountAsync(r => r.JobName == TicketWatchdogJob.JobName && r.Status == JobRunStatus.Succeeded) >= 6 ? "ran" : null, TimeSpan.FromSeconds(120));

        await using var db = Db();
        var runs = await db.JobRuns.AsNoTracking().Where(r => r.JobName == TicketWatchdogJob.JobName && r.Trigger == "schedule").ToListAsync();
        // Each occurrence is one Hangfire job (its id is the run's ExternalId) run by one instance. An occurrence that
        // arrives while the previous one still runs (a slow machine) is recorded as skipped, never run a second time.
        Assert.All(runs.GroupBy(r => r.ExternalId), g => Assert.Single(g));
        Assert.All(runs, r => Assert.Contains(r.Status, new[] { JobRunStatus.Succeeded, JobRunStatus.Skipped, JobRunStatus.Running, JobRunStatus.Enqueued }));
        var owners = runs.Select(r => r.Owner).Distinct().ToList();
        Assert.InRange(owners.Count, 1, 2);
        a.Services.GetRequiredService<IJobQueue>().Schedule(TicketWatchdogJob.JobName, null);
    }

    /// <summary>Done-when 4: kill -9 of A mid-sweep; B completes the work, no refresh token lost, A's leases expire.</summary>
    [PostgreSqlFact]
    public async Task Kill9OfOneInstanceMidSweep_TheOtherCompletes_NoRefreshTokenLost()
    {
        await StartEmulatorAsync(pushesTo: _portB);
        var settings = new Dictionary<string, string?>
        {
            ["KeepAlive:MaxConcurrency"] = "4",
            ["KeepAlive:LeaseDuration"] = "00:00:10",
        };
        await using var b = Instance(_portB, settings);
        await Emulator.PostAsync("/admin/api/tickets/push");
        await b.WaitForTicketAsync();
        var seeded = await Emulator.SeedAuthorizationsAsync(200, "b4");
        await Emulator.PostAsync("/admin/api/settings", new Dictionary<string, string> { ["refreshTokenMode"] = "rotate" });
        var seededAt = await SeedDueAsync(b, seeded);
        await Emulator.PostAsync("/admin/api/faults", new Dictionary<string, string> { ["target"] = "api_authorizer_token", ["kind"] = "latency", ["latencyMs"] = "300" });

        // A: its own process, sweeping on its schedule every second.
        var aSettings = Settings(_portA, settings);
        aSettings["KeepAlive:RunJobsOnSchedule"] = "true";
        aSettings["KeepAlive:Schedules:refresh-authorizer-tokens"] = "* * * * * *";
        long killedRun;
        await using (var a = await PortalProcess.StartAsync(_portA, aSettings))
        {
            await StandaloneEmulator.WaitUntilAsync(async () =>
            {
                await using var db = Db();
                return await db.AuthorizerTokens.CountAsync(t => t.LastRefreshedAt > seededAt) >= 10;
            }, TimeSpan.FromSeconds(90));
            await a.KillAsync();
        }

        await using (var db = Db())
        {
            killedRun = (await db.JobRuns.AsNoTracking().SingleAsync(r => r.JobName == RefreshAuthorizerTokensJob.JobName && r.Status == JobRunStatus.Running)).Id;
            Assert.True(await db.AuthorizerTokens.AnyAsync(t => t.LastRefreshedAt == null || t.LastRefreshedAt <= seededAt), "killed before the sweep was done");
            Assert.True(await db.Leases.AnyAsync(l => l.Name.StartsWith("job:" + RefreshAuthorizerTokensJob.JobName)), "A's job lease is left behind");
        }

        using (var clear = new HttpRequestMessage(HttpMethod.Delete, "/admin/api/faults"))
        {
            (await Emulator.Admin.SendAsync(clear)).EnsureSuccessStatusCode();
        }

        // B notices the dead run once A's heartbeat lease expired (JobRunner.InstanceLeaseDuration) and resumes it (or a
        // sweep of the shared schedule, now run by B once A's job lease expired, did the work first and it stands aside):
        // every authorizer refreshed, after A's authorizer leases expired (KeepAlive:LeaseDuration) for those A held.
        // (Generous margin: on a loaded 2-core machine Hangfire's pick-up and the sweeps themselves slow down.)
        var deadline = JobRunner.InstanceLeaseDuration + JobRunner.RunLeaseDuration + AbandonedRunsRecovery.Interval + TimeSpan.FromSeconds(90);
        await b.WaitForAsync(db => db.JobRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == killedRun && (r.Status == JobRunStatus.Succeeded || r.Status == JobRunStatus.Skipped)), deadline);
        await b.WaitForAsync(async db => await db.AuthorizerTokens.AllAsync(t => t.LastRefreshedAt > seededAt) ? "all refreshed" : null, TimeSpan.FromSeconds(120));
        await AssertEveryRefreshTokenIsWeChatsAsync(b, seededAt, seeded.Count);
        await using var check = Db();
        Assert.False(await check.Bindings.AnyAsync(x => x.State == BindingState.NeedsReauthorization));
        Assert.DoesNotContain(await CallsAsync("api_authorizer_token"), c => c.GetProperty("errCode").GetInt32() == 61023);

        // A's every-second schedule lives on in the shared store: stop it before B shuts down, so B's workers are not
        // still picking up occurrences while its host stops.
        b.Services.GetRequiredService<IJobQueue>().Schedule(RefreshAuthorizerTokensJob.JobName, null);
    }

    /// <summary>Done-when 5: the ticket pushed to B is what A renews the component token with, and it is renewed once.</summary>
    [PostgreSqlFact]
    public async Task TicketPushedToB_UsedByA_ComponentTokenRenewedOnce()
    {
        await StartEmulatorAsync(pushesTo: _portB);
        await using var a = Instance(_portA);
        await using var b = Instance(_portB);
        await Emulator.PostAsync("/admin/api/tickets/push");
        await b.WaitForTicketAsync();
        var before = (await CallsAsync("api_component_token")).Length;

        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).Services.GetRequiredService<ComponentTokenService>().GetTokenAsync(CancellationToken.None))));

        Assert.Single(tokens.Distinct());
        var calls = await CallsAsync("api_component_token");
        Assert.Equal(before + 1, calls.Length);
        Assert.Equal(0, calls[^1].GetProperty("errCode").GetInt32());
    }

    /// <summary>Done-when 6: a user disabled on A is refused on B; an API key revoked on A is refused on B; A's key ring decrypts on B.</summary>
    [PostgreSqlFact]
    public async Task UserDisabledAndKeyRevokedOnA_AreRefusedOnB_KeyRingFromADecryptsOnB()
    {
        await StartEmulatorAsync(pushesTo: _portA);
        await using var a = Instance(_portA);
        await using var b = Instance(_portB);

        var protectedOnA = a.Services.GetRequiredService<TokenProtector>().Protect("secret-on-a");
        Assert.Equal("secret-on-a", b.Services.GetRequiredService<TokenProtector>().Unprotect(protectedOnA));

        var admin = await a.ActorAsync("admin");
        var (key, secret) = await a.Services.GetRequiredService<ApiKeyService>().CreateAsync(await a.ActorAsync("ops"), new ApiKeyRequest("multi", true, false, []), CancellationToken.None);
        using var api = new HttpClient { BaseAddress = new Uri(b.BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        using (var beforeRevoke = await api.GetAsync("/api/v1/component/access-token"))
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, beforeRevoke.StatusCode);
        }

        await a.Services.GetRequiredService<ApiKeyService>().RevokeAsync(admin, key.Id, CancellationToken.None);
        // B verified the key from memory before: it hears of the revocation from the database within the documented bound.
        await WithinBoundAsync(async () =>
        {
            using var afterRevoke = await api.GetAsync("/api/v1/component/access-token");
            // The token API's answer to a revoked key (TokenApi): 403 api_key_revoked.
            return afterRevoke.StatusCode == HttpStatusCode.Forbidden && (await afterRevoke.Content.ReadAsStringAsync()).Contains("api_key_revoked");
        });

        var opsOnB = await b.ActorAsync("ops");
        string opsId;
        await using (var db = Db())
        {
            opsId = await db.Users.Where(u => u.UserName == "ops").Select(u => u.Id).SingleAsync();
        }

        await a.Services.GetRequiredService<UserAdminService>().SetDisabledAsync(admin, opsId, true, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<PortalException>(() => b.Services.GetRequiredService<ApiKeyService>().ListAsync(opsOnB, CancellationToken.None));
        Assert.Equal("forbidden", refused.Code);
        var login = await b.Services.GetRequiredService<LoginService>().SignInAsync("ops", "Portal-demo-2026", "127.0.0.1", CancellationToken.None);
        Assert.NotEqual(LoginOutcome.SignedIn, login.Outcome);
    }

    private async Task<DateTimeOffset> SeedDueAsync(PortalFactory portal, IReadOnlyList<(string AppId, string RefreshToken)> seeded)
    {
        var protector = portal.Services.GetRequiredService<TokenProtector>();
        var now = DateTimeOffset.UtcNow;
        await using var db = Db();
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

    /// <summary>Every authorizer was refreshed and holds the refresh token WeChat holds now (none lost to a race).</summary>
    private async Task AssertEveryRefreshTokenIsWeChatsAsync(PortalFactory portal, DateTimeOffset seededAt, int count)
    {
        var protector = portal.Services.GetRequiredService<TokenProtector>();
        await using var db = Db();
        var tokens = await db.AuthorizerTokens.AsNoTracking().Include(t => t.Authorizer).ToListAsync();
        Assert.Equal(count, tokens.Count);
        Assert.All(tokens, t => Assert.True(t.LastRefreshedAt > seededAt, "every authorizer was refreshed"));
        var remote = (await portal.Services.GetRequiredService<ComponentTokenService>().ListAuthorizersAsync(null, CancellationToken.None)).ToDictionary(i => i.AuthorizerAppId, i => i.RefreshToken);
        Assert.All(tokens, t => Assert.Equal(remote[t.Authorizer!.AppId], protector.Unprotect(t.RefreshTokenProtected)));
    }

    [GeneratedRegex("name=\"session\" value=\"([0-9a-f]+)\"")]
    private static partial Regex SessionField();

    [GeneratedRegex("name=\"set\" value=\"(\\d+)\"")]
    private static partial Regex SetField();
}

/// <summary>The two-instance tests start several hosts and processes each and are timing-sensitive: they run alone, after the rest.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiInstanceCollection
{
    public const string Name = "multi-instance";
}
