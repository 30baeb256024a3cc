using Portal.WeChat.Protocol.Errors;

namespace Portal.WeChat.Client;

/// <summary>A WeChat API call failed: an <c>errcode</c> from WeChat or, with code -1, a transport failure.</summary>
public sealed class WeChatApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WeChatApiException(string api, int errorCode, string errorMessage, Exception? inner = null)
        : base($"{api} failed: errcode {errorCode} ({errorMessage})", inner)
    {
        Api = api;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        Error = WeChatErrorCatalog.Get(errorCode);
    }

    /// <summary>The API name, e.g. <c>api_query_auth</c>.</summary>
    public string Api { get; }

    /// <summary>WeChat's errcode (-1 also for transport failures).</summary>
    public int ErrorCode { get; }

    /// <summary>WeChat's errmsg, as returned.</summary>
    public string ErrorMessage { get; }

    /// <summary>What the code means and what to do.</summary>
    public WeChatError Error { get; }

    /// <summary>The category the caller acts on.</summary>
    public WeChatErrorCategory Category => Error.Category;
}
