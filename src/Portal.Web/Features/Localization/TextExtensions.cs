using System.Globalization;
using Microsoft.Extensions.Localization;
using Portal.WeChat.Protocol.Permissions;
using Portal.Web.Features.Admin;

namespace Portal.Web.Features.Localization;

/// <summary>
/// Where typed outcomes become sentences (failures are in <see cref="ErrorText"/>, job outcomes in
/// <see cref="JobOutcomeText"/>). WeChat's permission-set catalogue carries the names WeChat's documentation gives
/// each set, in Chinese and English, as data; the reader's culture picks one here.
/// </summary>
public static class TextExtensions
{
    /// <summary>A permission set's name as WeChat's documentation gives it.</summary>
    public static string Name(this IStringLocalizer texts, FuncScope scope)
        => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "zh" ? scope.NameZh : scope.NameEn;

    /// <summary>A readiness finding as a sentence.</summary>
    public static string Finding(this IStringLocalizer texts, ReadinessFinding finding)
    {
        var sentence = texts[finding.Key, finding.Arguments].Value;
        if (finding.WeChatErrCode is { } code)
        {
            sentence += " " + texts.WeChatError(code);
        }

        if (finding.Failure is { } stored)
        {
            sentence += " " + texts.StoredFailure(stored);
        }

        return sentence;
    }
}
