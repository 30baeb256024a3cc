using System.Globalization;
using Microsoft.Extensions.Localization;
using Portal.Data.Entities;
using Portal.WeChat.Protocol.Errors;
using Portal.Web.Features.Component;

namespace Portal.Web.Features.Localization;

/// <summary>
/// The one place where typed failures become sentences, in the reader's language: the portal's own refusals
/// (<see cref="PortalException"/>), WeChat's errcodes and failures stored as data (<see cref="StoredFailure"/>).
/// </summary>
public static class ErrorText
{
    /// <summary>A refusal in the reader's language, from <c>failure.{code}</c> with its arguments.</summary>
    public static string Failure(this IStringLocalizer texts, PortalException failure)
        => failure.Failure == FailureCode.UserInvalid
            ? texts["failure.user_invalid", string.Join(" ", failure.Arguments.Select(code => IdentityError(texts, code.ToString() ?? "")))]
            : texts["failure." + failure.Code, [.. failure.Arguments]];

    /// <summary>WeChat's errcode explained, with the code for whoever asks WeChat's support.</summary>
    public static string WeChatError(this IStringLocalizer texts, int errCode)
        => texts["wechat.errcode", Explain(texts, errCode), errCode];

    /// <summary>A failure recorded as data, in words; null when nothing failed.</summary>
    public static string? StoredFailure(this IStringLocalizer texts, StoredFailure? failure) => failure switch
    {
        null => null,
        { Kind: FailureKind.WeChatApi, ErrCode: { } code } => texts["stored.wechat", failure.Api ?? "", texts.WeChatError(code)],
        { Kind: FailureKind.RefreshTokenLost } => texts["stored.refresh_token_lost", failure.Api ?? "", failure.ErrCode ?? 0],
        { Kind: FailureKind.RefreshTokenRepaired } => texts["stored.refresh_token_repaired"],
        { Kind: FailureKind.Portal, Code: { } code } when texts["failure." + code] is { ResourceNotFound: false } text => text.Value,
        { Kind: FailureKind.Poison } => texts[failure.Code switch { "Malformed" => "pushes.reason.malformed", "CreateTime" => "pushes.reason.create_time", _ => "pushes.reason.unknown" }],
        _ => texts["stored.unexpected", failure.Code ?? failure.Kind.ToString()],
    };

    /// <summary>
    /// A refusal worded for machines (the JSON endpoints' <c>message</c>): the English resources, whatever the
    /// request's culture, so internal services read one stable language next to the stable <c>code</c>.
    /// </summary>
    public static string ForMachines(this IStringLocalizer texts, PortalException failure)
    {
        var culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
        try
        {
            return texts.Failure(failure);
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }
    }

    private static string Explain(IStringLocalizer texts, int errCode)
        => WeChatErrorCatalog.IsKnown(errCode) ? texts["wechat.err." + errCode.ToString(CultureInfo.InvariantCulture)] : texts["wechat.err.unknown", errCode];

    private static string IdentityError(IStringLocalizer texts, string code)
        => texts["identity." + code] is { ResourceNotFound: false } text ? text.Value : texts["identity.other", code];
}
