using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Release;
using Portal.Web.Features.Ingestion;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Tests;

/// <summary>
/// Group commit on the message and event URLs (ADR-017), through the real host and a real database: concurrent
/// requests are stored once each in shared transactions; a request is answered <c>success</c> only when its batch
/// committed; one item the database refuses fails only its own request; a kill -9 loses nothing that was answered.
/// </summary>
public sealed class GroupCommitTests
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static MessageCrypto CryptoOf(PortalFactory factory)
    {
        var o = factory.Services.GetRequiredService<IOptions<WeChatOptions>>().Value;
        return new MessageCrypto(o.Token, EncodingAesKey.Parse(o.EncodingAesKey), o.ComponentAppId);
    }

    private static string TextXml(string toUser, long msgId, string openId = "oUser0001")
        => $"<xml><ToUserName><![CDATA[{toUser}]]></ToUserName><FromUserName><![CDATA[{openId}]]></FromUserName><CreateTime>{Now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[消息 {msgId}]]></Content><MsgId>{msgId}</MsgId></xml>";

    /// <summary>A message-URL request signed as WeChat signs it (a new nonce each time: WeChat's retry of a message is a new request).</summary>
    private static (string Path, string Body) SignMessage(MessageCrypto crypto, string appId, string user, string plainXml)
    {
        var timestamp = Now.ToString(CultureInfo.InvariantCulture);
        var nonce = MessageCrypto.NewNonce();
        var encrypted = crypto.Encrypt(plainXml, timestamp, nonce);
        return ($"/wechat/accounts/{appId}/events?signature={crypto.ComputeUrlSignature(timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}&openid=oUser0001&encrypt_type=aes&msg_signature={encrypted.MsgSignature}",
            $"<xml><ToUserName><![CDATA[{user}]]></ToUserName><Encrypt><![CDATA[{encrypted.Encrypt}]]></Encrypt></xml>");
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient client, (string Path, string Body) request)
    {
        using var response = await client.PostAsync(request.Path, new StringContent(request.Body, Encoding.UTF8, "text/xml"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(string AppId, string User)> KnownAccountAsync(PortalFactory factory)
    {
        var suffix = Random.Shared.Next(0, 1 << 24).ToString("x6", CultureInfo.InvariantCulture);
        var (appId, user) = ("wxbbbbbbbbbb" + suffix, "gh_gc" + suffix);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.Authorizers.Add(new Authorizer { AppId = appId, UserName = user, NickName = "GC " + suffix, Kind = AuthorizerKind.OfficialAccount, IsAuthorized = true });
        await db.SaveChangesAsync();
        return (appId, user);
    }

    private static async Task<PortalDbContext> DbAsync(PortalFactory factory) => await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    /// <summary>Makes the database itself refuse inserts of account messages (all, or those from one sender): a real failure, not a mock.</summary>
    private static async Task RefuseMessagesAsync(PortalFactory factory, string? fromUser)
    {
        await using var db = await DbAsync(factory);
        if (factory.Provider == "PostgreSql")
        {
            await db.Database.ExecuteSqlRawAsync("CREATE FUNCTION refuse_message() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql");
            var sql = "CREATE TRIGGER refuse BEFORE INSERT ON \"AccountMessages\" FOR EACH ROW " + (fromUser is null ? "" : "WHEN (NEW.\"FromUser\" = '" + fromUser + "') ") + "EXECUTE FUNCTION refuse_message()";
            await db.Database.ExecuteSqlRawAsync(sql);
        }
        else
        {
            var sql = "CREATE TRIGGER refuse BEFORE INSERT ON AccountMessages " + (fromUser is null ? "" : "WHEN NEW.FromUser = '" + fromUser + "' ") + "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END";
            await db.Database.ExecuteSqlRawAsync(sql);
        }
    }

    private static async Task AcceptMessagesAgainAsync(PortalFactory factory)
    {
        await using var db = await DbAsync(factory);
        await db.Database.ExecuteSqlRawAsync(factory.Provider == "PostgreSql" ? "DROP TRIGGER refuse ON \"AccountMessages\"" : "DROP TRIGGER refuse");
    }

    [Fact]
    public async Task ConcurrentMessages_WithRetriesAndReplaysAmongThem_AreEachStoredExactlyOnce_InSharedBatches()
    {
        using var factory = new PortalFactory(new Dictionary<string, string?> { ["Ingestion:MaxBatchDelay"] = "00:00:00.005" });
        var client = factory.CreateClient();
        var crypto = CryptoOf(factory);
        var (appId, user) = await KnownAccountAsync(factory);
        var before = factory.Services.GetRequiredService<GroupCommitWriter>().Totals;

        // 120 messages; 30 of them sent a second time as WeChat retries (new nonce), 10 requests sent twice verbatim (replays).
        var requests = new List<(string Path, string Body)>();
        for (var i = 0; i < 120; i++)
        {
            requests.Add(SignMessage(crypto, appId, user, TextXml(user, 910_000 + i)));
        }

        var retries = Enumerable.Range(0, 30).Select(i => SignMessage(crypto, appId, user, TextXml(user, 910_000 + (i * 4)))).ToList();
        var replays = requests.Take(10).ToList();
        var answers = await Task.WhenAll(requests.Concat(retries).Concat(replays).Select(r => Task.Run(() => PostAsync(client, r))));

        var firstOfReplayed = answers.Take(10).Concat(answers.Skip(150)).ToList();
        Assert.All(answers.Skip(10).Take(140), a => Assert.Equal((HttpStatusCode.OK, "success"), a));
        // Of each request sent twice verbatim, one is stored and answered success, the other refused as a replay.
        Assert.Equal(10, firstOfReplayed.Count(a => a == (HttpStatusCode.OK, "success")));
        Assert.Equal(10, firstOfReplayed.Count(a => a.Status == HttpStatusCode.Conflict));

        await using var db = await DbAsync(factory);
        var keys = await db.AccountMessages.Where(m => m.AuthorizerAppId == appId).Select(m => m.DedupeKey).ToListAsync();
        Assert.Equal(120, keys.Count);
        Assert.Equal(Enumerable.Range(0, 120).Select(i => "id:" + (910_000 + i)).Order(), keys.Order());

        var after = factory.Services.GetRequiredService<GroupCommitWriter>().Totals;
        Assert.True(after.Batches - before.Batches < after.Items - before.Items, $"{after.Items - before.Items} items in {after.Batches - before.Batches} commits: no batch held two");
    }

    [Fact]
    public async Task WhenTheDatabaseRefusesTheWrite_NoRequestIsAnsweredSuccess_AndWeChatsRetryIsStoredOnce()
    {
        using var factory = new PortalFactory(null);
        var client = factory.CreateClient();
        var crypto = CryptoOf(factory);
        var (appId, user) = await KnownAccountAsync(factory);
        var xmls = Enumerable.Range(0, 20).Select(i => TextXml(user, 920_000 + i)).ToList();
        var requests = xmls.Select(x => SignMessage(crypto, appId, user, x)).ToList();

        await RefuseMessagesAsync(factory, fromUser: null);
        var refused = await Task.WhenAll(requests.Select(r => Task.Run(() => PostAsync(client, r))));
        Assert.All(refused, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status));
        await using (var db = await DbAsync(factory))
        {
            Assert.Equal(0, await db.AccountMessages.CountAsync(m => m.AuthorizerAppId == appId));
        }

        // Nothing of the failed batch stayed behind, the replay guard included: the same requests now succeed, and a
        // second retry (a new nonce) is answered success without storing again.
        await AcceptMessagesAgainAsync(factory);
        var stored = await Task.WhenAll(requests.Select(r => Task.Run(() => PostAsync(client, r))));
        Assert.All(stored, a => Assert.Equal((HttpStatusCode.OK, "success"), a));
        var again = await Task.WhenAll(xmls.Select(x => Task.Run(() => PostAsync(client, SignMessage(crypto, appId, user, x)))));
        Assert.All(again, a => Assert.Equal((HttpStatusCode.OK, "success"), a));
        await using (var db = await DbAsync(factory))
        {
            Assert.Equal(20, await db.AccountMessages.CountAsync(m => m.AuthorizerAppId == appId));
        }
    }

    [Fact]
    public async Task AnItemTheDatabaseRefuses_FailsOnlyItsOwnRequest_NotTheRestOfItsBatch()
    {
        using var factory = new PortalFactory(new Dictionary<string, string?> { ["Ingestion:MaxBatchDelay"] = "00:00:00.010" });
        var client = factory.CreateClient();
        var crypto = CryptoOf(factory);
        var (appId, user) = await KnownAccountAsync(factory);
        await RefuseMessagesAsync(factory, fromUser: "oRefused");
        var before = factory.Services.GetRequiredService<GroupCommitWriter>().Totals;

        var good = Enumerable.Range(0, 40).Select(i => SignMessage(crypto, appId, user, TextXml(user, 930_000 + i))).ToList();
        var bad = SignMessage(crypto, appId, user, TextXml(user, 930_999, openId: "oRefused"));
        // And an authentic message the portal cannot read: kept as a poison item in the same batches.
        var unreadable = SignMessage(crypto, appId, user, $"<xml><ToUserName><![CDATA[{user}]]></ToUserName><CreateTime>not-a-time</CreateTime></xml>");
        var answers = await Task.WhenAll(good.Append(bad).Append(unreadable).Select(r => Task.Run(() => PostAsync(client, r))));

        Assert.All(answers.Take(40), a => Assert.Equal((HttpStatusCode.OK, "success"), a));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answers[40].Status);
        Assert.Equal((HttpStatusCode.OK, "success"), answers[41]);
        await using var db = await DbAsync(factory);
        Assert.Equal(40, await db.AccountMessages.CountAsync(m => m.AuthorizerAppId == appId));
        Assert.False(await db.AccountMessages.AnyAsync(m => m.FromUser == "oRefused"));
        Assert.Equal(1, await db.Inbox.CountAsync(m => m.Status == InboxStatus.Poison && m.AuthorizerAppId == appId));
        var after = factory.Services.GetRequiredService<GroupCommitWriter>().Totals;
        Assert.True(after.Batches - before.Batches < after.Items - before.Items, "the refused item never shared a batch with others");
    }

    [Fact]
    public async Task TheWriterTrustsAnAuthorizedAccount_OnlyForAccountCacheDuration_AndANewAccountAtOnce()
    {
        using var factory = new PortalFactory(new Dictionary<string, string?> { ["Ingestion:AccountCacheDuration"] = "00:00:01" });
        var client = factory.CreateClient();
        var crypto = CryptoOf(factory);
        var (appId, user) = await KnownAccountAsync(factory);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(client, SignMessage(crypto, appId, user, TextXml(user, 940_001))));

        // The account withdraws its authorization: once the writer's second is over, its messages are refused and not stored.
        await using (var db = await DbAsync(factory))
        {
            await db.Authorizers.Where(a => a.AppId == appId).ExecuteUpdateAsync(u => u.SetProperty(a => a.IsAuthorized, false));
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(client, SignMessage(crypto, appId, user, TextXml(user, 940_002)))).Status);

        // An account authorized just now is read at once (only authorized accounts are remembered, never an unknown appid).
        var (newAppId, newUser) = await KnownAccountAsync(factory);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostAsync(client, SignMessage(crypto, newAppId, newUser, TextXml(newUser, 940_003))));
        await using (var db = await DbAsync(factory))
        {
            Assert.Equal(1, await db.AccountMessages.CountAsync(m => m.AuthorizerAppId == appId));
            Assert.Equal(1, await db.AccountMessages.CountAsync(m => m.AuthorizerAppId == newAppId));
        }
    }

    [Fact]
    public async Task UnderASteadyStreamOfMessages_TheSqliteWalIsRestarted_AndCutBack()
    {
        using var factory = new PortalFactory(new Dictionary<string, string?> { ["Ingestion:WalRestartFrames"] = "1000" }); // 4 MiB
        if (factory.Provider != "Sqlite")
        {
            return; // PostgreSQL has no WAL file of ours to bound
        }

        var client = factory.CreateClient();
        var crypto = CryptoOf(factory);
        var (appId, user) = await KnownAccountAsync(factory);
        var wal = Path.Combine(factory.DataDirectory, "portal.db-wal");
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, "portal.db")), "the test looks at the portal's own database file");
        var writer = factory.Services.GetRequiredService<GroupCommitWriter>();

        // A steady stream (16 at a time, no pause) of 4,000 messages: ~36 MiB of WAL, far more than the 4 MiB threshold.
        var next = -1;
        var failures = 0;
        long largest = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < 4000)
            {
                if ((await PostAsync(client, SignMessage(crypto, appId, user, TextXml(user, 950_000 + i)))).Status != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }

                if (i % 100 == 0 && File.Exists(wal))
                {
                    Interlocked.Exchange(ref largest, Math.Max(Interlocked.Read(ref largest), new FileInfo(wal).Length));
                }
            }
        })));

        Assert.Equal(0, failures);
        await using (var db = await DbAsync(factory))
        {
            Assert.Equal(4000, await db.AccountMessages.CountAsync(m => m.AuthorizerAppId == appId));
        }

        // The checkpointer restarted the WAL while the stream ran (a PASSIVE checkpoint alone never lets it start over).
        Assert.True(writer.WalRestarts >= 1, $"no WAL restart during the stream (the WAL reached {largest / 1024 / 1024} MiB)");

        // And the file is cut back to the limit when the WAL starts over: a message, a checkpoint tick, another message.
        var tail = 0;
        await WaitUntilAsync(async () =>
        {
            await PostAsync(client, SignMessage(crypto, appId, user, TextXml(user, 960_000 + tail++)));
            return new FileInfo(wal).Length <= 5L * 1024 * 1024;
        });
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the WAL file was not cut back to its limit within 20 s");
            await Task.Delay(300);
        }
    }

    [Fact]
    public async Task Kill9WhileMessagesArrive_EveryMessageAnsweredSuccessIsStored_ExactlyOnce()
    {
        if (TestDatabase.PostgreSqlByDefault)
        {
            return; // the portal process below uses its own SQLite file; the PostgreSQL pass covers the two-writer race instead
        }

        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-tests", "gc-kill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var port = StandaloneEmulator.FreePort();
        await using var emulator = await StandaloneEmulator.StartAsync($"http://127.0.0.1:{port}");
        var settings = emulator.PortalSettings();
        settings["Portal:DataDirectory"] = dataDirectory;
        settings["Portal:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        settings["KeepAlive:RunJobsOnSchedule"] = "false";
        var crypto = new MessageCrypto(settings["WeChat:Token"]!, EncodingAesKey.Parse(settings["WeChat:EncodingAesKey"]), settings["WeChat:ComponentAppId"]!);
        // A release-test account: the message URL takes it without an authorizer row (and answers plain text with success).
        var account = ReleaseTest.Accounts.First(a => !a.IsMiniProgram);

        var answered = new ConcurrentBag<long>();
        var next = 940_000L;
        await using (var portal = await PortalProcess.StartAsync(port, settings))
        {
            using var client = new HttpClient { BaseAddress = new Uri(portal.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var msgId = Interlocked.Increment(ref next);
                    try
                    {
                        if (await PostAsync(client, SignMessage(crypto, account.AppId, account.UserName, TextXml(account.UserName, msgId))) == (HttpStatusCode.OK, "success"))
                        {
                            answered.Add(msgId);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the portal is gone
                    }
                    catch (TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToList();
            await StandaloneEmulator.WaitUntilAsync(() => Task.FromResult(answered.Count >= 300), TimeSpan.FromSeconds(60));
            await portal.KillAsync(); // kill -9 with requests in flight and a batch possibly mid-commit
            stop.Cancel();
            await Task.WhenAll(senders);
        }

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "portal.db")};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DedupeKey FROM AccountMessages WHERE AuthorizerAppId = $appId";
        command.Parameters.AddWithValue("$appId", account.AppId);
        var stored = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetString(0));
            }
        }

        Assert.True(answered.Count >= 300);
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Empty(answered.Select(id => "id:" + id).Except(stored)); // nothing answered success was lost
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [PostgreSqlFact]
    public async Task TwoInstancesOnOnePostgreSql_TheSameMessagesAtBoth_AreStoredOnce_AndAReplayIsRefusedByOne()
    {
        using var database = TestDatabase.CreatePostgreSql();
        using var a = new PortalFactory(database.PortalSettings());
        using var b = new PortalFactory(database.PortalSettings());
        var (clientA, clientB) = (a.CreateClient(), b.CreateClient());
        _ = b.Services; // both hosts up (both migrate the one database; EF's lock lets one do it)
        var crypto = CryptoOf(a);
        var (appId, user) = await KnownAccountAsync(a);

        // Each message goes to both instances at once: as a retry (new nonce) and, for some, the very same request.
        var xmls = Enumerable.Range(0, 150).Select(i => TextXml(user, 950_000 + i)).ToList();
        var tasks = new List<Task<(HttpStatusCode Status, string Body)>>();
        var verbatim = new List<(Task<(HttpStatusCode Status, string Body)> A, Task<(HttpStatusCode Status, string Body)> B)>();
        foreach (var (xml, i) in xmls.Select((x, i) => (x, i)))
        {
            if (i % 5 == 0)
            {
                var same = SignMessage(crypto, appId, user, xml);
                var pair = (Task.Run(() => PostAsync(clientA, same)), Task.Run(() => PostAsync(clientB, same)));
                verbatim.Add(pair);
                continue;
            }

            tasks.Add(Task.Run(() => PostAsync(clientA, SignMessage(crypto, appId, user, xml))));
            tasks.Add(Task.Run(() => PostAsync(clientB, SignMessage(crypto, appId, user, xml))));
        }

        Assert.All(await Task.WhenAll(tasks), r => Assert.Equal((HttpStatusCode.OK, "success"), r));
        foreach (var (first, second) in verbatim)
        {
            var statuses = new[] { (await first).Status, (await second).Status }.Order().ToArray();
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], statuses);
        }

        await using var db = await DbAsync(a);
        Assert.Equal(150, await db.AccountMessages.CountAsync(m => m.AuthorizerAppId == appId));
        Assert.Equal(150, await db.AccountMessages.Where(m => m.AuthorizerAppId == appId).Select(m => m.DedupeKey).Distinct().CountAsync());
    }
}
