using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.WeChat.Emulator.Model;
using Portal.WeChat.Protocol.Crypto;

namespace Portal.WeChat.Emulator.Services;

/// <summary>
/// Sends what WeChat sends: component pushes to the event URL (AppId envelope) and account messages to the
/// message URL (ToUserName envelope, <c>$APPID$</c> substituted, <c>openid</c> added), encrypted and signed with the
/// component's token and key, all five (six) query parameters present. A component push answered with anything but
/// <c>success</c> is retried like WeChat.
/// </summary>
public sealed partial class PushSender(
    IHttpClientFactory httpClientFactory,
    EmulatorState state,
    IOptionsMonitor<EmulatorOptions> options,
    TimeProvider time,
    ILogger<PushSender> logger)
{
    public const string HttpClientName = "wechat-emulator-push";

    private MessageCrypto Crypto
    {
        get
        {
            var o = options.CurrentValue;
            return new MessageCrypto(o.Token, EncodingAesKey.Parse(o.EncodingAesKey), o.ComponentAppId);
        }
    }

    /// <summary>Pushes a ticket; true when the portal answered <c>success</c>.</summary>
    public Task<bool> PushTicketAsync(CancellationToken cancellationToken)
    {
        var o = options.CurrentValue;
        var xml = new WireXml()
            .Text("AppId", o.ComponentAppId)
            .Number("CreateTime", time.GetUtcNow().ToUnixTimeSeconds())
            .Text("InfoType", "component_verify_ticket")
            .Text("ComponentVerifyTicket", state.NextTicketForPush())
            .ToString();
        return PushComponentAsync("component_verify_ticket", xml, null, cancellationToken);
    }

    /// <summary>Pushes <c>authorized</c> or <c>updateauthorized</c>.</summary>
    public Task<bool> PushGrantAsync(AuthorizationGrant grant, CancellationToken cancellationToken)
    {
        var infoType = grant.IsUpdate ? "updateauthorized" : "authorized";
        var xml = new WireXml()
            .Text("AppId", options.CurrentValue.ComponentAppId)
            .Number("CreateTime", time.GetUtcNow().ToUnixTimeSeconds())
            .Text("InfoType", infoType)
            .Text("AuthorizerAppid", grant.AppId)
            .Text("AuthorizationCode", grant.AuthCode)
            .Number("AuthorizationCodeExpiredTime", grant.ExpiresAt.ToUnixTimeSeconds());
        if (grant.PreAuthCode is not null)
        {
            xml.Text("PreAuthCode", grant.PreAuthCode);
        }

        return PushComponentAsync(infoType, xml.ToString(), grant.AppId, cancellationToken);
    }

    /// <summary>Pushes <c>unauthorized</c>.</summary>
    public Task<bool> PushUnauthorizedAsync(string appId, CancellationToken cancellationToken)
    {
        var xml = new WireXml()
            .Text("AppId", options.CurrentValue.ComponentAppId)
            .Number("CreateTime", time.GetUtcNow().ToUnixTimeSeconds())
            .Text("InfoType", "unauthorized")
            .Text("AuthorizerAppid", appId)
            .ToString();
        return PushComponentAsync("unauthorized", xml, appId, cancellationToken);
    }

    /// <summary>Encrypts, signs and posts a component push, retrying a non-<c>success</c> answer.</summary>
    public async Task<bool> PushComponentAsync(string kind, string plainXml, string? authorizerAppId, CancellationToken cancellationToken)
    {
        var o = options.CurrentValue;
        if (string.IsNullOrWhiteSpace(o.EventUrl))
        {
            state.RecordPush(kind, string.Empty, authorizerAppId, 1, "no event URL configured", null, null);
            return false;
        }

        if (state.DrawFault("push:" + kind) is { Kind: FaultKind.DropPush })
        {
            state.RecordPush(kind, o.EventUrl, authorizerAppId, 1, "dropped (fault)", null, null);
            return false;
        }

        for (var attempt = 1; attempt <= 1 + Math.Max(0, o.PushRetries); attempt++)
        {
            var crypto = Crypto;
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var nonce = MessageCrypto.NewNonce();
            var encrypted = crypto.Encrypt(plainXml, timestamp, nonce);
            var body = new WireXml().Text("AppId", o.ComponentAppId).Text("Encrypt", encrypted.Encrypt).ToString();
            var url = AppendQuery(o.EventUrl, $"signature={crypto.ComputeUrlSignature(timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}&encrypt_type=aes&msg_signature={encrypted.MsgSignature}");

            var (status, answer, error) = await PostAsync(url, body, o.PushTimeout, cancellationToken).ConfigureAwait(false);
            var ok = status is >= 200 and < 300 && answer?.Trim() == "success";
            state.RecordPush(kind, o.EventUrl, authorizerAppId, attempt, ok ? "success" : error ?? "not success", status, Truncate(answer));
            if (ok)
            {
                return true;
            }

            LogPushFailed(logger, kind, attempt, status ?? 0, error ?? "answer was not 'success'");
            if (attempt <= o.PushRetries)
            {
                await Task.Delay(o.PushRetryDelay, time, cancellationToken).ConfigureAwait(false);
            }
        }

        state.RecordPush(kind, o.EventUrl, authorizerAppId, 0, "failed", null, null);
        return false;
    }

    /// <summary>Posts a message of an authorized account to the message URL; returns the raw answer (for the release test).</summary>
    public async Task<AccountMessageAnswer> PushAccountMessageAsync(EmulatedAccount account, string openId, string plainXml, CancellationToken cancellationToken)
    {
        var o = options.CurrentValue;
        var url = o.MessageUrlPattern.Replace("$APPID$", account.AppId, StringComparison.Ordinal);
        var crypto = Crypto;
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = MessageCrypto.NewNonce();
        var encrypted = crypto.Encrypt(plainXml, timestamp, nonce);
        var body = new WireXml().Text("ToUserName", account.UserName).Text("Encrypt", encrypted.Encrypt).ToString();
        var fullUrl = AppendQuery(url, $"signature={crypto.ComputeUrlSignature(timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}&openid={Uri.EscapeDataString(openId)}&encrypt_type=aes&msg_signature={encrypted.MsgSignature}");

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (status, answer, error) = await PostAsync(fullUrl, body, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        state.RecordPush("message", url, account.AppId, 1, error ?? "answered", status, Truncate(answer));
        return new AccountMessageAnswer(status, answer, error, elapsed);
    }

    private async Task<(int? Status, string? Body, string? Error)> PostAsync(string url, string body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "text/xml");
            using var response = await httpClientFactory.CreateClient(HttpClientName).PostAsync(url, content, timeoutSource.Token).ConfigureAwait(false);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(timeoutSource.Token).ConfigureAwait(false), response.StatusCode == HttpStatusCode.OK ? null : $"HTTP {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, null, "timed out");
        }
        catch (HttpRequestException ex)
        {
            return (null, null, "connection failed: " + ex.HttpRequestError);
        }
    }

    private static string AppendQuery(string url, string query) => url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;

    private static string? Truncate(string? text) => text is { Length: > 300 } ? text[..300] + "…" : text;

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Emulator push {Kind} attempt {Attempt} failed (HTTP {Status}): {Reason}")]
    private static partial void LogPushFailed(ILogger logger, string kind, int attempt, int status, string reason);
}

/// <summary>What the portal answered to an account message.</summary>
public sealed record AccountMessageAnswer(int? Status, string? Body, string? Error, TimeSpan Elapsed);
