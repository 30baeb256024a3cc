namespace Portal.WeChat.Protocol.Crypto;

/// <summary>
/// The one exception raised by the protocol library for signature, crypto and XML failures.
/// Its message never contains the payload, keys or tokens.
/// </summary>
public sealed class WeChatCryptoException : Exception
{
    /// <summary>Creates the exception with an official reason code.</summary>
    public WeChatCryptoException(WeChatCryptoErrorCode code, string message, Exception? inner = null)
        : base($"{message} ({(int)code} {code})", inner)
    {
        Code = code;
    }

    /// <summary>The official reason code (-40001 … -40011).</summary>
    public WeChatCryptoErrorCode Code { get; }
}
