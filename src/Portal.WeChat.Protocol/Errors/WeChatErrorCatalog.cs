namespace Portal.WeChat.Protocol.Errors;

/// <summary>Classifies WeChat's errcodes (reference §5) ; the portal words them for people (resources <c>wechat.err.{code}</c>).</summary>
public static class WeChatErrorCatalog
{
    private static readonly Dictionary<int, WeChatError> Errors = new WeChatError[]
    {
        new(WeChatErrorCodes.SystemBusy, WeChatErrorCategory.Retryable),
        new(WeChatErrorCodes.Ok, WeChatErrorCategory.Success),
        new(WeChatErrorCodes.InvalidCredential, WeChatErrorCategory.TokenInvalid),
        new(WeChatErrorCodes.InvalidAccessToken, WeChatErrorCategory.TokenInvalid),
        new(WeChatErrorCodes.AccessTokenExpired, WeChatErrorCategory.TokenInvalid),
        new(WeChatErrorCodes.InvalidAppId, WeChatErrorCategory.Configuration),
        new(WeChatErrorCodes.InvalidAppSecret, WeChatErrorCategory.Configuration),
        new(WeChatErrorCodes.AppIdMissing, WeChatErrorCategory.Configuration),
        new(WeChatErrorCodes.AppSecretMissing, WeChatErrorCategory.Configuration),
        new(WeChatErrorCodes.ComponentAppIdMissing, WeChatErrorCategory.Configuration),
        new(WeChatErrorCodes.QuotaExceeded, WeChatErrorCategory.Quota),
        new(WeChatErrorCodes.TooFrequent, WeChatErrorCategory.Retryable),
        new(WeChatErrorCodes.DataFormatError, WeChatErrorCategory.Permanent),
        new(WeChatErrorCodes.ApiUnauthorized, WeChatErrorCategory.PermissionDenied),
        new(WeChatErrorCodes.ComponentNotAuthorized, WeChatErrorCategory.Revoked),
        new(WeChatErrorCodes.ClientIpNotRegistered, WeChatErrorCategory.Configuration),
        new(WeChatErrorCodes.TicketExpired, WeChatErrorCategory.TicketInvalid),
        new(WeChatErrorCodes.TicketInvalid, WeChatErrorCategory.TicketInvalid),
        new(WeChatErrorCodes.ApiUnauthorizedToComponent, WeChatErrorCategory.PermissionDenied),
        new(WeChatErrorCodes.InvalidAuthCode, WeChatErrorCategory.AuthorizationCodeInvalid),
        new(WeChatErrorCodes.AuthCodeExpired, WeChatErrorCategory.AuthorizationCodeInvalid),
        new(WeChatErrorCodes.InvalidComponent, WeChatErrorCategory.Configuration),
        new(WeChatErrorCodes.InvalidOptionName, WeChatErrorCategory.Permanent),
        new(WeChatErrorCodes.InvalidOptionValue, WeChatErrorCategory.Permanent),
        new(WeChatErrorCodes.RefreshTokenInvalid, WeChatErrorCategory.NeedsReauthorization),
        new(WeChatErrorCodes.ComponentUnpublished, WeChatErrorCategory.Configuration),
    }.ToDictionary(e => e.Code);

    /// <summary>What the errcode means; unknown codes are <see cref="WeChatErrorCategory.Permanent"/>.</summary>
    public static WeChatError Get(int code)
        => Errors.TryGetValue(code, out var error)
            ? error
            : new WeChatError(code, WeChatErrorCategory.Permanent);

    /// <summary>Whether the code is one of those listed in the reference.</summary>
    public static bool IsKnown(int code) => Errors.ContainsKey(code);

    /// <summary>Every errcode the catalogue knows.</summary>
    public static IEnumerable<int> KnownCodes => Errors.Keys;

    /// <summary>The category the portal acts on.</summary>
    public static WeChatErrorCategory Classify(int code) => Get(code).Category;
}
