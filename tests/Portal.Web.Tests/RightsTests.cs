using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Entities;
using Portal.WeChat.Emulator;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Component;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.KeepAlive.Jobs;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Tests;

/// <summary>
/// Rights end when they are taken away: every privileged service re-reads the actor's account, roles and shops from
/// the database, whatever principal an open page still holds; and an API key reads only what it was issued for.
/// </summary>
public sealed class RightsTests(RightsTests.Harness h) : IClassFixture<RightsTests.Harness>
{
    public sealed class Harness() : OnboardingHarness(null, null);

    private ApiKeyService Keys => h.Portal.Services.GetRequiredService<ApiKeyService>();

    private UserAdminService Users => h.Portal.Services.GetRequiredService<UserAdminService>();

    [Fact]
    public async Task DisabledOpsUser_WithThePrincipalOfAnOpenPage_CannotCreateOrRevokeApiKeys()
    {
        var admin = await h.ActorAsync("admin");
        var staleOps = await h.ActorAsync("ops");
        var (key, _) = await Keys.CreateAsync(staleOps, new ApiKeyRequest("before", true, false, []), CancellationToken.None);

        await Users.SetDisabledAsync(admin, await UserIdAsync("ops"), true, CancellationToken.None);
        try
        {
            var create = await Assert.ThrowsAsync<PortalException>(() => Keys.CreateAsync(staleOps, new ApiKeyRequest("after", true, true, []), CancellationToken.None));
            Assert.Equal("forbidden", create.Code);
            Assert.Equal("forbidden", (await Assert.ThrowsAsync<PortalException>(() => Keys.RevokeAsync(staleOps, key.Id, CancellationToken.None))).Code);
            Assert.Equal("forbidden", (await Assert.ThrowsAsync<PortalException>(() => Keys.ListAsync(staleOps, CancellationToken.None))).Code);
            await using var db = await h.DbAsync();
            Assert.False(await db.ApiKeys.AnyAsync(k => k.Name == "after"));
            Assert.Null((await db.ApiKeys.SingleAsync(k => k.Id == key.Id)).RevokedAt);
        }
        finally
        {
            await Users.SetDisabledAsync(admin, await UserIdAsync("ops"), false, CancellationToken.None);
        }
    }

    [Fact]
    public async Task DisabledOpsUser_WithThePrincipalOfAnOpenPage_CannotControlJobsRefreshOrResync()
    {
        var admin = await h.ActorAsync("admin");
        var staleOps = await h.ActorAsync("ops");
        var console = h.Portal.Services.GetRequiredService<OpsConsole>();
        await using (var db = await h.DbAsync())
        {
            Assert.False(await db.JobPauses.AnyAsync());
        }

        await Users.SetDisabledAsync(admin, await UserIdAsync("ops"), true, CancellationToken.None);
        try
        {
            var runsBefore = await RunCountAsync();
            Assert.Equal("forbidden", (await Assert.ThrowsAsync<PortalException>(() => console.RunNowAsync(RefreshAuthorizerTokensJob.JobName, staleOps, CancellationToken.None))).Code);
            Assert.Equal("forbidden", (await Assert.ThrowsAsync<PortalException>(() => console.PauseAsync(TicketWatchdogJob.JobName, true, staleOps, CancellationToken.None))).Code);
            Assert.Equal("forbidden", (await Assert.ThrowsAsync<PortalException>(() => console.ForceRefreshAsync("wx1a2b3c4d5e6f7001", staleOps, CancellationToken.None))).Code);
            Assert.Equal("forbidden", (await Assert.ThrowsAsync<PortalException>(() => console.StartResyncAsync("wx1a2b3c4d5e6f7001", staleOps, CancellationToken.None))).Code);
            Assert.Equal(runsBefore, await RunCountAsync());
            await using var db = await h.DbAsync();
            Assert.False(await db.JobPauses.AnyAsync());
        }
        finally
        {
            await Users.SetDisabledAsync(admin, await UserIdAsync("ops"), false, CancellationToken.None);
        }

        var operatorActor = await h.ActorAsync("operator1");
        Assert.Equal("forbidden", (await Assert.ThrowsAsync<PortalException>(() => console.RunNowAsync(RefreshAuthorizerTokensJob.JobName, operatorActor, CancellationToken.None))).Code);
    }

    private async Task<int> RunCountAsync()
    {
        await using var db = await h.DbAsync();
        return await db.JobRuns.CountAsync();
    }

    [Fact]
    public async Task DemotedAdmin_WithTheOldPrincipal_CannotManageUsers()
    {
        var admin = await h.ActorAsync("admin");
        var secondId = await Users.CreateAsync(admin, new UserInput("admin2", "Second admin", "Portal-demo-2026x", [Features.Identity.Roles.Admin], []), CancellationToken.None);
        var staleSecond = await h.ActorAsync("admin2");
        Assert.NotEmpty(await Users.ListAsync(staleSecond, CancellationToken.None));

        await Users.UpdateAsync(admin, secondId, new UserInput("admin2", "Second admin", null, [Features.Identity.Roles.Ops], []), CancellationToken.None);

        Assert.Equal("forbidden", (await Assert.ThrowsAsync<PortalException>(() => Users.ListAsync(staleSecond, CancellationToken.None))).Code);
        var escalate = Users.UpdateAsync(staleSecond, secondId, new UserInput("admin2", "Second admin", null, [Features.Identity.Roles.Admin], []), CancellationToken.None);
        Assert.Equal("forbidden", (await Assert.ThrowsAsync<PortalException>(() => escalate)).Code);
        using var scope = h.Portal.Services.CreateScope();
        var manager = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        Assert.False(await manager.IsInRoleAsync((await manager.FindByIdAsync(secondId))!, Features.Identity.Roles.Admin));
    }

    [Fact]
    public async Task OperatorWhoseShopWasTakenAway_CannotInviteForIt_EvenFromAnOpenPage()
    {
        var admin = await h.ActorAsync("admin");
        var staleOperator = await h.ActorAsync("operator2");
        var shopId = await h.ShopIdAsync("花间花店");
        var kept = await h.ShopIdAsync("城东书店");
        await h.Onboarding.CreateInviteAsync(staleOperator, shopId, new InviteRequest(null, null, []), CancellationToken.None);

        var operatorId = await UserIdAsync("operator2");
        var before = (await Users.ListAsync(admin, CancellationToken.None)).Single(u => u.Id == operatorId);
        await Users.UpdateAsync(admin, operatorId, new UserInput("operator2", before.DisplayName, null, before.Roles.ToList(), [kept]), CancellationToken.None);
        try
        {
            var refused = await Assert.ThrowsAsync<PortalException>(() => h.Onboarding.CreateInviteAsync(staleOperator, shopId, new InviteRequest(null, null, []), CancellationToken.None));
            Assert.Equal("forbidden", refused.Code);
            await h.Onboarding.CreateInviteAsync(staleOperator, kept, new InviteRequest(null, null, []), CancellationToken.None);
        }
        finally
        {
            await Users.UpdateAsync(admin, operatorId, new UserInput("operator2", before.DisplayName, null, before.Roles.ToList(), before.ShopIds.ToList()), CancellationToken.None);
        }
    }

    [Fact]
    public async Task ApiKeys_ReadOnlyWhatTheirScopeNames()
    {
        h.Emulator.PushTimingOverride = AuthorizationPushTiming.Concurrent;
        Assert.Contains("授权成功", (await h.CallbackAsync(await h.AuthorizeAsync(await h.InviteAsync("好味道餐厅·人民广场店"), "wx1a2b3c4d5e6f7001"))).Html);
        Assert.Contains("授权成功", (await h.CallbackAsync(await h.AuthorizeAsync(await h.InviteAsync("晨光咖啡·西湖店"), "wx1a2b3c4d5e6f7002"))).Html);
        var ops = await h.ActorAsync("ops");
        var (_, componentOnly) = await Keys.CreateAsync(ops, new ApiKeyRequest("component only", true, false, []), CancellationToken.None);
        var (_, listed) = await Keys.CreateAsync(ops, new ApiKeyRequest("one shop", false, false, ["wx1a2b3c4d5e6f7001"]), CancellationToken.None);
        var (_, all) = await Keys.CreateAsync(ops, new ApiKeyRequest("all authorizers", false, true, []), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, await GetAsync("/api/v1/component/access-token", componentOnly));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/v1/authorizers/wx1a2b3c4d5e6f7001/access-token", componentOnly));

        Assert.Equal(HttpStatusCode.OK, await GetAsync("/api/v1/authorizers/wx1a2b3c4d5e6f7001/access-token", listed));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/v1/authorizers/wx1a2b3c4d5e6f7002/access-token", listed));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/v1/authorizers/wx0000000000000000/access-token", listed));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/v1/component/access-token", listed));

        Assert.Equal(HttpStatusCode.OK, await GetAsync("/api/v1/authorizers/wx1a2b3c4d5e6f7002/access-token", all));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/v1/component/access-token", all));

        var none = await Assert.ThrowsAsync<PortalException>(() => Keys.CreateAsync(ops, new ApiKeyRequest("nothing", false, false, []), CancellationToken.None));
        Assert.Equal("bad_key_scope", none.Code);
        var bad = await Assert.ThrowsAsync<PortalException>(() => Keys.CreateAsync(ops, new ApiKeyRequest("bad", false, false, ["not-an-appid"]), CancellationToken.None));
        Assert.Equal("bad_key_appids", bad.Code);
        var operatorKey = await Assert.ThrowsAsync<PortalException>(async () => await Keys.CreateAsync(await h.ActorAsync("operator1"), new ApiKeyRequest("mine", true, true, []), CancellationToken.None));
        Assert.Equal("forbidden", operatorKey.Code);
    }

    private async Task<HttpStatusCode> GetAsync(string path, string secret)
    {
        using var http = new HttpClient { BaseAddress = new Uri(h.Portal.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<string> UserIdAsync(string userName)
    {
        await using var db = await h.DbAsync();
        return await db.Users.Where(u => u.UserName == userName).Select(u => u.Id).SingleAsync();
    }
}
