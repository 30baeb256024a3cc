namespace Portal.WeChat.Protocol.Errors;

/// <summary>What the rest of the portal does about a WeChat <c>errcode</c> (reference §5).</summary>
public enum WeChatErrorCategory
{
    /// <summary>errcode 0.</summary>
    Success = 0,
    /// <summary>Transient (-1 system busy, 45011 too frequent): retry with backoff.</summary>
    Retryable,
    /// <summary>The access token is invalid, superseded or expired (40001, 40014, 42001): renew once and retry once.</summary>
    TokenInvalid,
    /// <summary>The component_verify_ticket is expired or invalid (61005, 61006): wait for a push or ask for one.</summary>
    TicketInvalid,
    /// <summary>The refresh token is invalid (61023): recover it from WeChat, else the account must re-authorize.</summary>
    NeedsReauthorization,
    /// <summary>The account cancelled the authorization (61003).</summary>
    Revoked,
    /// <summary>A daily quota is used up (45009): stop calling that API until it resets.</summary>
    Quota,
    /// <summary>The platform is misconfigured (wrong appid or secret, IP not whitelisted, unpublished): an operator must act.</summary>
    Configuration,
    /// <summary>The authorization code is invalid or expired (61009, 61010): the authorization must be restarted.</summary>
    AuthorizationCodeInvalid,
    /// <summary>The account did not grant the permission set the API needs (61007, 48001).</summary>
    PermissionDenied,
    /// <summary>Any other error: the request itself is wrong and repeating it will not help.</summary>
    Permanent,
}
