using System.Globalization;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.Pushes;

/// <summary>What every POST from WeChat carries (reference §1.2): the body and the signed query values.</summary>
public sealed record SignedRequest(string Body, string Timestamp, string Nonce, string Signature, string MsgSignature)
{
    /// <summary>The key the replay guard remembers: the same signed request twice is a replay.</summary>
    public string ReplayKey(string prefix) => $"{prefix}{Timestamp}:{Nonce}:{MsgSignature}";

    /// <summary>
    /// Reads the body (at most 64 KiB) and checks what needs no key: <c>encrypt_type=aes</c>, a timestamp and a nonce,
    /// and the timestamp within <c>WeChat:PushMaxClockSkew</c> of our clock. On failure: the answer and the reason
    /// to log (never the body).
    /// </summary>
    public static async Task<(SignedRequest? Request, IResult? Refusal, string? Reason)> ReadAsync(HttpContext context, WeChatOptions options, TimeProvider time)
    {
        var query = context.Request.Query;
        string timestamp = query["timestamp"].ToString(), nonce = query["nonce"].ToString();
        var body = await ComponentEventEndpoint.ReadLimitedAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return (null, Results.StatusCode(StatusCodes.Status413PayloadTooLarge), "body larger than 64 KiB");
        }

        if (query["encrypt_type"] != "aes" || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(nonce))
        {
            return (null, Results.BadRequest("bad request"), "missing encrypt_type=aes, timestamp or nonce");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)
            || (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(unix)).Duration() > options.PushMaxClockSkew)
        {
            return (null, Results.BadRequest("stale timestamp"), "timestamp outside the accepted window");
        }

        return (new SignedRequest(body, timestamp, nonce, query["signature"].ToString(), query["msg_signature"].ToString()), null, null);
    }
}
