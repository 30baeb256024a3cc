using System.Text.RegularExpressions;
using Portal.WeChat.Protocol.Errors;

namespace Portal.Web.Features.Localization;

/// <summary>Turns a stored error ("api_authorizer_token: errcode 61023 …") into a sentence in the user's language with what to do.</summary>
public static partial class ErrorText
{
    public static string? Explain(string? stored, bool english)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return stored;
        }

        var match = ErrCode().Match(stored);
        return match.Success && int.TryParse(match.Groups[1].Value, out var code)
            ? $"{WeChatErrorCatalog.Get(code).Describe(english)} (errcode {code})"
            : stored;
    }

    [GeneratedRegex(@"errcode (-?\d+)")]
    private static partial Regex ErrCode();
}
