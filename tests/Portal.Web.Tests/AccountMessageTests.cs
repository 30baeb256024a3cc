using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.WeChat.Emulator.Services;
using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Xml;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Tests;

/// <summary>POST /wechat/accounts/{appid}/events: signature, replay, appid and recipient checks, dedupe, replies.</summary>
public sealed class AccountMessageTests(DefaultPortalFactory factory) : IClassFixture<DefaultPortalFactory>
{
    private const string TestOa = "wx570bc396a51b8ff8";
    private const string TestOaUser = "gh_3c884a361561";

    private WeChatOptions Options => factory.Services.GetRequiredService<IOptions<WeChatOptions>>().Value;

    private MessageCrypto Crypto => new(Options.Token, EncodingAesKey.Parse(Options.EncodingAesKey), Options.ComponentAppId);

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static string TextXml(string toUser, string content, string openId = "oUser0001", long? msgId = null)
        => $"<xml><ToUserName><![CDATA[{toUser}]]></ToUserName><FromUserName><![CDATA[{openId}]]></FromUserName><CreateTime>{Now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content><MsgId>{msgId ?? Random.Shared.NextInt64(1, long.MaxValue)}</MsgId></xml>";

    /// <summary>Signed as WeChat signs a message-URL post (with openid), optionally by other credentials.</summary>
    private (string Query, string Body) Sign(string plainXml, string envelopeUser, MessageCrypto? crypto = null, string? timestamp = null)
    {
        crypto ??= Crypto;
        timestamp ??= Now.ToString(CultureInfo.InvariantCulture);
        var nonce = MessageCrypto.NewNonce();
        var encrypted = crypto.Encrypt(plainXml, timestamp, nonce);
        var query = $"signature={crypto.ComputeUrlSignature(timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}&openid=oUser0001&encrypt_type=aes&msg_signature={encrypted.MsgSignature}";
        return (query, $"<xml><ToUserName><![CDATA[{envelopeUser}]]></ToUserName><Encrypt><![CDATA[{encrypted.Encrypt}]]></Encrypt></xml>");
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string appId, string query, string body)
    {
        var response = await factory.CreateClient().PostAsync($"/wechat/accounts/{appId}/events?{query}", new StringContent(body, Encoding.UTF8, "text/xml"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<PortalDbContext> DbAsync() => await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    /// <summary>An authorized merchant account known to the portal (unique per test).</summary>
    /// <param name="userNameKnown">false: its user name not yet read from WeChat (empty), so the portal cannot tell whose messages are addressed to it.</param>
    private async Task<(string AppId, string UserName)> KnownAccountAsync(bool authorized = true, bool userNameKnown = true)
    {
        var suffix = Random.Shared.Next(0, 1 << 24).ToString("x6", CultureInfo.InvariantCulture);
        var appId = "wxaaaaaaaaaa" + suffix;
        var userName = userNameKnown ? "gh_test" + suffix : string.Empty;
        await using var db = await DbAsync();
        db.Authorizers.Add(new Authorizer { AppId = appId, UserName = userName, NickName = "Test " + suffix, Kind = AuthorizerKind.OfficialAccount, IsAuthorized = authorized });
        await db.SaveChangesAsync();
        return (appId, userName);
    }

    private async Task<int> StoredAsync(string appId)
    {
        await using var db = await DbAsync();
        return await db.AccountMessages.CountAsync(m => m.AuthorizerAppId == appId);
    }

    [Fact]
    public async Task MessageOfAnAuthorizedAccount_IsAnsweredSuccess_StoredOnceEncrypted_AndARetryDoesNotStoreAgain()
    {
        var (appId, user) = await KnownAccountAsync();
        var xml = TextXml(user, "你好，营业时间？", msgId: 777001);
        var (query, body) = Sign(xml, user);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(appId, query, body));

        var (retryQuery, retryBody) = Sign(xml, user);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(appId, retryQuery, retryBody));
        Assert.Equal(1, await StoredAsync(appId));

        await using var db = await DbAsync();
        var stored = await db.AccountMessages.SingleAsync(m => m.AuthorizerAppId == appId);
        Assert.Equal("text", stored.MsgType);
        Assert.Equal("success", stored.Reply);
        Assert.DoesNotContain("营业时间", stored.PayloadProtected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForgedSignature_IsRefused_AndNothingIsStored()
    {
        var (appId, user) = await KnownAccountAsync();
        var (query, body) = Sign(TextXml(user, "hi"), user);
        var forged = query.Replace("signature=", "signature=0", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(appId, forged, body)).Status);

        var (q2, b2) = Sign(TextXml(user, "hi"), user);
        var tamperedMsgSignature = q2[..^4] + "0000";
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(appId, tamperedMsgSignature, b2)).Status);
        Assert.Equal(0, await StoredAsync(appId));
    }

    [Fact]
    public async Task ReplayedRequest_IsRefused()
    {
        var (appId, user) = await KnownAccountAsync();
        var (query, body) = Sign(TextXml(user, "once"), user);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(appId, query, body)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(appId, query, body)).Status);
        Assert.Equal(1, await StoredAsync(appId));
    }

    [Fact]
    public async Task ARetryWithANewSignature_IsAnsweredSuccess_AndAReplayOfEitherRequest_IsRefused()
    {
        // The first request's replay key is kept on the stored message's row, the retry's (a duplicate: no row of its own)
        // in the replay guard: each is refused when it comes again, and nothing is stored twice.
        var (appId, user) = await KnownAccountAsync();
        var xml = TextXml(user, "重试", msgId: 777002);
        var first = Sign(xml, user);
        var retry = Sign(xml, user);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(appId, first.Query, first.Body));
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(appId, retry.Query, retry.Body));
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(appId, retry.Query, retry.Body)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(appId, first.Query, first.Body)).Status);
        Assert.Equal(1, await StoredAsync(appId));
    }

    [Fact]
    public async Task AReplayToAnotherAuthorizedAccountsPath_IsRefused_AndNotStoredThere()
    {
        // An account whose user name the portal does not know cannot tell that a message was addressed to someone else, so
        // the only thing that stops a captured request from being stored under it is the replay check.
        var (appId, user) = await KnownAccountAsync();
        var (otherAppId, _) = await KnownAccountAsync(userNameKnown: false);

        var (query, body) = Sign(TextXml(user, "只给我", msgId: 777003), user);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(appId, query, body));
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(otherAppId, query, body)).Status);
        Assert.Equal(0, await StoredAsync(otherAppId));
        Assert.Equal(1, await StoredAsync(appId));
    }

    [Fact]
    public async Task AReplayWithAVariantOfItsSignatureOrTimestamp_IsRefused_AndStoresNothing()
    {
        // A captured request must not get a second replay key: not with a signature character whose low byte is a hex digit's
        // (U+0161 for 'a'), nor with a zero moved from the nonce onto the timestamp (the signature joins them unseparated).
        var (appId, user) = await KnownAccountAsync();
        var (otherAppId, _) = await KnownAccountAsync(userNameKnown: false);

        var (query, body) = Sign(TextXml(user, "变体", msgId: 777005), user);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(appId, query, body));
        var parameters = System.Web.HttpUtility.ParseQueryString(query);
        foreach (var name in new[] { "msg_signature", "signature" })
        {
            var signature = parameters[name]!;
            var variant = query.Replace($"{name}={signature}", $"{name}={Uri.EscapeDataString((char)(signature[0] + 0x100) + signature[1..])}", StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(appId, variant, body)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(otherAppId, variant, body)).Status);
        }

        var resplit = query.Replace("timestamp=", "timestamp=0", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(otherAppId, resplit, body)).Status);
        Assert.Equal(1, await StoredAsync(appId));
        Assert.Equal(0, await StoredAsync(otherAppId));
    }

    [Fact]
    public async Task AMessageStoredBeforeRowsCarriedTheirRequestKey_IsStillProtectedByTheReplayGuard()
    {
        // Rows stored before the MessageRequestKey migration have no key of their own; their request keys are in the guard.
        var (appId, user) = await KnownAccountAsync();
        var (query, body) = Sign(TextXml(user, "旧消息", msgId: 777004), user);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(appId, query, body));
        await using (var db = await DbAsync())
        {
            var stored = await db.AccountMessages.SingleAsync(m => m.AuthorizerAppId == appId);
            Assert.StartsWith("msg:", stored.RequestKey, StringComparison.Ordinal);
            if (!await db.ReplayGuard.AnyAsync(r => r.Key == stored.RequestKey))
            {
                db.ReplayGuard.Add(new ReplayGuardEntry { Key = stored.RequestKey!, SeenAt = DateTimeOffset.UtcNow }); // PostgreSQL's writer has put it there already
            }

            stored.RequestKey = null;
            await db.SaveChangesAsync();
        }

        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(appId, query, body)).Status);
        Assert.Equal(1, await StoredAsync(appId));
    }

    [Fact]
    public async Task StaleTimestamp_IsRefused()
    {
        var (appId, user) = await KnownAccountAsync();
        var stale = (Now - 3600).ToString(CultureInfo.InvariantCulture);
        var (query, body) = Sign(TextXml(user, "old"), user, timestamp: stale);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(appId, query, body)).Status);
        Assert.Equal(0, await StoredAsync(appId));
    }

    [Fact]
    public async Task UnknownOrRevokedAppId_IsRefused()
    {
        var (revokedAppId, revokedUser) = await KnownAccountAsync(authorized: false);
        var (query, body) = Sign(TextXml(revokedUser, "hi"), revokedUser);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(revokedAppId, query, body)).Status);

        var (q2, b2) = Sign(TextXml("gh_nobody", "hi"), "gh_nobody");
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("wx00000000000000ff", q2, b2)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("not-an-appid", q2, b2)).Status);
        Assert.Equal(0, await StoredAsync(revokedAppId));
    }

    [Fact]
    public async Task MessageForAnotherAccountThanThePath_IsRefused()
    {
        var (appId, _) = await KnownAccountAsync();
        var (otherAppId, otherUser) = await KnownAccountAsync();
        var (query, body) = Sign(TextXml(otherUser, "hi"), otherUser);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(appId, query, body)).Status);
        Assert.Equal(0, await StoredAsync(appId));
        Assert.Equal(0, await StoredAsync(otherAppId));
    }

    [Fact]
    public async Task EncryptedForAnotherComponent_IsRefused()
    {
        var (appId, user) = await KnownAccountAsync();
        var other = new MessageCrypto(Options.Token, EncodingAesKey.Parse(Options.EncodingAesKey), "wx0000000000000bad");
        var (query, body) = Sign(TextXml(user, "hi"), user, other);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(appId, query, body)).Status);
        Assert.Equal(0, await StoredAsync(appId));
    }

    [Fact]
    public async Task DtdInTheBody_IsRefused()
    {
        var (appId, user) = await KnownAccountAsync();
        var (query, _) = Sign(TextXml(user, "hi"), user);
        var body = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><ToUserName>&x;</ToUserName><Encrypt>a</Encrypt></xml>";
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(appId, query, body)).Status);
        Assert.Equal(0, await StoredAsync(appId));
    }

    [Fact]
    public async Task PurgeJob_DeletesMessagesOlderThanTheRetention_AndKeepsTheRest()
    {
        var (appId, user) = await KnownAccountAsync();
        var (query, body) = Sign(TextXml(user, "fresh"), user);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(appId, query, body)).Status);
        await using (var db = await DbAsync())
        {
            db.AccountMessages.Add(new AccountMessageRecord { AuthorizerAppId = appId, DedupeKey = "id:old", MsgType = "text", ReceivedAt = DateTimeOffset.UtcNow.AddDays(-31), PayloadProtected = "x", Reply = "success" });
            await db.SaveChangesAsync();
        }

        Assert.Equal(2, await StoredAsync(appId));
        await factory.Services.GetRequiredService<Portal.Web.Features.KeepAlive.OpsConsole>().RunNowAsync("purge-messages", await factory.ActorAsync("ops"), CancellationToken.None);
        var run = await factory.WaitForAsync(db => db.JobRuns.AsNoTracking().FirstOrDefaultAsync(r => r.JobName == "purge-messages" && r.FinishedAt != null));
        Assert.True(run.Succeeded, run.Outcome.ToString());
        Assert.Equal((JobOutcomeCode.Purged, 1), (run.Outcome, run.OutcomeArgs?.Deleted));
        await using var after = await DbAsync();
        Assert.Equal(["text"], await after.AccountMessages.Where(m => m.AuthorizerAppId == appId).Select(m => m.MsgType).ToListAsync());
        Assert.False(await after.AccountMessages.AnyAsync(m => m.DedupeKey == "id:old"));
    }

    [Fact]
    public async Task ReleaseTestText_GetsTheEncryptedPassiveReply_ButARealAccountDoesNot()
    {
        var (query, body) = Sign(TextXml(TestOaUser, "TESTCOMPONENT_MSG_TYPE_TEXT", "oTester"), TestOaUser);
        var (status, answer) = await PostAsync(TestOa, query, body);
        Assert.Equal(HttpStatusCode.OK, status);
        var root = SafeXml.ParseRoot(answer);
        var plain = Crypto.VerifyAndDecrypt(SafeXml.Required(root, "MsgSignature"), SafeXml.Required(root, "TimeStamp"), SafeXml.Required(root, "Nonce"), SafeXml.Required(root, "Encrypt"));
        var reply = AccountMessage.Parse(plain);
        Assert.Equal(("text", "TESTCOMPONENT_MSG_TYPE_TEXT_callback", "oTester", TestOaUser), (reply.MsgType, reply.Content, reply.ToUserName, reply.FromUserName));

        var (appId, user) = await KnownAccountAsync();
        var (q2, b2) = Sign(TextXml(user, "TESTCOMPONENT_MSG_TYPE_TEXT"), user);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(appId, q2, b2));
    }
}

/// <summary>WeChat's full-network release test, run by the emulator against a portal listening on a real port.</summary>
public sealed class ReleaseTestTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new(null, kestrel: true);

    public async Task InitializeAsync()
    {
        _portal.StartServer();
        await _portal.WaitForTicketAsync();
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EveryGroup_Passes_AndThePortalRecordsEachCase()
    {
        var runner = _portal.Services.GetRequiredService<ReleaseTestRunner>();
        for (var group = 1; group <= 5; group++)
        {
            var report = await runner.RunAsync(group, CancellationToken.None);
            Assert.True(report.Passed, $"group {group}: " + string.Join("; ", report.Cases.Where(c => !c.Passed).Select(c => $"{c.AppId} {c.Name}: {c.Detail}")));
            Assert.Equal(7, report.Cases.Count);
        }

        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var records = await db.ReleaseTestRecords.ToListAsync();
        Assert.Equal(30, records.Count);
        Assert.All(records, r => Assert.True(r.Succeeded && r.Failure() is null, r.Failure()?.ToString()));
        Assert.Equal(10, records.Select(r => r.AuthorizerAppId).Distinct().Count());
        Assert.Equal(["api", "event", "text"], records.Select(r => r.Case).Distinct().Order().ToArray());

        // The test accounts' tokens were used once and not kept: they are WeChat's, not merchants'.
        Assert.Equal(0, await db.Authorizers.CountAsync(a => a.AppId == "wx570bc396a51b8ff8"));
    }

    [Fact]
    public async Task AFailedCustomServiceAnswer_IsRecorded_AndShownAsASentence()
    {
        var state = _portal.Services.GetRequiredService<Portal.WeChat.Emulator.Model.EmulatorState>();
        state.AddFault(new Portal.WeChat.Emulator.Model.FaultRule { Target = "api_query_auth", Kind = Portal.WeChat.Emulator.Model.FaultKind.ErrCode, ErrCode = 61010, RemainingCount = 1 });
        var report = await _portal.Services.GetRequiredService<ReleaseTestRunner>().RunAsync(2, CancellationToken.None);
        Assert.False(report.Passed);

        var readiness = _portal.Services.GetRequiredService<Portal.Web.Features.Admin.ReleaseReadiness>();
        var readinessReport = await readiness.RunAsync(null, CancellationToken.None);
        var failed = readinessReport.ReleaseResults.Single(r => !r.Succeeded);
        Assert.Equal(("api", StoredFailure.WeChat("api_query_auth", 61010)), (failed.Case, failed.Failure));
        var check = readinessReport.Checks.Single(c => c.Key == "release_test");
        Assert.Equal(Portal.Web.Features.Admin.CheckStatus.Failed, check.Status);
        // A typed finding: the text key, the case, and the stored failure the page explains in the reader's language.
        var finding = Assert.Single(check.Findings);
        Assert.Equal(("ready.release.failed", StoredFailure.WeChat("api_query_auth", 61010)), (finding.Key, finding.Failure));
        Assert.EndsWith("api_query_auth：授权码已过期：请重新发起授权。（错误码 61010）", Words.In("zh-CN", t => Portal.Web.Features.Localization.TextExtensions.Finding(t, finding)));
        Assert.EndsWith("api_query_auth: The authorization code has expired: start the authorization again. (errcode 61010)", Words.In("en", t => Portal.Web.Features.Localization.TextExtensions.Finding(t, finding)));
    }
}
