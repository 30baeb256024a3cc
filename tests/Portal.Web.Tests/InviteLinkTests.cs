using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;
using Portal.WeChat.Protocol.Links;
using Portal.Web.Features.Component;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Tests;

/// <summary>Short invitation links (what the QR code carries) and ops' re-invitation of a store's bound account.</summary>
public sealed class InviteLinkTests(DefaultOnboardingHarness h) : IClassFixture<DefaultOnboardingHarness>
{
    [Fact]
    public async Task AnInvitationLink_IsShort_StoredOnlyAsItsHash_AndOpensOnlyItsOwnInvitation()
    {
        var invite = await h.InviteAsync("晨光咖啡·西湖店");
        var other = await h.InviteAsync("晨光咖啡·西湖店");

        Assert.Equal(InviteTokens.Length, invite.Token.Length);
        Assert.NotEqual(invite.Token, other.Token);
        Assert.True(invite.LaunchPath.Length <= 50, invite.LaunchPath);
        Assert.True(("https://portal.example.com" + invite.LaunchPath).Length <= 80);

        await using (var db = await h.DbAsync())
        {
            var stored = await db.Invites.AsNoTracking().SingleAsync(i => i.Id == invite.Id);
            Assert.Equal(InviteTokens.Hash(invite.Token), stored.TokenHash);
            Assert.DoesNotContain(invite.Token, System.Text.Json.JsonSerializer.Serialize(stored));
        }

        Assert.Equal(invite.Id, (await h.Onboarding.ResolveAsync(invite.Token, CancellationToken.None)).Id);
        Assert.Equal(other.Id, (await h.Onboarding.ResolveAsync(other.Token, CancellationToken.None)).Id);

        // A well-formed guess, and the real token with one character changed, open nothing.
        var guessed = await Assert.ThrowsAsync<PortalException>(() => h.Onboarding.ResolveAsync("AAAAAAAAAAAAAAAAAAAAAA", CancellationToken.None));
        Assert.Equal("invite_invalid", guessed.Code);
        var altered = invite.Token[..^1] + (invite.Token[^1] == 'a' ? 'b' : 'a');
        Assert.Equal("invite_invalid", (await Assert.ThrowsAsync<PortalException>(() => h.Onboarding.ResolveAsync(altered, CancellationToken.None))).Code);
    }

    [Fact]
    public async Task ALinkMadeBeforeShortLinks_StillOpensItsInvitation_ButNotOneMadeWithAShortLink()
    {
        var legacy = h.Portal.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Portal.Invites.v1");
        var old = await h.InviteAsync("晨光咖啡·滨江店");
        await using (var db = await h.DbAsync())
        {
            await db.Invites.Where(i => i.Id == old.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.TokenHash, (string?)null));
        }

        Assert.Equal(old.Id, (await h.Onboarding.ResolveAsync(legacy.Protect(old.Id.ToString("N")), CancellationToken.None)).Id);

        var current = await h.InviteAsync("晨光咖啡·滨江店");
        var byId = await Assert.ThrowsAsync<PortalException>(() => h.Onboarding.ResolveAsync(legacy.Protect(current.Id.ToString("N")), CancellationToken.None));
        Assert.Equal("invite_invalid", byId.Code);
    }

    [Fact]
    public async Task OpsReinvitation_AsksForWhatTheBoundAccountGrantedPlusTheRequiredSets_AndOnlyForThatAccount()
    {
        const string appId = "wx1a2b3c4d5e6f7003";
        var shopId = await h.ShopIdAsync("好味道餐厅·人民广场店");
        var first = await h.InviteAsync("好味道餐厅·人民广场店", AuthType.OfficialAccount);
        var redirect = await h.AuthorizeAsync(first, appId);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await h.CallbackAsync(redirect)).Status);
        await h.WaitForInviteAsync(first.Id, InviteStatus.Completed);

        var ops = await h.ActorAsync("ops");
        var reinvite = await h.Onboarding.CreateAccountReinviteAsync(ops, shopId, appId, CancellationToken.None);

        await using var db = await h.DbAsync();
        var authorizer = await db.Authorizers.AsNoTracking().Include(a => a.Permissions).SingleAsync(a => a.AppId == appId);
        var required = h.Portal.Services.GetRequiredService<IOptionsMonitor<OnboardingOptions>>().CurrentValue.RequiredFor(authorizer.Kind);
        var expected = authorizer.Permissions.Select(p => p.SetId).Union(required).Order().ToList();
        Assert.NotEmpty(authorizer.Permissions);
        var stored = await db.Invites.AsNoTracking().SingleAsync(i => i.Id == reinvite.Id);
        Assert.Equal(string.Join('|', expected), stored.CategoryIds);
        Assert.Equal(appId, stored.BizAppId);
        Assert.Equal((int)AuthType.OfficialAccount, stored.AuthType);

        // Another account (not the one bound to this store) is refused, and so is an operator outside the store's scope.
        var notBound = await Assert.ThrowsAsync<PortalException>(() => h.Onboarding.CreateAccountReinviteAsync(ops, shopId, "wx1a2b3c4d5e6f7001", CancellationToken.None));
        Assert.Equal("forbidden", notBound.Code);
        var outsider = await Assert.ThrowsAsync<PortalException>(async () => await h.Onboarding.CreateAccountReinviteAsync(await h.ActorAsync("operator2"), shopId, appId, CancellationToken.None));
        Assert.Equal("forbidden", outsider.Code);
        Assert.False(await db.Invites.AnyAsync(i => i.ShopId == shopId && i.Id != first.Id && i.Id != reinvite.Id));
    }
}
