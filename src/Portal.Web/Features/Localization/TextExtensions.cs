using Microsoft.Extensions.Localization;
using Portal.WeChat.Protocol.Errors;
using Portal.WeChat.Protocol.Permissions;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Component;

namespace Portal.Web.Features.Localization;

/// <summary>
/// Where typed outcomes become sentences: failures, WeChat error codes, permission-set names, stored errors.
/// The WeChat catalogues (error codes, permission sets) carry their own Chinese and English names as data.
/// </summary>
public static class TextExtensions
{
    /// <summary>A typed failure in the reader's language ("failure.{code}" when the resources have it).</summary>
    public static string Failure(this IStringLocalizer texts, PortalException failure)
    {
        var text = texts["failure." + failure.Code];
        return text.ResourceNotFound ? failure.Describe(UiCulture.IsEnglish) : text.Value;
    }

    /// <summary>WeChat's errcode explained, with the code for whoever asks WeChat's support.</summary>
    public static string WeChatError(this IStringLocalizer texts, int errCode)
        => texts["wechat.errcode", WeChatErrorCatalog.Get(errCode).Describe(UiCulture.IsEnglish), errCode];

    /// <summary>A permission set's name as WeChat's documentation gives it.</summary>
    public static string Name(this IStringLocalizer texts, FuncScope scope) => scope.Name(UiCulture.IsEnglish);

    /// <summary>A stored failure ("api: errcode N") explained.</summary>
    public static string? StoredError(this IStringLocalizer texts, string? stored) => ErrorText.Explain(stored, UiCulture.IsEnglish);

    /// <summary>A readiness finding as a sentence.</summary>
    public static string Finding(this IStringLocalizer texts, ReadinessFinding finding)
    {
        var sentence = texts[finding.Key, finding.Arguments].Value;
        if (finding.WeChatErrCode is { } code)
        {
            sentence += " " + texts.WeChatError(code);
        }

        if (finding.StoredError is { } stored)
        {
            sentence += " " + texts.StoredError(stored);
        }

        return sentence;
    }
}
