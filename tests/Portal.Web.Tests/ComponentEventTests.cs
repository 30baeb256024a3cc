using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.WeChat.Protocol.Crypto;
using Portal.Web.Features.Component;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Tests;

/// <summary>POST /wechat/component/events: what WeChat sends is accepted once; anything else gets a 4xx and changes nothing.</summary>
public sealed class ComponentEventTests(DefaultPortalFactory factory) : IClassFixture<DefaultPortalFactory>
{
    private WeChatOptions Options => factory.Services.GetRequiredService<IOptions<WeChatOptions>>().Value;

    private MessageCrypto Crypto => new(Options.Token, EncodingAesKey.Parse(Options.EncodingAesKey), Options.ComponentAppId);

    private static string Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private string TicketXml(string ticket, long createTime)
        => $"<xml><AppId><![CDATA[{Options.ComponentAppId}]]></AppId>\n<CreateTime>{createTime}</CreateTime>\n<InfoType><![CDATA[component_verify_ticket]]></InfoType>\n<ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket>\n</xml>";

    /// <summary>A push signed exactly as WeChat signs it, with the query and body given back for tampering.</summary>
    private (string Query, string Body) Sign(string plainXml, string? timestamp = null, string? nonce = null, string? envelopeAppId = null)
    {
        timestamp ??= Now;
        nonce ??= MessageCrypto.NewNonce();
        var encrypted = Crypto.Encrypt(plainXml, timestamp, nonce);
        var query = $"signature={Crypto.ComputeUrlSignature(timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}&encrypt_type=aes&msg_signature={encrypted.MsgSignature}";
        return (query, $"<xml><AppId><![CDATA[{envelopeAppId ?? Options.ComponentAppId}]]></AppId><Encrypt><![CDATA[{encrypted.Encrypt}]]></Encrypt></xml>");
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string query, string body)
    {
        var response = await factory.CreateClient().PostAsync("/wechat/component/events?" + query, new StringContent(body, Encoding.UTF8, "text/xml"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<int> InboxCountAsync()
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Inbox.CountAsync();
    }

    [Fact]
    public async Task ValidTicketPush_IsAnsweredSuccess_StoredOnce_AndProcessed()
    {
        var ticket = "ticket@@@" + Guid.NewGuid().ToString("N");
        var xml = TicketXml(ticket, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1000);
        var (query, body) = Sign(xml);
        var first = await PostAsync(query, body);
        Assert.Equal((HttpStatusCode.OK, "success"), first);

        // WeChat's retry of the same push is signed afresh: accepted, but still one row.
        var (retryQuery, retryBody) = Sign(xml);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(retryQuery, retryBody));

        var message = await factory.WaitForAsync(db => db.Inbox.FirstOrDefaultAsync(m => m.Status == InboxStatus.Processed && m.InfoType == "component_verify_ticket"));
        Assert.DoesNotContain("ticket@@@", message.PayloadProtected);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var protector = factory.Services.GetRequiredService<Portal.Web.Features.Data.TokenProtector>();
        Assert.Equal(1, db.Inbox.AsEnumerable().Count(m => protector.Unprotect(m.PayloadProtected) == xml));
        await factory.WaitForAsync(async d => (await d.ComponentCredentials.FirstOrDefaultAsync()) is { TicketProtected: { } t } && protector.Unprotect(t) == ticket ? "stored" : null);
    }

    [Fact]
    public async Task OlderTicket_NeverOverwritesANewerOne()
    {
        using var own = new PortalFactory(null);
        var protector = own.Services.GetRequiredService<Portal.Web.Features.Data.TokenProtector>();
        var tokens = own.Services.GetRequiredService<ComponentTokenService>();
        var newer = DateTimeOffset.UtcNow.AddHours(1);
        Assert.True(await tokens.StoreTicketAsync("ticket@@@newer", newer, CancellationToken.None));
        Assert.False(await tokens.StoreTicketAsync("ticket@@@older", newer.AddMinutes(-10), CancellationToken.None));
        await using var db = await own.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal("ticket@@@newer", protector.Unprotect((await db.ComponentCredentials.SingleAsync()).TicketProtected!));
    }

    [Fact]
    public async Task ReplayedPush_IsRefused()
    {
        var (query, body) = Sign(TicketXml("ticket@@@replay", 1));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(query, body)).Status);
        var count = await InboxCountAsync();
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(query, body)).Status);
        Assert.Equal(count, await InboxCountAsync());
    }

    [Fact]
    public async Task ForgedMalformedStaleOversizedAndXxePushes_Get4xxAndChangeNothing()
    {
        var count = await InboxCountAsync();
        var (query, body) = Sign(TicketXml("ticket@@@forged", 2));

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(query.Replace("msg_signature=", "msg_signature=0", StringComparison.Ordinal), body)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(query.Replace("signature=", "signature=0", StringComparison.Ordinal), body)).Status);
        var otherKey = new MessageCrypto(Options.Token, EncodingAesKey.Parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"), Options.ComponentAppId);
        var ts = Now;
        var forged = otherKey.Encrypt(TicketXml("ticket@@@forged", 2), ts, "1234");
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync($"signature=x&timestamp={ts}&nonce=1234&encrypt_type=aes&msg_signature={forged.MsgSignature}", $"<xml><AppId>{Options.ComponentAppId}</AppId><Encrypt>{forged.Encrypt}</Encrypt></xml>")).Status);

        var stale = Sign(TicketXml("ticket@@@stale", 3), timestamp: DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(stale.Query, stale.Body)).Status);

        var wrongAppId = Sign(TicketXml("ticket@@@x", 4), envelopeAppId: "wx0000000000000000");
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(wrongAppId.Query, wrongAppId.Body)).Status);

        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(query, "<xml><AppId>")).Status);
        var xxe = $"<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><AppId>&x;</AppId><Encrypt>abc</Encrypt></xml>";
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(query, xxe)).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostAsync(query, "<xml>" + new string('A', 70_000) + "</xml>")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(query.Replace("encrypt_type=aes", "encrypt_type=raw", StringComparison.Ordinal), body)).Status);

        // (An authentic push that decrypts but is not a push is kept as a poison item: PushHardeningTests.)
        Assert.Equal(count, await InboxCountAsync());
    }

    [Fact]
    public async Task UnknownInfoType_IsKeptNotDropped()
    {
        var xml = $"<xml><AppId><![CDATA[{Options.ComponentAppId}]]></AppId><CreateTime>5</CreateTime><InfoType><![CDATA[notify_third_fasteregister]]></InfoType><appid>wxnew</appid></xml>";
        var (query, body) = Sign(xml);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(query, body));
        await factory.WaitForAsync(db => db.Inbox.FirstOrDefaultAsync(m => m.InfoType == "notify_third_fasteregister" && m.Status == InboxStatus.Processed));
    }

    [Fact]
    public async Task APush_PrunesNothing_ThePruneJobRemovesOnlyExpiredReplayGuardRows()
    {
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var now = DateTimeOffset.UtcNow;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.ReplayGuard.AddRange(Enumerable.Range(0, 20_000).Select(i => new ReplayGuardEntry { Key = $"test-expired-{i}", SeenAt = now.AddHours(-1) }));
            db.ReplayGuard.AddRange(Enumerable.Range(0, 3).Select(i => new ReplayGuardEntry { Key = $"test-fresh-{i}", SeenAt = now.AddMinutes(-1) }));
            await db.SaveChangesAsync();
        }

        async Task<(int Expired, int Fresh)> CountAsync()
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            return (await db.ReplayGuard.CountAsync(r => r.Key.StartsWith("test-expired-")), await db.ReplayGuard.CountAsync(r => r.Key.StartsWith("test-fresh-")));
        }

        var (query, body) = Sign(TicketXml("ticket@@@" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(query, body));
        Assert.Equal((20_000, 3), await CountAsync());

        var console = factory.Services.GetRequiredService<Portal.Web.Features.KeepAlive.OpsConsole>();
        var runId = await console.RunNowAsync(Portal.Web.Features.Pushes.PruneReplayGuardJob.JobName, await factory.ActorAsync("ops"), CancellationToken.None);
        var run = await console.WaitAsync(runId, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(run is { Status: JobRunStatus.Succeeded, Outcome: JobOutcomeCode.Purged }, run?.Outcome.ToString());
        Assert.True(run!.ItemsSucceeded >= 20_000 && run.OutcomeArgs?.Deleted == run.ItemsSucceeded, run.ItemsSucceeded.ToString());
        Assert.Equal((0, 3), await CountAsync());
        await using var after = await dbFactory.CreateDbContextAsync();
        Assert.True(await after.ReplayGuard.AnyAsync(r => r.SeenAt >= now.AddMinutes(-1) && !r.Key.StartsWith("test-")), "the push's own entry stays");
    }
}
