using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.WeChat.Emulator;
using Portal.WeChat.Emulator.Model;
using Portal.Web.Features.Data;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Tests;

/// <summary>
/// The token API served from memory (issue 14), through the real host on a real port, against the mounted emulator,
/// with every database command the host's contexts run counted by an EF interceptor (<see cref="DatabaseCommandCounter"/>).
/// </summary>
public sealed class TokenApiCacheTests : IAsyncLifetime
{
    private const string AppId = "wx8e1097c5bc82cde9";

    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private OnboardingHarness _h = default!;
    private HttpClient _http = default!;

    private DatabaseCommandCounter Counter => _h.Portal.Services.GetRequiredService<DatabaseCommandCounter>();

    private int RefreshCalls => _h.Emulator.Calls.Count(c => c.Api == "api_authorizer_token");

    public async Task InitializeAsync()
    {
        _h = OnboardingHarness.Create(clock: _clock, services: DatabaseCommandCounter.Register);
        await _h.InitializeAsync();
        _h.Emulator.PushTimingOverride = AuthorizationPushTiming.Concurrent;
        _http = new HttpClient { BaseAddress = new Uri(_h.Portal.BaseUrl) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _h.DisposeAsync();
    }

    private async Task<int> BindAsync(string shop, string appId)
    {
        var invite = await _h.InviteAsync(shop, user: "admin");
        Assert.Contains("授权成功", (await _h.CallbackAsync(await _h.AuthorizeAsync(invite, appId))).Html);
        await using var db = await _h.DbAsync();
        return await db.Authorizers.Where(a => a.AppId == appId).Select(a => a.Id).SingleAsync();
    }

    private async Task<(ApiKey Key, string Secret)> KeyAsync(bool component = true, bool all = true, params string[] listed)
        => await _h.Portal.Services.GetRequiredService<ApiKeyService>().CreateAsync(await _h.ActorAsync("ops"), new ApiKeyRequest("cache-test", component, all, listed), CancellationToken.None);

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> TokenAsync(string secret, string appId = AppId) => GetAsync($"/api/v1/authorizers/{appId}/access-token", secret);

    private async Task<string> StoredTokenAsync(int authorizerId)
    {
        await using var db = await _h.DbAsync();
        var stored = await db.AuthorizerTokens.AsNoTracking().SingleAsync(t => t.AuthorizerId == authorizerId);
        return _h.Portal.Services.GetRequiredService<TokenProtector>().Unprotect(stored.AccessTokenProtected!);
    }

    [Fact]
    public async Task AValidToken_IsServedWithZeroDatabaseCommands()
    {
        var id = await BindAsync("老街面馆", AppId);
        var (_, secret) = await KeyAsync();

        // The first request reads the key and the token from the database: the counter sees it (it can fail).
        var before = Counter.ForPath;
        var (status, first) = await TokenAsync(secret);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(Counter.ForPath - before >= 2, $"the cold request ran {Counter.ForPath - before} commands");
        Assert.Equal(await StoredTokenAsync(id), first.GetProperty("access_token").GetString());
        Assert.Equal(AppId, _h.Emulator.CheckAuthorizerToken(first.GetProperty("access_token").GetString()));
        var (componentStatus, component) = await GetAsync("/api/v1/component/access-token", secret);
        Assert.Equal(HttpStatusCode.OK, componentStatus);

        before = Counter.ForPath;
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => TokenAsync(secret)));
        var componentAnswers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => GetAsync("/api/v1/component/access-token", secret)));
        Assert.Equal(0, Counter.ForPath - before);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(answers, a => Assert.Equal(first.GetProperty("access_token").GetString(), a.Body.GetProperty("access_token").GetString()));
        Assert.All(answers, a => Assert.InRange(a.Body.GetProperty("expires_in").GetInt32(), 7000, 7200));
        Assert.All(componentAnswers, a => Assert.Equal(component.GetProperty("access_token").GetString(), a.Body.GetProperty("access_token").GetString()));
        Assert.All(componentAnswers, a => Assert.True(a.Body.GetProperty("expires_in").GetInt32() > 600));

        // A wrong key is still refused, and a key listing other authorizers is refused this one from memory too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync("pk_" + new string('x', 40))).Status);
        var (_, narrow) = await KeyAsync(component: false, all: false, "wx1a2b3c4d5e6f7001");
        Assert.Equal(HttpStatusCode.Forbidden, (await TokenAsync(narrow)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await TokenAsync(narrow)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/api/v1/component/access-token", narrow)).Status);
    }

    [Fact]
    public async Task AfterARefreshWritesANewToken_TheNextRequestReturnsIt()
    {
        var id = await BindAsync("老街面馆", AppId);
        var (_, secret) = await KeyAsync();
        var old = (await TokenAsync(secret)).Body.GetProperty("access_token").GetString();
        Assert.Equal(old, (await TokenAsync(secret)).Body.GetProperty("access_token").GetString());

        Assert.Equal(RefreshOutcome.Refreshed, await _h.Portal.Services.GetRequiredService<AuthorizerTokenRefresher>().RefreshAsync(id, "ops", CancellationToken.None));
        var renewed = await StoredTokenAsync(id);
        Assert.NotEqual(old, renewed);
        Assert.Equal(renewed, (await TokenAsync(secret)).Body.GetProperty("access_token").GetString());
    }

    [Fact]
    public async Task AnUnauthorizedAuthorizer_IsRefusedAtOnce()
    {
        await BindAsync("老街面馆", AppId);
        var (_, secret) = await KeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(secret)).Status);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(secret)).Status);

        // What the inbox does with WeChat's unauthorized push (and the refresher with 61003): from its return on, refused.
        _h.Emulator.Revoke(AppId);
        await _h.Portal.Services.GetRequiredService<OnboardingService>().RevokeAsync(AppId, CancellationToken.None);
        var (status, body) = await TokenAsync(secret);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("unknown_authorizer", body.GetProperty("code").GetString());
        Assert.Null(_h.Portal.Services.GetRequiredService<TokenCache>().Token(AppId, TimeSpan.Zero));
    }

    [Fact]
    public async Task AnUnauthorizedPush_StopsTheTokenFromBeingServed()
    {
        await BindAsync("老街面馆", AppId);
        var (_, secret) = await KeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(secret)).Status);

        // WeChat's unauthorized push through the event URL; the inbox processes it after answering success.
        _h.Emulator.Revoke(AppId);
        Assert.True(await _h.Portal.Services.GetRequiredService<Portal.WeChat.Emulator.Services.PushSender>().PushUnauthorizedAsync(AppId, CancellationToken.None));
        await StandaloneEmulator.WaitUntilAsync(async () => (await TokenAsync(secret)).Status == HttpStatusCode.NotFound, TimeSpan.FromSeconds(20));
        await using var db = await _h.DbAsync();
        Assert.False(await db.Authorizers.AnyAsync(a => a.AppId == AppId && a.IsAuthorized));
    }

    [Fact]
    public async Task ARevokedKey_IsRefusedAtOnce()
    {
        await BindAsync("老街面馆", AppId);
        var (key, secret) = await KeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(secret)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/v1/component/access-token", secret)).Status);

        await _h.Portal.Services.GetRequiredService<ApiKeyService>().RevokeAsync(await _h.ActorAsync("ops"), key.Id, CancellationToken.None);
        var (status, body) = await TokenAsync(secret);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("api_key_revoked", body.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/api/v1/component/access-token", secret)).Status);
    }

    [Fact]
    public async Task ATokenNearExpiry_IsNotServedFromTheCache()
    {
        var id = await BindAsync("老街面馆", AppId);
        var (_, secret) = await KeyAsync();
        var (_, first) = await TokenAsync(secret);
        var old = first.GetProperty("access_token").GetString();
        var expiresIn = first.GetProperty("expires_in").GetInt32();

        // 20 s left: inside the 30 s margin. The cache holds it, but a hit is checked against the clock every time.
        _clock.Advance(TimeSpan.FromSeconds(expiresIn - 20));
        Assert.NotNull(_h.Portal.Services.GetRequiredService<TokenCache>().Token(AppId, TimeSpan.Zero));
        var calls = RefreshCalls;
        var (status, after) = await TokenAsync(secret);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(old, after.GetProperty("access_token").GetString());
        Assert.True(after.GetProperty("expires_in").GetInt32() > 7000);
        Assert.Equal(calls + 1, RefreshCalls);
        Assert.Equal(await StoredTokenAsync(id), after.GetProperty("access_token").GetString());
    }

    [Fact]
    public async Task KeyUse_IsWrittenOffTheRequestPath_AboutOnceAMinute()
    {
        await BindAsync("老街面馆", AppId);
        var (key, secret) = await KeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(secret)).Status);
        await using (var db = await _h.DbAsync())
        {
            Assert.Null((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id)).LastUsedAt);
        }

        // A minute later the flusher writes it. Each probe moves the clock another minute: a flush that a loaded machine
        // started late, or that failed and waits for its next minute, is not mistaken for no flush at all.
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _h.Portal.WaitForAsync(async db =>
        {
            var used = (await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id)).LastUsedAt;
            if (used is null)
            {
                _clock.Advance(TimeSpan.FromMinutes(1));
            }

            return used;
        });
    }
}
