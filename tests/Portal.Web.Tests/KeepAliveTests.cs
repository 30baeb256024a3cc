using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.WeChat.Emulator;
using Portal.WeChat.Emulator.Model;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Data;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.KeepAlive.Jobs;

namespace Portal.Web.Tests;

/// <summary>Keeping authorizations alive, on a controlled clock, against the real emulator, with real Hangfire.</summary>
public sealed class KeepAliveTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private OnboardingHarness _h = default!;

    private RefreshSweep Sweep => _h.Portal.Services.GetRequiredService<RefreshSweep>();

    private AuthorizerTokenRefresher Refresher => _h.Portal.Services.GetRequiredService<AuthorizerTokenRefresher>();

    private TokenProtector Protector => _h.Portal.Services.GetRequiredService<TokenProtector>();

    public async Task InitializeAsync()
    {
        _h = OnboardingHarness.Create(new Dictionary<string, string?> { ["WeChat:Emulator:DailyQuotas:api_authorizer_token"] = "50" }, clock: _clock);
        await _h.InitializeAsync();
        _h.Emulator.PushTimingOverride = AuthorizationPushTiming.Concurrent;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<int> BindAsync(string shop, string appId)
    {
        var invite = await _h.InviteAsync(shop, user: "admin");
        Assert.Contains("授权成功", (await _h.CallbackAsync(await _h.AuthorizeAsync(invite, appId))).Html);
        await using var db = await _h.DbAsync();
        return await db.Authorizers.Where(a => a.AppId == appId).Select(a => a.Id).SingleAsync();
    }

    private async Task<AuthorizerToken> TokenAsync(int authorizerId)
    {
        await using var db = await _h.DbAsync();
        return await db.AuthorizerTokens.AsNoTracking().SingleAsync(t => t.AuthorizerId == authorizerId);
    }

    private int RefreshCalls => _h.Emulator.Calls.Count(c => c.Api == "api_authorizer_token");

    [Fact]
    public async Task Sweep_RefreshesBeforeExpiry_AndOnlyWhatIsDue()
    {
        var id = await BindAsync("好味道餐厅·人民广场店", "wx1a2b3c4d5e6f7001");
        var before = await TokenAsync(id);
        Assert.InRange(before.RefreshDueAt!.Value, before.AccessTokenExpiresAt!.Value.AddMinutes(-20), before.AccessTokenExpiresAt.Value.AddMinutes(-15));

        _clock.Advance(TimeSpan.FromMinutes(90));
        Assert.Empty(await Sweep.SelectDueAsync(CancellationToken.None));
        Assert.Equal(0, (await Sweep.RunAsync(CancellationToken.None)).Due);

        _clock.Advance(TimeSpan.FromMinutes(15));
        var result = await Sweep.RunAsync(CancellationToken.None);
        Assert.Equal(1, result.Due);
        Assert.Equal(1, result.Outcomes[RefreshOutcome.Refreshed]);

        var after = await TokenAsync(id);
        Assert.True(after.AccessTokenExpiresAt > before.AccessTokenExpiresAt);
        Assert.True(_clock.GetUtcNow() < before.AccessTokenExpiresAt, "refreshed before the old token expired");
        Assert.NotEqual(Protector.Unprotect(before.AccessTokenProtected!), Protector.Unprotect(after.AccessTokenProtected!));
        Assert.Equal("wx1a2b3c4d5e6f7001", _h.Emulator.CheckAuthorizerToken(Protector.Unprotect(after.AccessTokenProtected!)));
    }

    [Fact]
    public async Task RotateMode_EveryReturnedRefreshTokenIsPersisted()
    {
        _h.Emulator.RefreshTokenModeOverride = RefreshTokenMode.Rotate;
        var id = await BindAsync("好味道餐厅·徐家汇店", "wx1a2b3c4d5e6f7002");
        for (var round = 0; round < 3; round++)
        {
            _clock.Advance(TimeSpan.FromHours(2));
            var result = await Sweep.RunAsync(CancellationToken.None);
            Assert.True(result.Outcomes.GetValueOrDefault(RefreshOutcome.Refreshed) == 1, result.ToString());
            Assert.Equal(_h.Emulator.FindAuthorization("wx1a2b3c4d5e6f7002")!.RefreshToken, Protector.Unprotect((await TokenAsync(id)).RefreshTokenProtected));
        }

        Assert.DoesNotContain(_h.Emulator.Calls, c => c.ErrCode == 61023);
    }

    [Fact]
    public async Task ConcurrentTriggers_NeverOverlapOnOneAuthorizer()
    {
        _h.Emulator.RefreshTokenModeOverride = RefreshTokenMode.Rotate;
        var id = await BindAsync("晨光咖啡·西湖店", "wx1a2b3c4d5e6f7101");
        var calls = RefreshCalls;
        _h.Emulator.AddFault(new FaultRule { Target = "api_authorizer_token", Kind = FaultKind.Latency, LatencyMs = 300, RemainingCount = 5 });

        // Two refreshers stand for two nodes; each is also asked several times at once.
        var other = ActivatorUtilities.CreateInstance<AuthorizerTokenRefresher>(_h.Portal.Services);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? Refresher : other).RefreshAsync(id, "race", CancellationToken.None)));

        Assert.Equal(1, RefreshCalls - calls);
        Assert.Equal(5, outcomes.Count(o => o == RefreshOutcome.Refreshed));
        Assert.Equal(5, outcomes.Count(o => o == RefreshOutcome.Busy));
        Assert.Equal(_h.Emulator.FindAuthorization("wx1a2b3c4d5e6f7101")!.RefreshToken, Protector.Unprotect((await TokenAsync(id)).RefreshTokenProtected));
    }

    [Fact]
    public async Task CrashBetweenWeChatAndTheWrite_LosesNothing()
    {
        _h.Emulator.RefreshTokenModeOverride = RefreshTokenMode.Rotate;
        var id = await BindAsync("晨光咖啡·滨江店", "wx1a2b3c4d5e6f7102");
        _clock.Advance(TimeSpan.FromHours(2));

        Refresher.BeforePersist = _ => throw new InvalidOperationException("process killed");
        var crashed = await Record.ExceptionAsync(async () => Assert.Fail("no crash; outcome " + await Refresher.RefreshAsync(id, "crash", CancellationToken.None)));
        Assert.True(crashed is InvalidOperationException, crashed?.Message);
        Refresher.BeforePersist = null;
        var stale = Protector.Unprotect((await TokenAsync(id)).RefreshTokenProtected);
        Assert.NotEqual(_h.Emulator.FindAuthorization("wx1a2b3c4d5e6f7102")!.RefreshToken, stale);

        // The dead worker's lease still holds the row; once it expires the next sweep heals it.
        Assert.Empty(await Sweep.SelectDueAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        var result = await Sweep.RunAsync(CancellationToken.None);
        Assert.Equal(1, result.Outcomes.GetValueOrDefault(RefreshOutcome.Recovered));

        var healed = await TokenAsync(id);
        Assert.Equal(_h.Emulator.FindAuthorization("wx1a2b3c4d5e6f7102")!.RefreshToken, Protector.Unprotect(healed.RefreshTokenProtected));
        Assert.Equal("wx1a2b3c4d5e6f7102", _h.Emulator.CheckAuthorizerToken(Protector.Unprotect(healed.AccessTokenProtected!)));
        Assert.Contains(_h.Emulator.Calls, c => c.Api == "api_authorizer_token" && c.ErrCode == 61023);
        Assert.Contains(_h.Emulator.Calls, c => c.Api == "api_get_authorizer_info" && c.ErrCode == 0);
    }

    [Fact]
    public async Task SweepPageLease_TakesOnlyWhatIsFree_AndAnOldLeaseIsGivenBackUnused()
    {
        var id = await BindAsync("好味道餐厅·人民广场店", "wx1a2b3c4d5e6f7001");
        _clock.Advance(TimeSpan.FromHours(2));
        var leased = Assert.Single((await Refresher.LeaseDueAsync([id], CancellationToken.None)).Leased);
        Assert.Equal("wx1a2b3c4d5e6f7001", leased.AppId);

        // Leased already (by this page): a second page gets it as busy; an id that does not exist is gone.
        var second = await Refresher.LeaseDueAsync([id, 999_999], CancellationToken.None);
        Assert.Empty(second.Leased);
        Assert.Contains((id, RefreshOutcome.Busy), second.NotLeased);
        Assert.Contains((999_999, RefreshOutcome.Gone), second.NotLeased);

        // Past half of the lease duration the lease is not used to call WeChat: it is given back, the next sweep refreshes.
        var calls = RefreshCalls;
        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(RefreshOutcome.Busy, await Refresher.RefreshLeasedAsync(leased, "test"));
        Assert.Equal(calls, RefreshCalls);
        Assert.Null((await TokenAsync(id)).LeaseOwner);
        Assert.Equal(1, (await Sweep.RunAsync(CancellationToken.None)).Outcomes.GetValueOrDefault(RefreshOutcome.Refreshed));
        Assert.Equal(calls + 1, RefreshCalls);
    }

    [Fact]
    public async Task CancelledSweep_FinishesWhatIsInFlight_AndGivesBackTheLeasesItDidNotUse()
    {
        await _h.DisposeAsync();
        _h = OnboardingHarness.Create(new Dictionary<string, string?> { ["KeepAlive:MaxConcurrency"] = "1" }, clock: _clock);
        await _h.InitializeAsync();
        _h.Emulator.PushTimingOverride = AuthorizationPushTiming.Concurrent;
        _h.Emulator.RefreshTokenModeOverride = RefreshTokenMode.Rotate;
        string[] appIds = ["wx1a2b3c4d5e6f7001", "wx1a2b3c4d5e6f7002", "wx1a2b3c4d5e6f7003"];
        string[] shops = ["好味道餐厅·人民广场店", "好味道餐厅·徐家汇店", "城东书店"];
        for (var i = 0; i < appIds.Length; i++)
        {
            await BindAsync(shops[i], appIds[i]);
        }

        _clock.Advance(TimeSpan.FromHours(2));
        var calls = RefreshCalls;
        _h.Emulator.AddFault(new FaultRule { Target = "api_authorizer_token", Kind = FaultKind.Latency, LatencyMs = 1000 });
        using var cancel = new CancellationTokenSource();
        var sweep = Task.Run(() => Sweep.RunAsync(cancel.Token));

        // One page leases all three; one at a time, the first is with WeChat when the sweep is cancelled.
        await StandaloneEmulator.WaitUntilAsync(async () =>
        {
            await using var db = await _h.DbAsync();
            return await db.AuthorizerTokens.CountAsync(t => t.LeaseOwner != null) == 3;
        }, TimeSpan.FromSeconds(30));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sweep);

        Assert.Equal(calls + 1, RefreshCalls);
        await using (var db = await _h.DbAsync())
        {
            var tokens = await db.AuthorizerTokens.AsNoTracking().Include(t => t.Authorizer).ToListAsync();
            Assert.All(tokens, t => Assert.Null(t.LeaseOwner));
            Assert.All(tokens, t => Assert.Null(t.LeaseUntil));
            Assert.Equal(2, tokens.Count(t => t.RefreshDueAt <= _clock.GetUtcNow()));
            // The one that was in flight wrote what WeChat returned (rotate mode: the new refresh token).
            Assert.All(tokens, t => Assert.Equal(_h.Emulator.FindAuthorization(t.Authorizer!.AppId)!.RefreshToken, Protector.Unprotect(t.RefreshTokenProtected)));
        }

        _h.Emulator.ClearFaults();
        Assert.Equal(2, (await Sweep.RunAsync(CancellationToken.None)).Outcomes.GetValueOrDefault(RefreshOutcome.Refreshed));
    }

    [Fact]
    public async Task Unrecoverable61023_MarksTheBindingForReauthorizationAndAlerts()
    {
        var id = await BindAsync("城东书店", "wx1a2b3c4d5e6f7003");
        _h.Emulator.AddFault(new FaultRule { Target = "api_authorizer_token", Kind = FaultKind.ErrCode, ErrCode = 61023, RemainingCount = 1 });
        Assert.Equal(RefreshOutcome.NeedsReauthorization, await Refresher.RefreshAsync(id, "test", CancellationToken.None));

        await using var db = await _h.DbAsync();
        Assert.Equal(BindingState.NeedsReauthorization, (await db.Bindings.SingleAsync(b => b.AuthorizerId == id)).State);
        Assert.True(await db.Alerts.AnyAsync(a => a.Code == "needs_reauthorization" && a.Target == "wx1a2b3c4d5e6f7003"));
        Assert.Null((await TokenAsync(id)).RefreshDueAt);
    }

    [Fact]
    public async Task Revoked61003_RevokesTheBinding()
    {
        var id = await BindAsync("城东书店·新街口店", "wx570bc396a51b8ff8");
        _h.Emulator.Revoke("wx570bc396a51b8ff8");
        Assert.Equal(RefreshOutcome.Revoked, await Refresher.RefreshAsync(id, "test", CancellationToken.None));
        await using var db = await _h.DbAsync();
        Assert.Equal(BindingState.Revoked, (await db.Bindings.SingleAsync(b => b.AuthorizerId == id)).State);
        Assert.False(await db.AuthorizerTokens.AnyAsync(t => t.AuthorizerId == id));
    }

    [Fact]
    public async Task Quota45009_PausesTheApiUntilTheResetAndAlerts()
    {
        var id = await BindAsync("花间花店", "wx9252c5e0bb1836fc");
        _h.Emulator.AddFault(new FaultRule { Target = "api_authorizer_token", Kind = FaultKind.ErrCode, ErrCode = 45009, RemainingCount = 1 });
        Assert.Equal(RefreshOutcome.QuotaPaused, await Refresher.RefreshAsync(id, "test", CancellationToken.None));
        var calls = RefreshCalls;
        Assert.Equal(RefreshOutcome.QuotaPaused, await Refresher.RefreshAsync(id, "test", CancellationToken.None));
        Assert.Equal(calls, RefreshCalls);
        await using var db = await _h.DbAsync();
        Assert.True(await db.Alerts.AnyAsync(a => a.Code == "quota_exhausted"));
        var pause = await db.ApiPauses.SingleAsync();
        Assert.True(pause.PausedUntil > _clock.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, pause.PausedUntil.ToOffset(TimeSpan.FromHours(8)).TimeOfDay);
    }

    [Fact]
    public async Task Watchdog_AsksWeChatToPushAndAlerts_WhenTicketsStop()
    {
        _h.Emulator.TicketPushesEnabled = false;
        _clock.Advance(TimeSpan.FromMinutes(21));
        var run = await RunJobAsync(TicketWatchdogJob.JobName);
        Assert.Equal(JobOutcomeCode.TicketMissing, run.Outcome);
        Assert.Equal("已有 21 分钟没有收到票据，已请求微信重新推送", Words.In("zh-CN", t => Portal.Web.Features.Localization.JobOutcomeText.Outcome(t, run)));
        Assert.Equal("No ticket for 21 minutes; WeChat was asked to push one", Words.In("en", t => Portal.Web.Features.Localization.JobOutcomeText.Outcome(t, run)));

        Assert.Contains(_h.Emulator.Calls, c => c.Api == "api_start_push_ticket" && c.ErrCode == 0);
        await using var db = await _h.DbAsync();
        Assert.True(await db.Alerts.AnyAsync(a => a.Code == "ticket_missing"));
    }

    [Fact]
    public async Task Reconciliation_ReportsDriftBothWaysAndRepairsRefreshTokens()
    {
        await BindAsync("好味道餐厅·人民广场店", "wx1a2b3c4d5e6f7001");
        var goneId = await BindAsync("好味道餐厅·徐家汇店", "wx1a2b3c4d5e6f7002");
        var unknown = _h.Emulator.SeedSyntheticAuthorizations(1, "c").Single().AppId;
        _h.Emulator.Revoke("wx1a2b3c4d5e6f7002");
        _h.Emulator.RefreshTokenModeOverride = RefreshTokenMode.Rotate;
        var current = _h.Emulator.FindAuthorization("wx1a2b3c4d5e6f7001")!.RefreshToken;
        var rotated = _h.Emulator.RefreshAuthorizerToken("wx1a2b3c4d5e6f7001", current).RefreshToken;

        var run = await RunJobAsync(ReconcileAuthorizersJob.JobName);
        Assert.Equal(JobOutcomeCode.Reconciled, run.Outcome);
        Assert.Equal((1, 1, 1), (run.OutcomeArgs!.UnknownHere, run.OutcomeArgs.GoneThere, run.OutcomeArgs.Repaired));
        Assert.Contains("本地未知 1 个，微信已无 1 个；修复刷新令牌 1 个", Words.In("zh-CN", t => Portal.Web.Features.Localization.JobOutcomeText.Outcome(t, run)));
        Assert.Contains("unknown here: 1; gone at WeChat: 1; refresh tokens repaired: 1", Words.In("en", t => Portal.Web.Features.Localization.JobOutcomeText.Outcome(t, run)));

        await using var db = await _h.DbAsync();
        Assert.True(await db.Alerts.AnyAsync(a => a.Code == "drift_unknown_here" && a.Target == unknown));
        Assert.True(await db.Alerts.AnyAsync(a => a.Code == "drift_gone_there" && a.Target == "wx1a2b3c4d5e6f7002"));
        var token = await db.AuthorizerTokens.Include(t => t.Authorizer).SingleAsync(t => t.Authorizer!.AppId == "wx1a2b3c4d5e6f7001");
        Assert.Equal(rotated, Protector.Unprotect(token.RefreshTokenProtected));
        Assert.True(goneId > 0);
    }

    [Fact]
    public async Task AnExpiredTokenReadJustBeforeSomeoneRefreshedIt_IsNotRefreshedAgain()
    {
        var id = await BindAsync("老街面馆", "wx1a2b3c4d5e6f7003");
        var refresher = _h.Portal.Services.GetRequiredService<AuthorizerTokenRefresher>();
        _clock.Advance(TimeSpan.FromHours(2));
        var calls = RefreshCalls;

        // The token API read the expired token; meanwhile the sweep refreshed it; then the API asks for a refresh.
        Assert.Equal(RefreshOutcome.Refreshed, await refresher.RefreshAsync(id, "sweep", CancellationToken.None));
        Assert.Equal(RefreshOutcome.NotDue, await refresher.RefreshAsync(id, "token-api", CancellationToken.None, onlyIfExpired: true));
        Assert.Equal(calls + 1, RefreshCalls);

        // The lease was given back: a forced refresh still goes through.
        Assert.Equal(RefreshOutcome.Refreshed, await refresher.RefreshAsync(id, "ops", CancellationToken.None));
        Assert.Equal(calls + 2, RefreshCalls);
    }

    [Fact]
    public async Task TokenApi_RequiresKeys_AnswersFromStore_AndRefreshesOnlyWhenExpired()
    {
        await BindAsync("老街面馆", "wx8e1097c5bc82cde9");
        var keys = _h.Portal.Services.GetRequiredService<ApiKeyService>();
        var (key, secret) = await keys.CreateAsync(await _h.ActorAsync("ops"), new ApiKeyRequest("billing-service", ComponentToken: true, AllAuthorizers: true, []), CancellationToken.None);
        Assert.StartsWith(key.Prefix, secret);
        await using (var db = await _h.DbAsync())
        {
            Assert.DoesNotContain(secret, (await db.ApiKeys.SingleAsync()).KeyHash);
        }

        using var http = new HttpClient { BaseAddress = new Uri(_h.Portal.BaseUrl) };
        async Task<(HttpStatusCode, JsonElement)> Get(string path, string? bearer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            using var response = await http.SendAsync(request);
            return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/api/v1/authorizers/wx8e1097c5bc82cde9/access-token", null)).Item1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/api/v1/authorizers/wx8e1097c5bc82cde9/access-token", "pk_wrong")).Item1);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/api/v1/authorizers/wx0000000000000000/access-token", secret)).Item1);

        var calls = RefreshCalls;
        var (status, first) = await Get("/api/v1/authorizers/wx8e1097c5bc82cde9/access-token", secret);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("wx8e1097c5bc82cde9", _h.Emulator.CheckAuthorizerToken(first.GetProperty("access_token").GetString()));
        Assert.Equal(calls, RefreshCalls);

        _clock.Advance(TimeSpan.FromHours(2));
        var expired = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Get("/api/v1/authorizers/wx8e1097c5bc82cde9/access-token", secret)));
        Assert.All(expired, e => Assert.Equal(HttpStatusCode.OK, e.Item1));
        Assert.Single(expired.Select(e => e.Item2.GetProperty("access_token").GetString()).Distinct());
        Assert.Equal(calls + 1, RefreshCalls);
        Assert.True(expired[0].Item2.GetProperty("expires_in").GetInt32() > 7000);

        // Expired and WeChat keeps failing: 503 with the stable code and the last failure, as text and typed.
        _clock.Advance(TimeSpan.FromHours(2));
        _h.Emulator.AddFault(new FaultRule { Target = "api_authorizer_token", Kind = FaultKind.SystemError, RemainingCount = 100 });
        var (failedStatus, failed) = await Get("/api/v1/authorizers/wx8e1097c5bc82cde9/access-token", secret);
        _h.Emulator.ClearFaults();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failedStatus);
        Assert.Equal("refresh_failed", failed.GetProperty("code").GetString());
        Assert.Equal("api_authorizer_token: errcode -1", failed.GetProperty("last_error").GetString());
        Assert.Equal(("WeChatApi", -1), (failed.GetProperty("last_failure").GetProperty("kind").GetString(), failed.GetProperty("last_failure").GetProperty("errcode").GetInt32()));

        var (componentStatus, component) = await Get("/api/v1/component/access-token", secret);
        Assert.Equal(HttpStatusCode.OK, componentStatus);
        Assert.False(string.IsNullOrEmpty(component.GetProperty("access_token").GetString()));

        await keys.RevokeAsync(await _h.ActorAsync("ops"), key.Id, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get("/api/v1/component/access-token", secret)).Item1);
        await using var audit = await _h.DbAsync();
        Assert.True(await audit.Audit.AnyAsync(a => a.Action == "apikey.revoked"));
    }

    [Fact]
    public async Task TransientFailures_BackOffPerAuthorizer()
    {
        var id = await BindAsync("好味道餐厅·人民广场店", "wx1a2b3c4d5e6f7001");
        _h.Emulator.AddFault(new FaultRule { Target = "api_authorizer_token", Kind = FaultKind.SystemError, RemainingCount = 4 });
        Assert.Equal(RefreshOutcome.Failed, await Refresher.RefreshAsync(id, "test", CancellationToken.None));
        var token = await TokenAsync(id);
        Assert.Equal(1, token.ConsecutiveFailures);
        Assert.Equal(StoredFailure.WeChat("api_authorizer_token", -1), token.LastFailure());
        Assert.True(token.NextAttemptAt > _clock.GetUtcNow());
        Assert.Null(token.LeaseUntil);

        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, (await Sweep.RunAsync(CancellationToken.None)).Outcomes.GetValueOrDefault(RefreshOutcome.Refreshed));
        Assert.Equal(0, (await TokenAsync(id)).ConsecutiveFailures);
    }

    [Fact]
    public async Task ComponentTokenJob_RenewsOnlyWhenNeeded()
    {
        var before = _h.Emulator.Calls.Count(c => c.Api == "api_component_token");
        var renewed = await RunJobAsync(RenewComponentTokenJob.JobName);
        Assert.Equal(JobOutcomeCode.ComponentTokenRenewed, renewed.Outcome);
        Assert.NotNull(renewed.OutcomeArgs?.Until);
        Assert.Equal(JobOutcomeCode.ComponentTokenValid, (await RunJobAsync(RenewComponentTokenJob.JobName)).Outcome);
        Assert.Equal(before + 1, _h.Emulator.Calls.Count(c => c.Api == "api_component_token"));
    }

    [Fact]
    public async Task SweepTriggeredTwiceAtOnce_RefreshesNoAuthorizerTwice()
    {
        _h.Emulator.RefreshTokenModeOverride = RefreshTokenMode.Rotate;
        string[] appIds = ["wx1a2b3c4d5e6f7001", "wx1a2b3c4d5e6f7002", "wx1a2b3c4d5e6f7003"];
        string[] shops = ["好味道餐厅·人民广场店", "好味道餐厅·徐家汇店", "城东书店"];
        for (var i = 0; i < appIds.Length; i++)
        {
            await BindAsync(shops[i], appIds[i]);
        }

        _clock.Advance(TimeSpan.FromHours(2));
        var calls = _h.Emulator.Calls.Count;
        _h.Emulator.AddFault(new FaultRule { Target = "api_authorizer_token", Kind = FaultKind.Latency, LatencyMs = 300 });
        var console = _h.Portal.Services.GetRequiredService<OpsConsole>();
        var ops = await _h.ActorAsync("ops");
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => console.RunNowAsync(RefreshAuthorizerTokensJob.JobName, ops, CancellationToken.None)));
        var finished = await Task.WhenAll(runs.Select(id => console.WaitAsync(id, TimeSpan.FromSeconds(30), CancellationToken.None)));

        Assert.All(finished, r => Assert.True(r is { Status: JobRunStatus.Succeeded or JobRunStatus.Skipped }, r?.Outcome.ToString()));
        Assert.Equal(3, finished.Where(r => r!.Outcome == JobOutcomeCode.SweepDone).Sum(r => r!.OutcomeArgs!.Refreshed ?? 0));
        Assert.Equal(3, finished.Sum(r => r!.ItemsSucceeded));
        var refreshes = _h.Emulator.Calls.Skip(calls).Where(c => c.Api == "api_authorizer_token" && c.ErrCode == 0).GroupBy(c => c.Parameters["authorizer_appid"]).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(appIds, a => Assert.Equal(1, refreshes.GetValueOrDefault(a)));
        foreach (var appId in appIds)
        {
            await using var db = await _h.DbAsync();
            var token = await db.AuthorizerTokens.AsNoTracking().SingleAsync(t => t.Authorizer!.AppId == appId);
            Assert.Equal(_h.Emulator.FindAuthorization(appId)!.RefreshToken, Protector.Unprotect(token.RefreshTokenProtected));
        }

        // The dashboard chart reads the counts the job runner recorded, not the scheduler.
        var admin = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, Portal.Web.Features.Identity.Roles.Admin)], "test"));
        var dashboard = await _h.Portal.Services.GetRequiredService<Portal.Web.Features.Admin.DashboardService>().LoadAsync(admin, CancellationToken.None);
        Assert.Equal(3, dashboard.Refreshes.Sum(h => h.Succeeded));
    }

    [Fact]
    public async Task NewlyBoundAuthorizer_GetsItsFirstRefreshScheduledForWhenItIsDue()
    {
        var id = await BindAsync("晨光咖啡·西湖店", "wx1a2b3c4d5e6f7101");
        var token = await TokenAsync(id);
        await using (var db = await _h.DbAsync())
        {
            var first = await db.JobRuns.AsNoTracking().SingleAsync(r => r.JobName == RefreshAuthorizerWhenDueJob.JobName && r.Target == "wx1a2b3c4d5e6f7101");
            Assert.Equal(JobRunStatus.Enqueued, first.Status);
            Assert.Equal("onboarding", first.Trigger);
            Assert.NotNull(first.ExternalId);
        }

        // Hangfire holds it until it is due; run it as Hangfire will, before and after that moment.
        var runner = _h.Portal.Services.GetRequiredService<JobRunner>();
        var calls = RefreshCalls;
        var early = await runner.EnqueueAsync(RefreshAuthorizerWhenDueJob.JobName, "wx1a2b3c4d5e6f7101", "test", CancellationToken.None);
        var console = _h.Portal.Services.GetRequiredService<OpsConsole>();
        Assert.Equal((JobOutcomeCode.Refresh, "NotDue"), Outcome(await console.WaitAsync(early, TimeSpan.FromSeconds(30), CancellationToken.None)));
        Assert.Equal(calls, RefreshCalls);

        _clock.Advance(token.RefreshDueAt!.Value.AddSeconds(1) - _clock.GetUtcNow());
        var due = await runner.EnqueueAsync(RefreshAuthorizerWhenDueJob.JobName, "wx1a2b3c4d5e6f7101", "test", CancellationToken.None);
        Assert.Equal((JobOutcomeCode.Refresh, "Refreshed"), Outcome(await console.WaitAsync(due, TimeSpan.FromSeconds(30), CancellationToken.None)));
        Assert.Equal(calls + 1, RefreshCalls);
    }

    [Fact]
    public async Task OpsForceRefreshAndResync_RunAsJobs_WithProgressAndOutcome()
    {
        await BindAsync("花间花店", "wx9252c5e0bb1836fc");
        var console = _h.Portal.Services.GetRequiredService<OpsConsole>();
        var ops = await _h.ActorAsync("ops");
        var refresh = await console.ForceRefreshAsync("wx9252c5e0bb1836fc", ops, CancellationToken.None);
        Assert.NotNull(await console.RunAsync(refresh, CancellationToken.None));
        var refreshed = await console.WaitAsync(refresh, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal((JobRunStatus.Succeeded, JobOutcomeCode.Refresh, "Refreshed", 1), (refreshed!.Status, refreshed.Outcome, refreshed.OutcomeArgs?.Refresh, refreshed.ItemsSucceeded));
        Assert.Equal("ops:ops", refreshed.Trigger);

        Assert.True(await console.ResyncAsync("wx9252c5e0bb1836fc", ops, CancellationToken.None));
        await using var db = await _h.DbAsync();
        Assert.True(await db.Audit.AnyAsync(a => a.Action == "token.force_refresh" && a.Actor == "ops"));
        Assert.True(await db.JobRuns.AnyAsync(r => r.JobName == ResyncAuthorizerJob.JobName && r.Outcome == JobOutcomeCode.Resynced));
    }

    [Fact]
    public async Task PurgeJobRuns_DeletesOnlyFinishedRunsOlderThan30Days()
    {
        var now = _clock.GetUtcNow();
        await using (var db = await _h.DbAsync())
        {
            db.JobRuns.AddRange(
                new JobRun { JobName = "old-done", Status = JobRunStatus.Succeeded, EnqueuedAt = now.AddDays(-40), StartedAt = now.AddDays(-40), FinishedAt = now.AddDays(-40) },
                new JobRun { JobName = "old-interrupted", Status = JobRunStatus.Interrupted, EnqueuedAt = now.AddDays(-40), StartedAt = now.AddDays(-40) },
                new JobRun { JobName = "recent-done", Status = JobRunStatus.Failed, EnqueuedAt = now.AddDays(-2), StartedAt = now.AddDays(-2), FinishedAt = now.AddDays(-2) });
            await db.SaveChangesAsync();
        }

        var purged = await RunJobAsync(PurgeJobRunsJob.JobName);
        Assert.Equal((JobOutcomeCode.Purged, 1), (purged.Outcome, purged.OutcomeArgs?.Deleted));
        await using var after = await _h.DbAsync();
        Assert.Equal(["old-interrupted", "recent-done"], await after.JobRuns.Where(r => r.JobName.Contains("-") && !r.JobName.StartsWith("purge")).Select(r => r.JobName).OrderBy(n => n).ToListAsync());
    }

    /// <summary>Runs a job as ops do (run now, through Hangfire) and waits for its recorded outcome.</summary>
    private static (JobOutcomeCode, string?) Outcome(JobRun? run) => (run!.Outcome, run.OutcomeArgs?.Refresh);

    private async Task<JobRun> RunJobAsync(string job)
    {
        var console = _h.Portal.Services.GetRequiredService<OpsConsole>();
        var runId = await console.RunNowAsync(job, await _h.ActorAsync("ops"), CancellationToken.None);
        var run = await console.WaitAsync(runId, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(run is { Status: JobRunStatus.Succeeded }, $"{run?.Status}: {run?.Outcome}");
        return run!;
    }
}
