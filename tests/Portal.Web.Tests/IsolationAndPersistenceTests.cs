using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.WeChat.Protocol.Links;
using Portal.Web.Features.Component;
using Portal.Web.Features.Data;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Tests;

public sealed class OperatorIsolationTests(DefaultOnboardingHarness h) : IClassFixture<DefaultOnboardingHarness>
{
    [Fact]
    public async Task AnotherOperatorsShop_IsRefusedAtThePage()
    {
        using var operator2 = await h.SignedInClientAsync("operator2");
        var own = await operator2.GetAsync($"/stores/{await h.ShopIdAsync("城东书店")}");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Contains("城东书店", WebUtility.HtmlDecode(await own.Content.ReadAsStringAsync()));

        var other = await operator2.GetAsync($"/stores/{await h.ShopIdAsync("好味道餐厅·人民广场店")}");
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        var html = WebUtility.HtmlDecode(await other.Content.ReadAsStringAsync());
        Assert.Contains("无权访问", html);
        Assert.DoesNotContain("好味道餐厅·人民广场店", html);
    }

    [Fact]
    public async Task AnotherOperatorsShop_IsRefusedAtTheInviteEndpointAndTheService()
    {
        var foreign = await h.ShopIdAsync("好味道餐厅·人民广场店");
        using var operator2 = await h.SignedInClientAsync("operator2");
        var refused = await operator2.PostAsJsonAsync($"/api/shops/{foreign}/invites", new { authType = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var operator1 = await h.SignedInClientAsync("operator1");
        var allowed = await operator1.PostAsJsonAsync($"/api/shops/{foreign}/invites", new { authType = 1, categoryIds = new[] { 1, 2 } });
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        Assert.StartsWith("/onboarding/launch?invite=", (await allowed.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("launchUrl").GetString());

        using var admin = await h.SignedInClientAsync("admin");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/shops/{foreign}/invites", new { })).StatusCode);

        using var anonymous = new HttpClient { BaseAddress = new Uri(h.Portal.BaseUrl) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync($"/api/shops/{foreign}/invites", new { })).StatusCode);

        var ex = await Assert.ThrowsAsync<PortalException>(async () => await h.Onboarding.CreateInviteAsync(await h.ActorAsync("operator2"), foreign, new InviteRequest(AuthType.OfficialAccount, null, []), CancellationToken.None));
        Assert.Equal("forbidden", ex.Code);
    }

    [Fact]
    public async Task StoresList_ShowsAnOperatorOnlyTheirShops()
    {
        await using var db = await h.DbAsync();
        var operator2 = await h.ActorAsync("operator2");
        var visible = await ShopAccess.VisibleShops(db, operator2.User!).Select(s => s.Name).ToListAsync();
        Assert.Equal(new[] { "城东书店", "城东书店·新街口店", "花间花店", "老街面馆" }.Order(StringComparer.Ordinal), visible.Order(StringComparer.Ordinal));
        Assert.Equal(8, await ShopAccess.VisibleShops(db, (await h.ActorAsync("ops")).User!).CountAsync());
    }

    [Fact]
    public async Task AnonymousVisitor_IsSentToSignIn()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(h.Portal.BaseUrl) };
        var response = await anonymous.GetAsync("/stores");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task WrongPassword_IsRefusedAndAudited()
    {
        var ex = await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => h.SignedInClientAsync("operator1", "wrong-password-1"));
        Assert.Contains("用户名或密码不正确", WebUtility.HtmlDecode(ex.Message));
        await using var db = await h.DbAsync();
        Assert.True(await db.Audit.AnyAsync(a => a.Action == "account.sign_in_failed" && a.Actor == "operator1"));
    }
}

public sealed class PersistenceTests
{
    [Fact]
    public async Task Restart_KeepsTicketAndTokens_EncryptedInTheDatabaseFile()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        string ticket, componentToken, accessToken, refreshToken;
        await using (var first = OnboardingHarness.Create(dataDirectory: dataDirectory))
        {
            await first.InitializeAsync();
            var invite = await first.InviteAsync("好味道餐厅·人民广场店");
            Assert.Contains("授权成功", (await first.CallbackAsync(await first.AuthorizeAsync(invite, "wx1a2b3c4d5e6f7001"))).Html);
            componentToken = await first.Portal.Services.GetRequiredService<ComponentTokenService>().GetTokenAsync(CancellationToken.None);
            ticket = first.Emulator.CurrentTicket.Value!;
            refreshToken = first.Emulator.FindAuthorization("wx1a2b3c4d5e6f7001")!.RefreshToken;
            await using var db = await first.DbAsync();
            var protector = first.Portal.Services.GetRequiredService<TokenProtector>();
            accessToken = protector.Unprotect((await db.AuthorizerTokens.SingleAsync()).AccessTokenProtected!);
            await first.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        var file = await File.ReadAllBytesAsync(Path.Combine(dataDirectory, "portal.db"));
        var wal = Path.Combine(dataDirectory, "portal.db-wal");
        var all = Encoding.UTF8.GetString(file) + (File.Exists(wal) ? Encoding.UTF8.GetString(await File.ReadAllBytesAsync(wal)) : string.Empty);
        foreach (var secret in new[] { ticket, componentToken, accessToken, refreshToken })
        {
            Assert.DoesNotContain(secret, all);
        }

        await using (var raw = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "portal.db")};Mode=ReadOnly"))
        {
            await raw.OpenAsync();
            var command = raw.CreateCommand();
            command.CommandText = "SELECT AccessTokenProtected || '|' || RefreshTokenProtected FROM AuthorizerTokens UNION ALL SELECT TicketProtected || '|' || AccessTokenProtected FROM ComponentCredentials";
            await using var reader = await command.ExecuteReaderAsync();
            var rows = 0;
            while (await reader.ReadAsync())
            {
                rows++;
                var value = reader.GetString(0);
                Assert.StartsWith("CfDJ8", value);
                Assert.DoesNotContain(accessToken, value);
                Assert.DoesNotContain(refreshToken, value);
            }

            Assert.Equal(2, rows);
        }

        SqliteConnection.ClearAllPools();
        using (var second = new PortalFactory(new Dictionary<string, string?> { ["WeChat:Emulator:AutoPushTickets"] = "false" }, dataDirectory: dataDirectory))
        {
            await using (var db = await second.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            {
                var protector = second.Services.GetRequiredService<TokenProtector>();
                var credential = await db.ComponentCredentials.SingleAsync();
                Assert.Equal(ticket, protector.Unprotect(credential.TicketProtected!));
                Assert.Equal(componentToken, protector.Unprotect(credential.AccessTokenProtected!));
                var token = await db.AuthorizerTokens.SingleAsync();
                Assert.Equal(accessToken, protector.Unprotect(token.AccessTokenProtected!));
                Assert.Equal(refreshToken, protector.Unprotect(token.RefreshTokenProtected));
            }

            Assert.Equal(componentToken, await second.Services.GetRequiredService<ComponentTokenService>().GetTokenAsync(CancellationToken.None));
        }

        // The second host is stopped first: its background work (jobs, inbox workers, checkpoints) writes in the directory.
        SqliteConnection.ClearAllPools();
        Directory.Delete(dataDirectory, recursive: true);
    }
}

public sealed class SchemaTests
{
    [Fact]
    public async Task Migrations_MatchTheModel_AndCreateTheSchema()
    {
        using var factory = new PortalFactory(new Dictionary<string, string?> { ["Portal:Database:Provider"] = "Sqlite" });
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes without a migration: add one with dotnet ef migrations add");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Contains("20261122032906_Initial", await db.Database.GetAppliedMigrationsAsync());

        var tables = await db.Database.SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'table'").ToListAsync();
        foreach (var entity in db.Model.GetEntityTypes().Where(e => e.GetTableName() is not null))
        {
            Assert.Contains(entity.GetTableName()!, tables);
        }
    }
}
