namespace Portal.WeChat.Protocol.Errors;

/// <summary>WeChat API error codes the portal acts on (reference §5).</summary>
public static class WeChatErrorCodes
{
    /// <summary>-1 system error.</summary>
    public const int SystemBusy = -1;
    /// <summary>0 ok.</summary>
    public const int Ok = 0;
    /// <summary>40001 invalid credential.</summary>
    public const int InvalidCredential = 40001;
    /// <summary>40013 invalid appid.</summary>
    public const int InvalidAppId = 40013;
    /// <summary>40014 invalid access_token.</summary>
    public const int InvalidAccessToken = 40014;
    /// <summary>40125 invalid appsecret.</summary>
    public const int InvalidAppSecret = 40125;
    /// <summary>41002 appid missing.</summary>
    public const int AppIdMissing = 41002;
    /// <summary>41004 appsecret missing.</summary>
    public const int AppSecretMissing = 41004;
    /// <summary>41018 missing component_appid.</summary>
    public const int ComponentAppIdMissing = 41018;
    /// <summary>42001 access_token expired.</summary>
    public const int AccessTokenExpired = 42001;
    /// <summary>45009 daily quota reached.</summary>
    public const int QuotaExceeded = 45009;
    /// <summary>45011 API called too frequently.</summary>
    public const int TooFrequent = 45011;
    /// <summary>47001 data format error.</summary>
    public const int DataFormatError = 47001;
    /// <summary>48001 api unauthorized.</summary>
    public const int ApiUnauthorized = 48001;
    /// <summary>61003 component is not authorized by this account.</summary>
    public const int ComponentNotAuthorized = 61003;
    /// <summary>61004 access clientip is not registered.</summary>
    public const int ClientIpNotRegistered = 61004;
    /// <summary>61005 component ticket is expired.</summary>
    public const int TicketExpired = 61005;
    /// <summary>61006 component ticket is invalid.</summary>
    public const int TicketInvalid = 61006;
    /// <summary>61007 api is unauthorized to component.</summary>
    public const int ApiUnauthorizedToComponent = 61007;
    /// <summary>61009 invalid code.</summary>
    public const int InvalidAuthCode = 61009;
    /// <summary>61010 code is expired.</summary>
    public const int AuthCodeExpired = 61010;
    /// <summary>61011 invalid component.</summary>
    public const int InvalidComponent = 61011;
    /// <summary>61012 invalid option name.</summary>
    public const int InvalidOptionName = 61012;
    /// <summary>61013 invalid option value.</summary>
    public const int InvalidOptionValue = 61013;
    /// <summary>61023 refresh_token is invalid.</summary>
    public const int RefreshTokenInvalid = 61023;
    /// <summary>61028 component is unpublished.</summary>
    public const int ComponentUnpublished = 61028;
}
