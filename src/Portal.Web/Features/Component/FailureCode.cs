namespace Portal.Web.Features.Component;

/// <summary>
/// The portal's own refusals. Each has a stable machine code (<see cref="FailureCodes.Machine"/>) that the JSON
/// endpoints answer with and the resources word as <c>failure.{code}</c>; arguments travel in
/// <see cref="PortalException.Arguments"/>.
/// </summary>
public enum FailureCode
{
    Forbidden,
    /// <summary>Arguments: the wait in seconds.</summary>
    RateLimited,
    BadKeyName,
    /// <summary>Arguments: the most appids a key may list.</summary>
    BadKeyAppIds,
    BadKeyScope,
    KeyNotFound,
    BadBizAppId,
    BadCategory,
    NotAuthorized,
    UserSelfDisable,
    UserLastAdmin,
    UserUnknownShop,
    UserNameRequired,
    UserRoleRequired,
    UserPasswordRequired,
    UserNotFound,
    /// <summary>Arguments: ASP.NET Identity's error codes (<c>DuplicateUserName</c>, <c>PasswordTooShort</c>, …).</summary>
    UserInvalid,
    NoTicket,
    InviteInvalid,
    InviteExpired,
    InviteUsed,
    AttemptInvalid,
    AttemptExpired,
    CodeRefused,
}

public static class FailureCodes
{
    /// <summary>The stable code machines and resources know a failure by (<c>invite_expired</c>).</summary>
    public static string Machine(this FailureCode code) => code switch
    {
        FailureCode.Forbidden => "forbidden",
        FailureCode.RateLimited => "rate_limited",
        FailureCode.BadKeyName => "bad_key_name",
        FailureCode.BadKeyAppIds => "bad_key_appids",
        FailureCode.BadKeyScope => "bad_key_scope",
        FailureCode.KeyNotFound => "key_not_found",
        FailureCode.BadBizAppId => "bad_biz_appid",
        FailureCode.BadCategory => "bad_category",
        FailureCode.NotAuthorized => "not_authorized",
        FailureCode.UserSelfDisable => "user_self_disable",
        FailureCode.UserLastAdmin => "user_last_admin",
        FailureCode.UserUnknownShop => "user_unknown_shop",
        FailureCode.UserNameRequired => "user_name_required",
        FailureCode.UserRoleRequired => "user_role_required",
        FailureCode.UserPasswordRequired => "user_password_required",
        FailureCode.UserNotFound => "user_not_found",
        FailureCode.UserInvalid => "user_invalid",
        FailureCode.NoTicket => "no_ticket",
        FailureCode.InviteInvalid => "invite_invalid",
        FailureCode.InviteExpired => "invite_expired",
        FailureCode.InviteUsed => "invite_used",
        FailureCode.AttemptInvalid => "attempt_invalid",
        FailureCode.AttemptExpired => "attempt_expired",
        FailureCode.CodeRefused => "code_refused",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, null),
    };
}
