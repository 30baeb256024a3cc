using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Xml;

namespace Portal.WeChat.Emulator.Tests;

/// <summary>What the emulator pushed, as the receiving side saw it after verifying and decrypting it.</summary>
public sealed record ReceivedPush(IReadOnlyDictionary<string, string> Query, string EnvelopeAppId, ComponentPush Push);

/// <summary>
/// Stands where the portal stands: receives component pushes and account messages on a real loopback port, verifies
/// them with the protocol library, and answers the release test as a correct platform would (or deliberately not).
/// </summary>
public sealed class PortalReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _answers = new();
    private readonly MessageCrypto _crypto;

    private PortalReceiver(WebApplication app, MessageCrypto crypto)
    {
        _app = app;
        _crypto = crypto;
    }

    public ConcurrentQueue<ReceivedPush> Pushes { get; } = new();

    public ConcurrentQueue<string> Failures { get; } = new();

    public string BaseUrl => _app.Urls.First();

    /// <summary>Set by the harness: answers QUERY_AUTH_CODE like a platform (api_query_auth, then custom send).</summary>
    public Func<string, string, string, Task>? OnQueryAuthCode { get; set; }

    /// <summary>When false the receiver answers messages with "success" only (a platform that fails the release test).</summary>
    public bool AnswerReleaseTest { get; set; } = true;

    /// <summary>Queue answers for the next component pushes (default "success").</summary>
    public void AnswerNext(params string[] answers)
    {
        foreach (var answer in answers)
        {
            _answers.Enqueue(answer);
        }
    }

    public static async Task<PortalReceiver> StartAsync(MessageCrypto crypto)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new PortalReceiver(app, crypto);
        app.MapPost("/events", (Delegate)receiver.OnEventAsync);
        app.MapPost("/messages/{appId}", (Delegate)receiver.OnMessageAsync);
        await app.StartAsync();
        return receiver;
    }

    public async Task<ReceivedPush> WaitForPushAsync(Func<ReceivedPush, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (Pushes.FirstOrDefault(match) is { } push)
            {
                return push;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("no matching push arrived; failures: " + string.Join("; ", Failures));
    }

    private async Task<IResult> OnEventAsync(HttpContext context)
    {
        var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        try
        {
            var envelope = EncryptedEnvelope.ParseComponentPush(body);
            if (!_crypto.VerifyUrlSignature(query.GetValueOrDefault("signature"), query["timestamp"], query["nonce"]))
            {
                throw new InvalidOperationException("signature mismatch");
            }

            var xml = _crypto.VerifyAndDecrypt(query.GetValueOrDefault("msg_signature"), query["timestamp"], query["nonce"], envelope.Encrypt);
            Pushes.Enqueue(new ReceivedPush(query, envelope.Recipient, ComponentPush.Parse(xml)));
        }
        catch (Exception ex) when (ex is WeChatCryptoException or InvalidOperationException or KeyNotFoundException)
        {
            Failures.Enqueue(ex.Message);
            return Results.BadRequest();
        }

        return Results.Text(_answers.TryDequeue(out var answer) ? answer : "success");
    }

    private async Task<IResult> OnMessageAsync(HttpContext context, string appId)
    {
        var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        var envelope = EncryptedEnvelope.ParseAccountMessage(body);
        var message = AccountMessage.Parse(_crypto.VerifyAndDecrypt(query["msg_signature"], query["timestamp"], query["nonce"], envelope.Encrypt));
        if (!AnswerReleaseTest || message.ToUserName != envelope.Recipient || query.GetValueOrDefault("openid") != message.FromUserName)
        {
            return Results.Text("success");
        }

        string Reply(string content) => ReplyXml.Encrypted(_crypto, ReplyXml.Text(message.FromUserName, message.ToUserName, message.CreateTime, content), query["timestamp"], query["nonce"]);

        if (message.MsgType == "event")
        {
            return Results.Text(Reply(message.Event + "from_callback"), "text/xml", Encoding.UTF8);
        }

        if (message.Content == "TESTCOMPONENT_MSG_TYPE_TEXT")
        {
            return Results.Text(Reply("TESTCOMPONENT_MSG_TYPE_TEXT_callback"), "text/xml", Encoding.UTF8);
        }

        if (message.Content?.StartsWith("QUERY_AUTH_CODE:", StringComparison.Ordinal) == true && OnQueryAuthCode is { } handler)
        {
            var code = message.Content["QUERY_AUTH_CODE:".Length..];
            _ = Task.Run(() => handler(appId, code, message.FromUserName));
            return Results.Text(string.Empty);
        }

        return Results.Text("success");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
