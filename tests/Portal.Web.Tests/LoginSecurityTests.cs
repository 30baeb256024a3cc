using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.Web.Features.Component;
using Portal.Web.Features.Identity;
using Portal.Web.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>
/// Holes 7 and 8: one answer and one cost for every failed sign-in, throttling per address and account before the
/// lockout, a last admin nobody can lock out, 429s with Retry-After, capped audit fields. Low limits throughout.
/// </summary>
public sealed class LoginSecurityTests
{
    private static readonly Dictionary<string, string?> LowLimits = new()
    {
        ["RateLimits:LoginPerIp:PermitLimit"] = "1000",
        ["RateLimits:LoginPerIpAndAccount:PermitLimit"] = "3",
        ["RateLimits:LockoutAfterFailures"] = "4",
        ["RateLimits:TokenApiPerIp:PermitLimit"] = "2",
        ["RateLimits:TokenApiPerIp:Window"] = "00:10:00",
        ["RateLimits:LaunchPerInvite:PermitLimit"] = "2",
        ["RateLimits:LaunchPerIp:PermitLimit"] = "3",
        ["RateLimits:InvitesPerUser:PermitLimit"] = "2",
        ["RateLimits:InvitesPerIp:PermitLimit"] = "3",
    };

    private static async Task<string> MessageOfAsync(HttpResponseMessage response)
        => new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync()).QuerySelector("[data-login] [role='alert']")?.TextContent.Trim() ?? "(none)";

    private static async Task CreateUserAsync(PortalFactory factory, string name, Action<PortalUser>? change = null, string role = Roles.Operator)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = new PortalUser { UserName = name, DisplayName = name };
        Assert.True((await users.CreateAsync(user, TestClients.DemoPassword)).Succeeded);
        await users.AddToRoleAsync(user, role);
        change?.Invoke(user);
        await users.UpdateAsync(user);
    }

    [Fact]
    public async Task WrongPassword_GetsOneAnswer_ForExistingUnknownLockedAndDisabledUsers()
    {
        using var factory = new ClientAddressPortalFactory(LowLimits);
        var client = factory.NewClient();
        await CreateUserAsync(factory, "u-disabled", u => u.IsDisabled = true);
        await CreateUserAsync(factory, "u-locked", u => u.LockoutEnd = DateTimeOffset.UtcNow.AddHours(1));

        var answers = new List<(HttpStatusCode, string)>();
        foreach (var (user, ip) in new[] { ("operator1", "10.1.0.1"), ("no-such-user", "10.1.0.2"), ("u-locked", "10.1.0.3"), ("u-disabled", "10.1.0.4") })
        {
            var response = await client.PostLoginAsync(user, "wrong-password-0", ip);
            answers.Add((response.StatusCode, await MessageOfAsync(response)));
        }

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "用户名或密码不正确。"), a));

        // Only the right password learns why it cannot sign in.
        Assert.Equal("此帐号已停用，请联系管理员。", await MessageOfAsync(await client.PostLoginAsync("u-disabled", TestClients.DemoPassword, "10.1.0.5")));
        Assert.Equal("登录失败次数过多，帐号已暂时锁定，请稍后再试。", await MessageOfAsync(await client.PostLoginAsync("u-locked", TestClients.DemoPassword, "10.1.0.6")));
    }

    /// <summary>Counts password-hash verifications (delegating to the real hasher).</summary>
    private sealed class CountingHasher : IPasswordHasher<PortalUser>
    {
        private readonly PasswordHasher<PortalUser> _inner = new();

        public int Verifications;

        public string HashPassword(PortalUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(PortalUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref Verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    private sealed class CountingFactory(CountingHasher hasher) : ClientAddressPortalFactory(null)
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IPasswordHasher<PortalUser>>(hasher));
        }
    }

    [Fact]
    public async Task UnknownAndExistingUsers_CostTheSame()
    {
        var hasher = new CountingHasher();
        using var factory = new CountingFactory(hasher);
        var client = factory.NewClient();
        await client.PostLoginAsync("warm-up", "x", "10.2.0.1");

        // The work: exactly one PBKDF2 verification for an unknown name, as for a known one (before: none).
        foreach (var (user, ip) in new[] { ("operator2", "10.2.1.1"), ("nobody-here-at-all", "10.2.1.2") })
        {
            var before = hasher.Verifications;
            await client.PostLoginAsync(user, "wrong-password", ip);
            Assert.True(hasher.Verifications - before == 1, $"{user}: {hasher.Verifications - before} password verifications");
        }

        // The clock, interleaved so both see the same load (before: 447 ms against 66 ms).
        var existing = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            foreach (var (user, times) in new[] { ("operator2", existing), ("nobody-here-at-all", unknown) })
            {
                var stopwatch = System.Diagnostics.Stopwatch.StartNew();
                await client.PostLoginAsync(user, "wrong-password-" + i, $"10.2.{times.Count + 2}.{(user.Length % 2) + 1}");
                times.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var ratio = Median(unknown) / Median(existing);
        Assert.True(ratio is > 0.4 and < 2.5, $"existing {Median(existing):F0} ms, unknown {Median(unknown):F0} ms");
    }

    [Fact]
    public async Task FailuresFromOneAddress_AreThrottledBeforeTheLockout_AndNobodyCanLockOutTheLastAdmin()
    {
        using var factory = new ClientAddressPortalFactory(LowLimits);
        var client = factory.NewClient();
        await CreateUserAsync(factory, "victim");

        // One address: three failures, then 429 with Retry-After, and the account is not locked.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostLoginAsync("victim", "wrong-password", "10.3.0.1")).StatusCode);
        }

        var throttled = await client.PostLoginAsync("victim", TestClients.DemoPassword, "10.3.0.1");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(int.Parse(throttled.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("请求过于频繁", await MessageOfAsync(throttled));
        Assert.Equal(HttpStatusCode.Redirect, (await factory.NewClient().PostLoginAsync("victim", TestClients.DemoPassword, "10.3.0.2")).StatusCode);

        // Many addresses (a botnet) can lock an ordinary account...
        for (var i = 0; i < 4; i++)
        {
            await client.PostLoginAsync("victim", "wrong-password", $"10.4.0.{i + 1}");
        }

        Assert.Equal("登录失败次数过多，帐号已暂时锁定，请稍后再试。", await MessageOfAsync(await client.PostLoginAsync("victim", TestClients.DemoPassword, "10.4.1.1")));

        // ...but never the last active admin.
        for (var i = 0; i < 12; i++)
        {
            await client.PostLoginAsync("admin", "wrong-password", $"10.5.0.{i + 1}");
        }

        Assert.Equal(HttpStatusCode.Redirect, (await factory.NewClient().PostLoginAsync("admin", TestClients.DemoPassword, "10.5.1.1")).StatusCode);
        using var scope = factory.Services.CreateScope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByNameAsync("admin");
        Assert.False(await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().IsLockedOutAsync(admin!));
    }

    [Fact]
    public async Task SignInPostsPerAddress_AreRateLimited_WithAPage()
    {
        using var factory = new ClientAddressPortalFactory(new Dictionary<string, string?> { ["RateLimits:LoginPerIp:PermitLimit"] = "3" });
        var client = factory.NewClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostLoginAsync($"someone{i}", "wrong-password", "10.6.0.1")).StatusCode);
        }

        var refused = await client.PostLoginAsync("someone", "wrong-password", "10.6.0.1");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.StartsWith("text/html", refused.Content.Headers.ContentType!.ToString());
        Assert.Contains("请求过于频繁", await refused.Content.ReadAsStringAsync());
        Assert.True(refused.Headers.Contains("Content-Security-Policy"));

        // Showing the page stays free, and another address is not affected.
        using var page = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        page.Headers.Add(ClientAddressPortalFactory.Header, "10.6.0.1");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(page)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostLoginAsync("someone", "wrong-password", "10.6.0.2")).StatusCode);
    }

    [Fact]
    public async Task TokenApi_IsRateLimitedPerAddress_WithJson()
    {
        using var factory = new ClientAddressPortalFactory(LowLimits);
        var client = factory.NewClient();
        HttpResponseMessage last = default!;
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/component/access-token");
            request.Headers.Add(ClientAddressPortalFactory.Header, "10.7.0.1");
            last = await client.SendAsync(request);
            if (i < 2)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, last.StatusCode);
            }
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.NotNull(last.Headers.RetryAfter);
        using var json = JsonDocument.Parse(await last.Content.ReadAsStringAsync());
        Assert.Equal("rate_limited", json.RootElement.GetProperty("error").GetString());
        Assert.True(json.RootElement.GetProperty("retryAfterSeconds").GetInt32() > 0);
    }

    [Fact]
    public async Task InvitationApi_IsRateLimitedPerUser_WithJson()
    {
        using var factory = new ClientAddressPortalFactory(LowLimits);
        int shopId;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var userId = await db.Users.Where(u => u.UserName == "operator1").Select(u => u.Id).SingleAsync();
            shopId = await db.OperatorShops.Where(s => s.UserId == userId).Select(s => s.ShopId).FirstAsync();
        }

        var client = await factory.SignInAsync("operator1");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.PostAsJsonAsync($"/api/shops/{shopId}/invites", new { authType = 1 })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
        var refused = await client.PostAsJsonAsync($"/api/shops/{shopId}/invites", new { authType = 1 });
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("rate_limited", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public void LaunchClicksAndInvitations_AreLimitedPerInvitationUserAndAddress()
    {
        using var factory = new PortalFactory(LowLimits);
        var limits = factory.Services.GetRequiredService<ActionLimits>();

        limits.EnsureLaunchAllowed("invite-a", "10.8.0.1");
        limits.EnsureLaunchAllowed("invite-a", "10.8.0.2");
        var perInvite = Assert.Throws<PortalException>(() => limits.EnsureLaunchAllowed("invite-a", "10.8.0.3"));
        Assert.Equal(ActionLimits.Code, perInvite.Code);
        Assert.Equal(FailureCode.RateLimited, perInvite.Failure);
        Assert.InRange(Assert.IsType<int>(Assert.Single(perInvite.Arguments)), 1, 3600);
        limits.EnsureLaunchAllowed("invite-b", "10.8.0.9");
        limits.EnsureLaunchAllowed("invite-c", "10.8.0.9");
        limits.EnsureLaunchAllowed("invite-d", "10.8.0.9");
        Assert.Equal(ActionLimits.Code, Assert.Throws<PortalException>(() => limits.EnsureLaunchAllowed("invite-e", "10.8.0.9")).Code);

        limits.EnsureInviteAllowed("operator1", "10.9.0.1");
        limits.EnsureInviteAllowed("operator1", "10.9.0.2");
        Assert.Equal(ActionLimits.Code, Assert.Throws<PortalException>(() => limits.EnsureInviteAllowed("OPERATOR1", "10.9.0.3")).Code);
        limits.EnsureInviteAllowed("operator2", "10.9.0.3");
    }

    [Fact]
    public void RateLimits_ThatWouldLetOneAddressLockAnAccount_StopStartNamingTheKeys()
    {
        var settings = new Dictionary<string, string?> { ["RateLimits:LoginPerIpAndAccount:PermitLimit"] = "10", ["RateLimits:LockoutAfterFailures"] = "5" };
        using var factory = new PortalFactory(settings);
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var message = StartFailure.MessageOf(ex, () => new RateLimitOptionsValidator().Validate(null, StartFailure.Bind<RateLimitOptions>(settings, RateLimitOptions.SectionName)).FailureMessage);
        Assert.Contains("RateLimits:LoginPerIpAndAccount:PermitLimit must be below RateLimits:LockoutAfterFailures", message);
    }

    [Fact]
    public async Task AMegabyteUserName_StoresACappedAuditRow()
    {
        using var factory = new ClientAddressPortalFactory(null);
        var huge = new string('x', 1_000_000);
        var response = await factory.NewClient().PostLoginAsync(huge, "wrong-password", "10.10.0.1");
        Assert.True((int)response.StatusCode < 500, $"answered {(int)response.StatusCode}");
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var longest = await db.Audit.Select(a => a.Actor.Length + (a.Detail ?? "").Length + (a.Target ?? "").Length).MaxAsync();
        Assert.InRange(longest, 1, 128 + 2000 + 256);
        Assert.True(await db.Audit.AnyAsync(a => a.Actor.StartsWith("xxxx") && a.Action == "account.sign_in_failed"));
    }
}
