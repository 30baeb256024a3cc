namespace Portal.WeChat.Protocol.Errors;

/// <summary>Classifies WeChat's errcodes (reference §5) and explains them to people.</summary>
public static class WeChatErrorCatalog
{
    private static readonly Dictionary<int, WeChatError> Errors = new WeChatError[]
    {
        new(WeChatErrorCodes.SystemBusy, WeChatErrorCategory.Retryable, "微信系统繁忙，稍后会自动重试。", "WeChat is busy; the call will be retried automatically."),
        new(WeChatErrorCodes.Ok, WeChatErrorCategory.Success, "成功。", "Success."),
        new(WeChatErrorCodes.InvalidCredential, WeChatErrorCategory.TokenInvalid, "访问令牌无效或已被更新的令牌取代，将刷新后重试一次。", "The access token is invalid or superseded; it is renewed and the call retried once."),
        new(WeChatErrorCodes.InvalidAccessToken, WeChatErrorCategory.TokenInvalid, "访问令牌不合法，将刷新后重试一次。", "The access token is not valid; it is renewed and the call retried once."),
        new(WeChatErrorCodes.AccessTokenExpired, WeChatErrorCategory.TokenInvalid, "访问令牌已过期，将刷新后重试一次。", "The access token has expired; it is renewed and the call retried once."),
        new(WeChatErrorCodes.InvalidAppId, WeChatErrorCategory.Configuration, "AppID 无效：请检查 WeChat:ComponentAppId 配置。", "Invalid AppID: check the WeChat:ComponentAppId setting."),
        new(WeChatErrorCodes.InvalidAppSecret, WeChatErrorCategory.Configuration, "AppSecret 无效：请检查 WeChat:ComponentAppSecret 配置。", "Invalid AppSecret: check the WeChat:ComponentAppSecret setting."),
        new(WeChatErrorCodes.AppIdMissing, WeChatErrorCategory.Configuration, "缺少 AppID：请检查 WeChat:ComponentAppId 配置。", "The AppID is missing: check the WeChat:ComponentAppId setting."),
        new(WeChatErrorCodes.AppSecretMissing, WeChatErrorCategory.Configuration, "缺少 AppSecret：请检查 WeChat:ComponentAppSecret 配置。", "The AppSecret is missing: check the WeChat:ComponentAppSecret setting."),
        new(WeChatErrorCodes.ComponentAppIdMissing, WeChatErrorCategory.Configuration, "缺少第三方平台 AppID：请检查 WeChat:ComponentAppId 配置。", "The component AppID is missing: check the WeChat:ComponentAppId setting."),
        new(WeChatErrorCodes.QuotaExceeded, WeChatErrorCategory.Quota, "该接口今日调用次数已达上限，额度重置前暂停调用。", "This API's daily quota is used up; calls pause until the quota resets."),
        new(WeChatErrorCodes.TooFrequent, WeChatErrorCategory.Retryable, "接口调用过于频繁，稍后会自动重试。", "The API was called too often; it will be retried shortly."),
        new(WeChatErrorCodes.DataFormatError, WeChatErrorCategory.Permanent, "请求数据格式错误。", "The request data was malformed."),
        new(WeChatErrorCodes.ApiUnauthorized, WeChatErrorCategory.PermissionDenied, "该帐号没有此接口的权限。", "The account has no permission for this API."),
        new(WeChatErrorCodes.ComponentNotAuthorized, WeChatErrorCategory.Revoked, "该帐号已取消对本平台的授权。需要时请邀请管理员重新授权。", "The account has cancelled its authorization. Invite its administrator to authorize again if needed."),
        new(WeChatErrorCodes.ClientIpNotRegistered, WeChatErrorCategory.Configuration, "本服务器的 IP 不在第三方平台的白名单中：请在微信开放平台后台把它加入白名单。", "This server's IP is not on the platform's whitelist: add it in the WeChat Open Platform console."),
        new(WeChatErrorCodes.TicketExpired, WeChatErrorCategory.TicketInvalid, "component_verify_ticket 已过期：等待微信的下一次推送，或请求重新推送。", "The component_verify_ticket has expired: wait for WeChat's next push or request one."),
        new(WeChatErrorCodes.TicketInvalid, WeChatErrorCategory.TicketInvalid, "component_verify_ticket 无效：等待微信的下一次推送，或请求重新推送。", "The component_verify_ticket is invalid: wait for WeChat's next push or request one."),
        new(WeChatErrorCodes.ApiUnauthorizedToComponent, WeChatErrorCategory.PermissionDenied, "该帐号未授予本平台此接口所需的权限集：请邀请管理员重新授权并勾选该权限。", "The account did not grant the permission set this API needs: invite its administrator to re-authorize with it."),
        new(WeChatErrorCodes.InvalidAuthCode, WeChatErrorCategory.AuthorizationCodeInvalid, "授权码无效：请重新发起授权。", "The authorization code is invalid: start the authorization again."),
        new(WeChatErrorCodes.AuthCodeExpired, WeChatErrorCategory.AuthorizationCodeInvalid, "授权码已过期：请重新发起授权。", "The authorization code has expired: start the authorization again."),
        new(WeChatErrorCodes.InvalidComponent, WeChatErrorCategory.Configuration, "第三方平台无效：请检查 WeChat:ComponentAppId 配置。", "Invalid component: check the WeChat:ComponentAppId setting."),
        new(WeChatErrorCodes.InvalidOptionName, WeChatErrorCategory.Permanent, "选项名称无效。", "Invalid option name."),
        new(WeChatErrorCodes.InvalidOptionValue, WeChatErrorCategory.Permanent, "选项值无效。", "Invalid option value."),
        new(WeChatErrorCodes.RefreshTokenInvalid, WeChatErrorCategory.NeedsReauthorization, "刷新令牌无效：将尝试从微信找回；找回失败则需要管理员重新授权。", "The refresh token is invalid: it is recovered from WeChat if possible, otherwise the administrator must re-authorize."),
        new(WeChatErrorCodes.ComponentUnpublished, WeChatErrorCategory.Configuration, "第三方平台尚未全网发布：只有测试帐号可以授权。", "The platform is not released to all of WeChat yet: only test accounts can authorize."),
    }.ToDictionary(e => e.Code);

    /// <summary>What the errcode means; unknown codes are <see cref="WeChatErrorCategory.Permanent"/>.</summary>
    public static WeChatError Get(int code)
        => Errors.TryGetValue(code, out var error)
            ? error
            : new WeChatError(code, WeChatErrorCategory.Permanent, $"微信返回错误 {code}。", $"WeChat returned error {code}.");

    /// <summary>The category the portal acts on.</summary>
    public static WeChatErrorCategory Classify(int code) => Get(code).Category;
}
