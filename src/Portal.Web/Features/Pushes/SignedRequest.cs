using System.Globalization;
using Portal.WeChat.Protocol.Crypto;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.Pushes;

/// <summary>What every POST from WeChat carries (reference §1.2): the body and the signed query values.</summary>
public sealed record SignedRequest(string Body, string Timestamp, string Nonce, string Signature, string MsgSignature)
{
    /// <summary>WeChat's nonces are a few digits; anything longer than this is not WeChat.</summary>
    public const int MaxNonceLength = 32;

    /// <summary>
    /// Checks the URL <c>signature</c>, then <c>msg_signature</c>, and decrypts (the plaintext must end in the component
    /// appid). -40001 on either signature mismatch, otherwise the decryption's code.
    /// </summary>
    public string VerifyAndDecrypt(MessageCrypto crypto, string encrypt)
    {
        if (!crypto.VerifyUrlSignature(Signature, Timestamp, Nonce))
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.ValidateSignatureError, "signature does not match");
        }

        return crypto.VerifyAndDecrypt(MsgSignature, Timestamp, Nonce, encrypt);
    }

    /// <summary>The answer to a request that failed verification: 401 for a signature, 400 for anything else.</summary>
    public static IResult Refuse(WeChatCryptoException exception)
        => exception.Code == WeChatCryptoErrorCode.ValidateSignatureError ? Results.Unauthorized() : Results.BadRequest("bad request");

    /// <summary>
    /// The replay-guard key of this signed request (timestamp, nonce, msg_signature): the group-commit writer refuses a
    /// second request with the same key. <paramref name="prefix"/> keeps the URLs apart.
    /// </summary>
    public string ReplayKey(string prefix)
        // Signatures compare case-insensitively, so the key must not tell "AB12" from "ab12" (or a replay gets in).
        => $"{prefix}{Timestamp}:{Nonce}:{MsgSignature.ToLowerInvariant()}";

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

        if (nonce.Length > MaxNonceLength || !nonce.All(char.IsAsciiLetterOrDigit))
        {
            return (null, Results.BadRequest("bad request"), "nonce of an impossible shape");
        }

        // Both signatures are SHA-1 in hex. Only that shape gives one signature one replay key (lower-cased below).
        if (!MessageSignature.IsSha1Hex(query["msg_signature"].ToString()) || !MessageSignature.IsSha1Hex(query["signature"].ToString()))
        {
            return (null, Results.Unauthorized(), "signature of an impossible shape");
        }

        // Compared in seconds, never turned into a date first: an absurd value is a 400, not an exception. Written without
        // leading zeros: the signature hashes its inputs joined without a separator, so "0100" + "17…" and "010" + "017…" sign
        // alike, and a zero moved from the nonce onto the timestamp would have made a new replay key for the same request.
        if (timestamp.Length > 12 || timestamp[0] == '0' || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)
            || Math.Abs(unix - time.GetUtcNow().ToUnixTimeSeconds()) > (long)options.PushMaxClockSkew.TotalSeconds)
        {
            return (null, Results.BadRequest("stale timestamp"), "timestamp outside the accepted window");
        }

        return (new SignedRequest(body, timestamp, nonce, query["signature"].ToString(), query["msg_signature"].ToString()), null, null);
    }
}
