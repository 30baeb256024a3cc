using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.WeChat.Protocol.Crypto;
using Portal.Web.Features.Data;
using Portal.Web.Features.WeChat;
using Xunit.Abstractions;

namespace Portal.Web.Tests;

/// <summary>
/// The standing push fuzzer: seeded, reproducible mutations of valid pushes against both WeChat URLs through the real
/// host, with valid controls in between. Every forged or damaged request must be refused with a 4xx and leave nothing
/// behind; every authentic push the portal cannot read must be kept as a poison item and answered <c>success</c>;
/// every control must be accepted; nothing may answer 5xx. <c>PUSH_FUZZ_SEED</c> and <c>PUSH_FUZZ_MUTATIONS</c>
/// reproduce or widen a run; the figures go to the test output and to <c>artifacts/push-fuzzer.txt</c>.
/// </summary>
public sealed class PushFuzzerTests(DefaultPortalFactory factory, ITestOutputHelper output) : IClassFixture<DefaultPortalFactory>
{
    private const int DefaultSeed = 20261130;
    private const int DefaultMutations = 4000;
    private const string EventPath = "/wechat/component/events";
    private const int MaxBody = 64 * 1024;

    private enum Expect
    {
        /// <summary>A 4xx, nothing stored.</summary>
        Refused,

        /// <summary>Authentic but unreadable: 200 <c>success</c> and one poison item.</summary>
        Poison,
    }

    private sealed record Sample(bool IsMessage, string Path, List<KeyValuePair<string, string>> Query, string Body, string Plain);

    private sealed record Request(string Method, string Path, string Query, byte[] Body, string ContentType, Expect Expect, string Kind, string? ContentEncoding = null);

    private PortalFactory Factory => factory;

    private WeChatOptions Options => factory.Services.GetRequiredService<IOptions<WeChatOptions>>().Value;

    [Fact]
    public async Task Fuzz_BothWeChatUrls_NoForgeryAccepted_No5xx_EveryControlAccepted_NothingStoredForARefusal()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PUSH_FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var mutations = int.TryParse(Environment.GetEnvironmentVariable("PUSH_FUZZ_MUTATIONS"), out var m) ? m : DefaultMutations;
        var fuzz = new Fuzzer(this, new Random(seed));
        await fuzz.PrepareAsync();
        var client = factory.CreateClient();
        var started = DateTime.UtcNow;

        var stats = new Dictionary<string, (int Tried, int Refused)>(StringComparer.Ordinal);
        var failures = new List<string>();
        int forgedAccepted = 0, serverErrors = 0, poisonKept = 0, controls = 0, controlsAccepted = 0;
        var poisonPlain = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < mutations; i++)
        {
            if (i % 8 == 0)
            {
                var control = fuzz.Control(i % 16 == 0);
                controls++;
                var (controlStatus, controlBody) = await SendAsync(client, control);
                if (controlStatus == HttpStatusCode.OK && controlBody == "success")
                {
                    controlsAccepted++;
                    fuzz.Accepted.Add(control);
                }
                else
                {
                    failures.Add($"control #{i} ({control.Kind}) answered {(int)controlStatus} {Short(controlBody)}");
                }
            }

            var request = fuzz.Mutate(i);
            var (status, body) = await SendAsync(client, request);
            var refused = (int)status is >= 400 and < 500;
            var entry = stats.GetValueOrDefault(request.Kind);
            stats[request.Kind] = (entry.Tried + 1, entry.Refused + (refused ? 1 : 0));
            if ((int)status >= 500)
            {
                serverErrors++;
                failures.Add($"#{i} {request.Kind}: {(int)status}");
            }
            else if (request.Expect == Expect.Refused && !refused)
            {
                forgedAccepted++;
                failures.Add($"#{i} {request.Kind}: forged but answered {(int)status} {Short(body)}");
            }
            else if (request.Expect == Expect.Poison)
            {
                if (status == HttpStatusCode.OK && body == "success")
                {
                    poisonKept++;
                    poisonPlain.Add(fuzz.LastPlain!);
                }
                else
                {
                    failures.Add($"#{i} {request.Kind}: authentic but unreadable, answered {(int)status} {Short(body)}");
                }
            }
        }

        // Nothing stored for a refused request: the stores hold exactly the controls and the poison items.
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var protector = factory.Services.GetRequiredService<TokenProtector>();
        var componentControls = fuzz.Accepted.Count(c => c.Kind == "control:event");
        var messageControls = fuzz.Accepted.Count(c => c.Kind == "control:message");
        var inbox = await db.Inbox.Where(x => x.Status != InboxStatus.Poison).CountAsync();
        var poisonRows = await db.Inbox.Where(x => x.Status == InboxStatus.Poison).Select(x => x.PayloadProtected).ToListAsync();
        var messages = await db.AccountMessages.CountAsync();
        // A request's replay key is in the replay guard or, for a stored message, on its row (SQLite; PostgreSQL has both).
        var guardKeys = await db.ReplayGuard.Select(r => r.Key).ToListAsync();
        var messageKeys = await db.AccountMessages.Where(m => m.RequestKey != null).Select(m => m.RequestKey!).ToListAsync();
        var guard = guardKeys.Concat(messageKeys).Distinct(StringComparer.Ordinal).Count();
        var ticket = await db.ComponentCredentials.Select(c => c.TicketProtected).FirstOrDefaultAsync();

        var elapsed = DateTime.UtcNow - started;
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"push fuzzer: seed {seed}, {mutations} mutations tried, {forgedAccepted} forged accepted, {serverErrors} answered 5xx, {poisonKept} authentic-but-unreadable kept as poison, {controlsAccepted}/{controls} controls accepted, {elapsed.TotalSeconds:F1} s")
            .AppendLine(CultureInfo.InvariantCulture, $"stored afterwards: {inbox} inbox rows, {messages} account messages, {poisonRows.Count} poison items, {guard} recorded replay keys (= accepted controls + poison)");
        foreach (var (kind, (tried, refusedCount)) in stats.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  {kind,-34} tried {tried,5}  refused {refusedCount,5}");
        }

        output.WriteLine(report.ToString());
        await File.WriteAllTextAsync(Path.Combine(RepoPaths.Artifacts("security"), "push-fuzzer.txt"), report.ToString());

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(40)));
        Assert.True(ticket is null || protector.Unprotect(ticket).StartsWith("ticket@@@control-", StringComparison.Ordinal), "a forged ticket was stored: " + (ticket is null ? "" : protector.Unprotect(ticket)[..Math.Min(40, protector.Unprotect(ticket).Length)]));
        Assert.Equal(componentControls, inbox);
        Assert.Equal(messageControls, messages);
        Assert.Equal(poisonPlain.Count, poisonRows.Count);
        Assert.True(poisonRows.Select(protector.Unprotect).ToHashSet(StringComparer.Ordinal).SetEquals(poisonPlain), "a poison row that no authentic request produced");
        Assert.Equal(controlsAccepted + poisonKept, guard);

        Assert.Equal(0, forgedAccepted);
        Assert.Equal(0, serverErrors);
        Assert.Equal(controls, controlsAccepted);
        Assert.True(mutations < 2000 || stats.Count >= 30, "too few mutation kinds were exercised");
    }

    private static string Short(string text) => text.Length > 80 ? text[..80] : text;

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, Request request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + (request.Query.Length > 0 ? "?" + request.Query : string.Empty));
        if (request.Method != "GET")
        {
            var content = new ByteArrayContent(request.Body);
            content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            if (request.ContentEncoding is { } encoding)
            {
                content.Headers.ContentEncoding.Add(encoding);
            }

            message.Content = content;
        }

        using var response = await client.SendAsync(message);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Builds valid pushes and their mutations from one seeded random source.</summary>
    private sealed class Fuzzer(PushFuzzerTests owner, Random random)
    {
        private readonly List<Func<int, Request>> _mutators = [];
        private MessageCrypto _crypto = default!;
        private MessageCrypto _otherKeyAndToken = default!;
        private MessageCrypto _ourTokenOtherKey = default!;
        private MessageCrypto _otherAppIdInCipher = default!;
        private string _appId = default!;
        private string _accountAppId = default!;
        private string _accountUser = default!;
        private int _counter;

        public List<Request> Accepted { get; } = [];

        public string? LastPlain { get; private set; }

        public async Task PrepareAsync()
        {
            var o = owner.Options;
            _appId = o.ComponentAppId;
            _crypto = o.CreateCrypto();
            _otherKeyAndToken = new MessageCrypto("attackertoken", EncodingAesKey.Parse(RandomKey()), _appId);
            _ourTokenOtherKey = new MessageCrypto(o.Token, EncodingAesKey.Parse(RandomKey()), _appId);
            _otherAppIdInCipher = new MessageCrypto(o.Token, EncodingAesKey.Parse(o.EncodingAesKey), "wx00000000000000ff");
            _accountAppId = "wxf0220000000000aa";
            _accountUser = "gh_f0220000000a";
            await using var db = await owner.Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            db.Authorizers.Add(new Authorizer { AppId = _accountAppId, UserName = _accountUser, NickName = "Fuzz", Kind = AuthorizerKind.OfficialAccount, IsAuthorized = true });
            db.Authorizers.Add(new Authorizer { AppId = "wxf0220000000000bb", UserName = "gh_f0220000000b", NickName = "Fuzz B", Kind = AuthorizerKind.OfficialAccount, IsAuthorized = true });
            await db.SaveChangesAsync();
            Register();
        }

        private string RandomKey() => new(Enumerable.Range(0, EncodingAesKey.Length).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[random.Next(62)]).ToArray());

        private static string Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        // Plaintexts carry a time derived from the counter, not the clock, so a seed reproduces them byte for byte (only the
        // query's timestamp must be now, for the replay window).
        private string PlainTime => (1_764_460_800L + _counter).ToString(CultureInfo.InvariantCulture);

        private string Nonce() => random.Next(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture);

        private byte[] Random16()
        {
            var bytes = new byte[16];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)"0123456789abcdef"[random.Next(16)];
            }

            return bytes;
        }

        private string ComponentPlain(string tag, string? createTime = null)
        {
            var n = ++_counter;
            return random.Next(2) == 0
                ? $"<xml><AppId><![CDATA[{_appId}]]></AppId><CreateTime>{createTime ?? PlainTime}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[ticket@@@{tag}-{n}]]></ComponentVerifyTicket></xml>"
                : $"<xml><AppId><![CDATA[{_appId}]]></AppId><CreateTime>{createTime ?? PlainTime}</CreateTime><InfoType><![CDATA[notify_fuzz_{tag}]]></InfoType><Seq>{n}</Seq></xml>";
        }

        private string MessagePlain(string tag, string? toUser = null, string? createTime = null)
            => $"<xml><ToUserName><![CDATA[{toUser ?? _accountUser}]]></ToUserName><FromUserName><![CDATA[oFuzz{tag}]]></FromUserName><CreateTime>{createTime ?? PlainTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{tag} {++_counter}]]></Content><MsgId>{9_000_000_000L + _counter}</MsgId></xml>";

        private Sample Seal(bool isMessage, string plain, MessageCrypto? crypto = null, string? timestamp = null, string? nonce = null, string? recipient = null, string? path = null)
        {
            crypto ??= _crypto;
            timestamp ??= Now;
            nonce ??= Nonce();
            var encrypted = crypto.Encrypt(plain, timestamp, nonce, Random16());
            var query = new List<KeyValuePair<string, string>>
            {
                new("signature", crypto.ComputeUrlSignature(timestamp, nonce)),
                new("timestamp", timestamp),
                new("nonce", nonce),
            };
            if (isMessage)
            {
                query.Add(new("openid", "oFuzzUser"));
            }

            query.Add(new("encrypt_type", "aes"));
            query.Add(new("msg_signature", encrypted.MsgSignature));
            var body = isMessage
                ? $"<xml><ToUserName><![CDATA[{recipient ?? _accountUser}]]></ToUserName><Encrypt><![CDATA[{encrypted.Encrypt}]]></Encrypt></xml>"
                : $"<xml><AppId><![CDATA[{recipient ?? _appId}]]></AppId><Encrypt><![CDATA[{encrypted.Encrypt}]]></Encrypt></xml>";
            return new Sample(isMessage, path ?? (isMessage ? $"/wechat/accounts/{_accountAppId}/events" : EventPath), query, body, plain);
        }

        private Sample Fresh(bool? isMessage = null)
        {
            var message = isMessage ?? random.Next(2) == 0;
            return Seal(message, message ? MessagePlain("m") : ComponentPlain("m"));
        }

        public Request Control(bool isMessage)
        {
            var sample = isMessage ? Seal(true, MessagePlain("control")) : Seal(false, ComponentPlain("control"));
            return ToRequest(sample, Expect.Refused, isMessage ? "control:message" : "control:event");
        }

        private static string QueryOf(IEnumerable<KeyValuePair<string, string>> query)
            => string.Join('&', query.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

        private static Request ToRequest(Sample sample, Expect expect, string kind, string? body = null, List<KeyValuePair<string, string>>? query = null, string? path = null)
            => new("POST", path ?? sample.Path, QueryOf(query ?? sample.Query), Encoding.UTF8.GetBytes(body ?? sample.Body), "text/xml; charset=utf-8", expect, kind);

        private static string EncryptOf(string body)
        {
            var start = body.IndexOf("<Encrypt><![CDATA[", StringComparison.Ordinal) + "<Encrypt><![CDATA[".Length;
            return body[start..body.IndexOf("]]></Encrypt>", start, StringComparison.Ordinal)];
        }

        private static string WithEncrypt(string body, string encrypt) => body.Replace(EncryptOf(body), encrypt, StringComparison.Ordinal);

        private static List<KeyValuePair<string, string>> With(List<KeyValuePair<string, string>> query, string name, string? value, string? rename = null)
        {
            var copy = new List<KeyValuePair<string, string>>();
            foreach (var pair in query)
            {
                if (pair.Key != name)
                {
                    copy.Add(pair);
                }
                else if (value is not null)
                {
                    copy.Add(new(rename ?? name, value));
                }
            }

            return copy;
        }

        private static string Get(List<KeyValuePair<string, string>> query, string name) => query.First(p => p.Key == name).Value;

        private string ChangeHexDigit(string hex)
        {
            var i = random.Next(hex.Length);
            var replacement = "0123456789abcdef".Where(c => c != char.ToLowerInvariant(hex[i])).ElementAt(random.Next(15));
            return hex[..i] + replacement + hex[(i + 1)..];
        }

        public Request Mutate(int i)
        {
            var mutator = _mutators[random.Next(_mutators.Count)];
            LastPlain = null;
            return mutator(i);
        }

        private void Add(string kind, Func<Sample, (string? Body, List<KeyValuePair<string, string>>? Query, string? Path)> change, bool? isMessage = null)
            => _mutators.Add(_ =>
            {
                var sample = Fresh(isMessage);
                var (body, query, path) = change(sample);
                return ToRequest(sample, Expect.Refused, kind, body, query, path);
            });

        private void AddPoison(string kind, Func<bool, string> plain)
            => _mutators.Add(_ =>
            {
                var isMessage = random.Next(2) == 0;
                var text = plain(isMessage);
                var sample = Seal(isMessage, text);
                LastPlain = text;
                return ToRequest(sample, Expect.Poison, kind + (isMessage ? ":message" : ":event"));
            });

        private void Register()
        {
            // --- the ciphertext -------------------------------------------------------------------------------------
            Add("ciphertext:bit-flip", s =>
            {
                var bytes = Convert.FromBase64String(EncryptOf(s.Body));
                var at = random.Next(bytes.Length);
                bytes[at] ^= (byte)(1 << random.Next(8));
                return (WithEncrypt(s.Body, Convert.ToBase64String(bytes)), null, null);
            });
            Add("ciphertext:char-replaced", s =>
            {
                var e = EncryptOf(s.Body);
                var at = random.Next(e.Length - 2);
                var c = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".Where(x => x != e[at]).ElementAt(random.Next(63));
                return (WithEncrypt(s.Body, e[..at] + c + e[(at + 1)..]), null, null);
            });
            Add("ciphertext:truncated", s => { var e = EncryptOf(s.Body); return (WithEncrypt(s.Body, e[..(e.Length - (4 * random.Next(1, 4)))]), null, null); });
            Add("ciphertext:extended", s => (WithEncrypt(s.Body, EncryptOf(s.Body) + "AAAAAAAAAAAAAAAAAAAAAA=="), null, null));
            Add("ciphertext:whitespace", s => { var e = EncryptOf(s.Body); var at = random.Next(1, e.Length - 1); return (WithEncrypt(s.Body, e[..at] + (random.Next(2) == 0 ? "\n" : " ") + e[at..]), null, null); });
            Add("ciphertext:url-safe-alphabet", s => (WithEncrypt(s.Body, EncryptOf(s.Body).Replace('+', '-').Replace('/', '_').TrimEnd('=') + "-_"), null, null));
            Add("ciphertext:empty", s => (WithEncrypt(s.Body, string.Empty), null, null));
            Add("ciphertext:other-key-and-token", s =>
            {
                var forged = Seal(s.IsMessage, s.Plain, _otherKeyAndToken);
                return (forged.Body, forged.Query, null);
            });
            Add("ciphertext:our-token-other-key", s =>
            {
                var forged = Seal(s.IsMessage, s.Plain, _ourTokenOtherKey);
                return (forged.Body, forged.Query, null);
            });
            Add("ciphertext:other-appid-inside", s =>
            {
                var forged = Seal(s.IsMessage, s.Plain, _otherAppIdInCipher);
                return (forged.Body, forged.Query, null);
            });

            // --- signatures ---------------------------------------------------------------------------------------------
            Add("msg_signature:digit-changed", s => (null, With(s.Query, "msg_signature", ChangeHexDigit(Get(s.Query, "msg_signature"))), null));
            Add("signature:digit-changed", s => (null, With(s.Query, "signature", ChangeHexDigit(Get(s.Query, "signature"))), null));
            Add("msg_signature:truncated", s => (null, With(s.Query, "msg_signature", Get(s.Query, "msg_signature")[..39]), null));
            Add("msg_signature:missing", s => (null, With(s.Query, "msg_signature", null), null));
            Add("signature:missing", s => (null, With(s.Query, "signature", null), null));
            Add("msg_signature:duplicated", s =>
            {
                var q = new List<KeyValuePair<string, string>>(s.Query) { new("msg_signature", ChangeHexDigit(Get(s.Query, "msg_signature"))) };
                return (null, q, null);
            });
            Add("signatures:swapped", s => (null, With(With(s.Query, "signature", Get(s.Query, "msg_signature")), "msg_signature", Get(s.Query, "signature")), null));
            Add("msg_signature:non-hex", s => (null, With(s.Query, "msg_signature", new string('z', 40)), null));
            Add("msg_signature:oversize", s => (null, With(s.Query, "msg_signature", Get(s.Query, "msg_signature") + new string('0', random.Next(1, 5000))), null));

            // --- timestamp ----------------------------------------------------------------------------------------------
            Add("timestamp:shifted", s =>
            {
                var ts = long.Parse(Get(s.Query, "timestamp"), CultureInfo.InvariantCulture) + (random.Next(2) == 0 ? -1 : 1) * random.Next(1, 200);
                return (null, With(s.Query, "timestamp", ts.ToString(CultureInfo.InvariantCulture)), null);
            });
            Add("timestamp:absurd", s => (null, With(s.Query, "timestamp", new[] { "99999999999999", "9223372036854775807", "99999999999999999999999", "-1", "abc", "", " ", "1e9", "0x10", "١٢٣" }[random.Next(10)]), null));
            Add("timestamp:leading-zero", s => (null, With(s.Query, "timestamp", "0" + Get(s.Query, "timestamp")), null));
            Add("timestamp:milliseconds", s => (null, With(s.Query, "timestamp", Get(s.Query, "timestamp") + "000"), null));
            Add("timestamp:stale-but-signed", s =>
            {
                var stale = Seal(s.IsMessage, s.Plain, timestamp: DateTimeOffset.UtcNow.AddMinutes(-random.Next(6, 600)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
                return (stale.Body, stale.Query, null);
            });
            Add("timestamp:future-but-signed", s =>
            {
                var future = Seal(s.IsMessage, s.Plain, timestamp: DateTimeOffset.UtcNow.AddMinutes(random.Next(6, 600)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
                return (future.Body, future.Query, null);
            });

            // --- nonce --------------------------------------------------------------------------------------------------
            Add("nonce:changed", s => (null, With(s.Query, "nonce", Nonce()), null));
            Add("nonce:appended", s => (null, With(s.Query, "nonce", Get(s.Query, "nonce") + random.Next(10)), null));
            Add("nonce:absurd", s => (null, With(s.Query, "nonce", new[] { "", new string('9', 5000), "12 34", "<x>", "１２３", "'--", "a\u0000b" }[random.Next(7)]), null));

            // --- case variants ------------------------------------------------------------------------------------------
            // Query names are case-insensitive in ASP.NET Core, so an upper-cased name carries the same signed values: as a
            // fresh push it would be authentic; as a copy of an accepted one it must be a replay.
            _mutators.Add(_ => Replay(r =>
            {
                var name = new[] { "msg_signature", "signature", "timestamp", "nonce", "encrypt_type" }[random.Next(5)];
                return r with { Query = r.Query.Replace(name + "=", name.ToUpperInvariant() + "=", StringComparison.Ordinal) };
            }, "replay:parameter-names-upper-case"));
            Add("case:encrypt_type-value", s => (null, With(s.Query, "encrypt_type", new[] { "AES", "Aes", "raw", "", "aes,aes" }[random.Next(5)]), null));
            Add("case:envelope-elements", s => (s.Body.Replace("<Encrypt>", "<encrypt>", StringComparison.Ordinal).Replace("</Encrypt>", "</encrypt>", StringComparison.Ordinal), null, null));
            Add("case:recipient", s =>
            {
                var recipient = s.IsMessage ? _accountUser : _appId;
                return (s.Body.Replace(recipient, recipient.ToUpperInvariant(), StringComparison.Ordinal), null, null);
            });

            // --- the envelope XML ---------------------------------------------------------------------------------------
            Add("envelope:truncated", s => (s.Body[..random.Next(0, s.Body.Length - 1)], null, null));
            Add("envelope:doctype", s => (s.Body.Replace("<xml>", "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml>", StringComparison.Ordinal), null, null));
            Add("envelope:entity-expansion", s => ("<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>" + s.Body.Replace("<Encrypt>", "<Note>&b;</Note><Encrypt>", StringComparison.Ordinal), null, null));
            Add("envelope:encrypt-twice-forged-first", s => (s.Body.Replace("<Encrypt>", "<Encrypt><![CDATA[" + Convert.ToBase64String(Random16().Concat(Random16()).ToArray()) + "]]></Encrypt><Encrypt>", StringComparison.Ordinal), null, null));
            Add("envelope:root-renamed", s => (s.Body.Replace("<xml>", "<XML>", StringComparison.Ordinal).Replace("</xml>", "</XML>", StringComparison.Ordinal), null, null));
            Add("envelope:no-encrypt", s => (s.Body.Replace("Encrypt>", "Encrypted>", StringComparison.Ordinal), null, null));
            Add("envelope:not-xml", s => (new[] { "", "success", "{\"Encrypt\":\"x\"}", "<", "\u0000\u0001" }[random.Next(5)], null, null));
            Add("envelope:oversize", s => (s.Body.Replace("</xml>", new string(' ', MaxBody + random.Next(1, 2000)) + "</xml>", StringComparison.Ordinal), null, null));

            // --- wrong appid or recipient -------------------------------------------------------------------------------
            Add("recipient:envelope-appid", s => (s.Body.Replace(_appId, "wx" + RandomKey()[..16].ToLowerInvariant(), StringComparison.Ordinal), null, null), isMessage: false);
            Add("recipient:envelope-user", s => (s.Body.Replace($"<ToUserName><![CDATA[{_accountUser}]]>", "<ToUserName><![CDATA[gh_f0220000000b]]>", StringComparison.Ordinal), null, null), isMessage: true);
            Add("recipient:inner-appid-signed", s =>
            {
                var wrong = Seal(false, ComponentPlain("wrong").Replace(_appId, "wx00000000000000ff", StringComparison.Ordinal));
                return (wrong.Body, wrong.Query, null);
            }, isMessage: false);
            Add("recipient:inner-user-signed", s =>
            {
                var wrong = Seal(true, MessagePlain("wrong", toUser: "gh_f0220000000b"));
                return (wrong.Body, wrong.Query, null);
            }, isMessage: true);
            Add("recipient:other-account-path", s => (null, null, "/wechat/accounts/wxf0220000000000bb/events"), isMessage: true);
            Add("recipient:unknown-account-path", s => (null, null, $"/wechat/accounts/wx{RandomKey()[..16].ToLowerInvariant()}/events"), isMessage: true);
            Add("recipient:malformed-path", s => (null, null, "/wechat/accounts/" + new[] { "wx123", "..%2F..%2Fetc", "WXF0220000000000AA", "wx%20f0220000000000a", new string('w', 300) }[random.Next(5)] + "/events"), isMessage: true);
            Add("recipient:wrong-url", s => (null, null, s.IsMessage ? EventPath : $"/wechat/accounts/{_accountAppId}/events"));

            // --- odd encodings ------------------------------------------------------------------------------------------
            _mutators.Add(_ =>
            {
                var s = Fresh();
                var (encoding, name) = new (Encoding, string)[] { (Encoding.Unicode, "utf-16"), (Encoding.UTF32, "utf-32"), (Encoding.BigEndianUnicode, "utf-16be") }[random.Next(3)];
                return new Request("POST", s.Path, QueryOf(s.Query), encoding.GetBytes(s.Body), "text/xml; charset=" + name, Expect.Refused, "encoding:utf16-utf32");
            });
            _mutators.Add(_ =>
            {
                var s = Fresh();
                var bytes = Encoding.UTF8.GetBytes(s.Body).ToList();
                var at = Encoding.UTF8.GetBytes(s.Body[..s.Body.IndexOf("<Encrypt><![CDATA[", StringComparison.Ordinal)]).Length + 18 + random.Next(1, 20);
                bytes.InsertRange(at, new byte[] { 0xC3, 0x28, 0xFF });
                return new Request("POST", s.Path, QueryOf(s.Query), bytes.ToArray(), "text/xml", Expect.Refused, "encoding:invalid-utf8");
            });
            _mutators.Add(_ =>
            {
                var s = Fresh();
                using var compressed = new MemoryStream();
                using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(Encoding.UTF8.GetBytes(s.Body));
                }

                return new Request("POST", s.Path, QueryOf(s.Query), compressed.ToArray(), "text/xml", Expect.Refused, "encoding:gzip", "gzip");
            });
            Add("encoding:percent-encoded-ciphertext", s => (WithEncrypt(s.Body, Uri.EscapeDataString(EncryptOf(s.Body))), null, null));
            Add("encoding:html-entities-in-envelope", s => (s.Body.Replace("<![CDATA[" + EncryptOf(s.Body) + "]]>", WebUtility.HtmlEncode(EncryptOf(s.Body)).Replace("A", "&#65;", StringComparison.Ordinal) + "x", StringComparison.Ordinal), null, null));

            // --- replays ------------------------------------------------------------------------------------------------
            _mutators.Add(_ => Replay(r => r, "replay:identical"));
            _mutators.Add(_ => Replay(r => r with { Query = ReplaceValue(r.Query, "msg_signature", v => v.ToUpperInvariant()) }, "replay:msg_signature-upper-case"));
            _mutators.Add(_ => Replay(r => r with { Query = ReplaceValue(ReplaceValue(r.Query, "signature", v => v.ToUpperInvariant()), "msg_signature", v => v[..20].ToUpperInvariant() + v[20..]) }, "replay:mixed-case-signatures"));
            _mutators.Add(_ => Replay(r => r with { Query = r.Query + "&extra=" + random.Next() }, "replay:extra-parameter"));

            // --- methods ------------------------------------------------------------------------------------------------
            _mutators.Add(_ =>
            {
                var s = Fresh();
                return ToRequest(s, Expect.Refused, "method:get-put-delete") with { Method = new[] { "GET", "PUT", "DELETE", "PATCH" }[random.Next(4)] };
            });

            // --- authentic, but the plaintext cannot be understood: kept as poison ---------------------------------------
            AddPoison("poison:create-time-out-of-range", m => m
                ? MessagePlain("poison", createTime: new[] { "99999999999999", "-5", "9223372036854775807" }[random.Next(3)])
                : ComponentPlain("poison", new[] { "99999999999999", "-5", "9223372036854775807" }[random.Next(3)]));
            AddPoison("poison:plaintext-truncated", m => { var p = m ? MessagePlain("poison") : ComponentPlain("poison"); return p[..random.Next(1, p.Length - 3)]; });
            AddPoison("poison:plaintext-doctype", m => "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + (m ? MessagePlain("poison") : ComponentPlain("poison")).Replace("<CreateTime>", "<Leak>&x;</Leak><CreateTime>", StringComparison.Ordinal));
            AddPoison("poison:plaintext-not-a-push", m => m ? $"<xml><Nothing>{++_counter}</Nothing></xml>" : $"<xml><AppId>{_appId}</AppId><Seq>{++_counter}</Seq></xml>");
            AddPoison("poison:plaintext-not-xml", _ => $"not xml at all {++_counter} \u4e2d\u6587 <<>>");
        }

        private static string ReplaceValue(string query, string name, Func<string, string> change)
            => string.Join('&', query.Split('&').Select(p => p.StartsWith(name + "=", StringComparison.Ordinal) ? name + "=" + change(p[(name.Length + 1)..]) : p));

        private Request Replay(Func<Request, Request> change, string kind)
        {
            if (Accepted.Count == 0)
            {
                return ToRequest(Fresh(), Expect.Refused, "replay:identical") with { Query = string.Empty };
            }

            var original = Accepted[random.Next(Accepted.Count)];
            return change(original) with { Expect = Expect.Refused, Kind = kind };
        }
    }
}
