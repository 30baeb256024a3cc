namespace Portal.WeChat.Emulator.Model;

/// <summary>An errcode answer; the endpoint turns it into <c>{"errcode":N,"errmsg":"… rid: …"}</c> with HTTP 200.</summary>
public sealed class ApiError(int code, string message) : Exception(message)
{
    public int Code { get; } = code;

    public static ApiError AccessTokenMissing() => new(41001, "access_token missing");
    public static ApiError InvalidCredential() => new(40001, "invalid credential, access_token is invalid or not latest");
    public static ApiError AccessTokenExpired() => new(42001, "access_token expired");
    public static ApiError InvalidAppId() => new(40013, "invalid appid");
    public static ApiError InvalidAppSecret() => new(40125, "invalid appsecret");
    public static ApiError AppIdMissing() => new(41002, "appid missing");
    public static ApiError AppSecretMissing() => new(41004, "appsecret missing");
    public static ApiError ComponentAppIdMissing() => new(41018, "missing component_appid");
    public static ApiError DataFormat() => new(47001, "data format error");
    public static ApiError QuotaExceeded() => new(45009, "reach max api daily quota limit");
    public static ApiError NotAuthorized() => new(61003, "component is not authorized by this account");
    public static ApiError ClientIpNotRegistered(string ip) => new(61004, $"access clientip is not registered requestIP: {ip}");
    public static ApiError TicketExpired() => new(61005, "component ticket is expired");
    public static ApiError TicketInvalid() => new(61006, "component ticket is invalid");
    public static ApiError InvalidCode() => new(61009, "invalid code");
    public static ApiError CodeExpired() => new(61010, "code is expired");
    public static ApiError InvalidComponent() => new(61011, "invalid component");
    public static ApiError InvalidOptionName() => new(61012, "invalid option name");
    public static ApiError InvalidOptionValue() => new(61013, "invalid option value");
    public static ApiError RefreshTokenInvalid() => new(61023, "refresh_token is invalid");
    public static ApiError SystemError() => new(-1, "system error");
    public static ApiError QuotaClearLimit() => new(48006, "forbid to clear quota because of reaching the limit");
}
