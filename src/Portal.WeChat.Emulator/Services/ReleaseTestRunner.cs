using Portal.WeChat.Emulator.Model;
using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Xml;

namespace Portal.WeChat.Emulator.Services;

/// <summary>One case of the full-network release test and how it went.</summary>
public sealed record ReleaseTestCase(string Name, string AppId, bool Passed, string Detail);

/// <summary>The report of one run for one test group.</summary>
public sealed record ReleaseTestReport(int Group, DateTimeOffset StartedAt, bool Passed, IReadOnlyList<ReleaseTestCase> Cases);

/// <summary>
/// WeChat's automated 全网发布 test (reference §7) for one of the five groups: ticket push; for the group's official
/// account and mini program a text message that must get the encrypted passive reply
/// <c>TESTCOMPONENT_MSG_TYPE_TEXT_callback</c>; <c>QUERY_AUTH_CODE:&lt;code&gt;</c> that must get an empty reply and
/// then api_query_auth on the code and message/custom/send with <c>&lt;code&gt;_from_api</c>; and an event that must
/// get <c>&lt;Event&gt;from_callback</c>.
/// </summary>
public sealed class ReleaseTestRunner(EmulatorState state, PushSender sender, TimeProvider time)
{
    public const string TextCase = "TESTCOMPONENT_MSG_TYPE_TEXT";
    private readonly List<ReleaseTestReport> _reports = [];

    public IReadOnlyList<ReleaseTestReport> Reports
    {
        get
        {
            lock (_reports)
            {
                return _reports.ToList();
            }
        }
    }

    public async Task<ReleaseTestReport> RunAsync(int group, CancellationToken cancellationToken)
    {
        var accounts = state.Accounts.Where(a => a.ReleaseTestGroup == group).OrderBy(a => a.IsMiniProgram).ToList();
        if (accounts.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(group), "the release test groups are 1 to 5");
        }

        var startedAt = time.GetUtcNow();
        var cases = new List<ReleaseTestCase>();
        var ticket = await sender.PushTicketAsync(cancellationToken).ConfigureAwait(false);
        cases.Add(new ReleaseTestCase("component_verify_ticket", state.Options.ComponentAppId, ticket, ticket ? "answered success" : "the event URL did not answer success"));

        foreach (var account in accounts)
        {
            EnsureAuthorized(account);
            cases.Add(await TextCaseAsync(account, cancellationToken).ConfigureAwait(false));
            cases.Add(await ApiCaseAsync(account, cancellationToken).ConfigureAwait(false));
            cases.Add(await EventCaseAsync(account, cancellationToken).ConfigureAwait(false));
        }

        var report = new ReleaseTestReport(group, startedAt, cases.All(c => c.Passed), cases);
        lock (_reports)
        {
            _reports.Add(report);
        }

        return report;
    }

    /// <summary>WeChat's test accounts authorize the platform by themselves when the test starts.</summary>
    private void EnsureAuthorized(EmulatedAccount account)
    {
        if (state.FindAuthorization(account.AppId) is { Active: true })
        {
            return;
        }

        var (preAuthCode, _) = state.IssuePreAuthCode();
        var sets = Protocol.Permissions.FuncScopeCatalog.All
            .Where(s => s.Side == (account.IsMiniProgram ? Protocol.Permissions.AccountSide.MiniProgram : Protocol.Permissions.AccountSide.OfficialAccount))
            .Select(s => s.Id).ToList();
        state.ConfirmAuthorization(preAuthCode, account.AppId, sets);
    }

    private async Task<ReleaseTestCase> TextCaseAsync(EmulatedAccount account, CancellationToken cancellationToken)
    {
        var openId = NewOpenId();
        var answer = await sender.PushAccountMessageAsync(account, openId, Text(account, openId, TextCase), cancellationToken).ConfigureAwait(false);
        var name = "text passive reply";
        if (answer.Error is not null || answer.Body is null)
        {
            return new ReleaseTestCase(name, account.AppId, false, answer.Error ?? "no answer");
        }

        if (answer.Elapsed > TimeSpan.FromSeconds(5))
        {
            return new ReleaseTestCase(name, account.AppId, false, $"answered after {answer.Elapsed.TotalSeconds:0.0} s (limit 5 s)");
        }

        var reply = DecryptReply(answer.Body, out var problem);
        if (reply is null)
        {
            return new ReleaseTestCase(name, account.AppId, false, problem!);
        }

        var expected = TextCase + "_callback";
        var ok = reply.MsgType == "text" && reply.Content == expected && reply.ToUserName == openId && reply.FromUserName == account.UserName;
        return new ReleaseTestCase(name, account.AppId, ok, ok ? $"replied '{expected}'" : $"replied MsgType={reply.MsgType} Content='{reply.Content}' To={reply.ToUserName} From={reply.FromUserName}");
    }

    private async Task<ReleaseTestCase> ApiCaseAsync(EmulatedAccount account, CancellationToken cancellationToken)
    {
        var openId = NewOpenId();
        var (code, _) = state.MintAuthCode(account.AppId);
        var answer = await sender.PushAccountMessageAsync(account, openId, Text(account, openId, "QUERY_AUTH_CODE:" + code), cancellationToken).ConfigureAwait(false);
        var name = "QUERY_AUTH_CODE customer-service reply";
        if (answer.Error is not null)
        {
            return new ReleaseTestCase(name, account.AppId, false, answer.Error);
        }

        if (!string.IsNullOrEmpty(answer.Body) && answer.Body.Trim() != "success")
        {
            return new ReleaseTestCase(name, account.AppId, false, "the immediate answer must be empty, got a passive reply");
        }

        var expected = code + "_from_api";
        // Real time: the portal's customer-service call is network work, whatever the emulated clock says.
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        while (waiting.Elapsed < state.Options.ReleaseTestApiReplyTimeout)
        {
            var queried = state.Calls.Any(c => c.Api == "api_query_auth" && c.ErrCode == 0 && c.Parameters.TryGetValue("authorization_code", out var value) && value == code);
            var sent = state.CustomMessages.Any(m => m.AuthorizerAppId == account.AppId && m.ToUser == openId && m.Content == expected);
            if (queried && sent)
            {
                return new ReleaseTestCase(name, account.AppId, true, $"api_query_auth called and '{expected}' sent");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }

        return new ReleaseTestCase(name, account.AppId, false, $"no api_query_auth on the code and customer-service message '{expected}' within {state.Options.ReleaseTestApiReplyTimeout.TotalSeconds:0} s");
    }

    private async Task<ReleaseTestCase> EventCaseAsync(EmulatedAccount account, CancellationToken cancellationToken)
    {
        var openId = NewOpenId();
        var xml = new WireXml()
            .Text("ToUserName", account.UserName)
            .Text("FromUserName", openId)
            .Number("CreateTime", time.GetUtcNow().ToUnixTimeSeconds())
            .Text("MsgType", "event")
            .Text("Event", "LOCATION")
            .Text("Latitude", "23.137466")
            .Text("Longitude", "113.352425")
            .Text("Precision", "119.385040")
            .ToString();
        var answer = await sender.PushAccountMessageAsync(account, openId, xml, cancellationToken).ConfigureAwait(false);
        var name = "event reply";
        if (answer.Error is not null || answer.Body is null)
        {
            return new ReleaseTestCase(name, account.AppId, false, answer.Error ?? "no answer");
        }

        var reply = DecryptReply(answer.Body, out var problem);
        var ok = reply is not null && reply.Content == "LOCATIONfrom_callback" && reply.ToUserName == openId;
        return new ReleaseTestCase(name, account.AppId, ok, ok ? "replied 'LOCATIONfrom_callback'" : problem ?? $"replied '{reply?.Content}'");
    }

    private AccountMessage? DecryptReply(string body, out string? problem)
    {
        try
        {
            var root = SafeXml.ParseRoot(body);
            var crypto = new MessageCrypto(state.Options.Token, EncodingAesKey.Parse(state.Options.EncodingAesKey), state.Options.ComponentAppId);
            var plain = crypto.VerifyAndDecrypt(SafeXml.Required(root, "MsgSignature"), SafeXml.Required(root, "TimeStamp"), SafeXml.Required(root, "Nonce"), SafeXml.Required(root, "Encrypt"));
            problem = null;
            return AccountMessage.Parse(plain);
        }
        catch (WeChatCryptoException ex)
        {
            problem = "the reply is not a valid encrypted passive reply: " + ex.Message;
            return null;
        }
    }

    private string Text(EmulatedAccount account, string openId, string content)
        => new WireXml()
            .Text("ToUserName", account.UserName)
            .Text("FromUserName", openId)
            .Number("CreateTime", time.GetUtcNow().ToUnixTimeSeconds())
            .Text("MsgType", "text")
            .Text("Content", content)
            .Number("MsgId", Random.Shared.NextInt64(1_000_000_000_000_000, long.MaxValue))
            .ToString();

    private static string NewOpenId() => "o" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(21)).Replace('+', '-').Replace('/', '_')[..27];
}
