namespace Portal.WeChat.Protocol.Links;

/// <summary>What goes into an authorization link (reference §4.3).</summary>
/// <param name="ComponentAppId">The third-party platform's appid.</param>
/// <param name="PreAuthCode">A fresh pre_auth_code.</param>
/// <param name="RedirectUri">Where WeChat sends the browser with <c>auth_code</c>; absolute http(s), no <c>#</c>.</param>
/// <param name="AuthType">Which kinds of account may be chosen; null leaves it to WeChat (both).</param>
/// <param name="BizAppId">Restrict to one account; wins over <paramref name="AuthType"/>.</param>
/// <param name="CategoryIds">Restrict the offered permission sets; null or empty offers all published sets.</param>
public sealed record AuthorizationLinkRequest(
    string ComponentAppId,
    string PreAuthCode,
    string RedirectUri,
    AuthType? AuthType = null,
    string? BizAppId = null,
    IReadOnlyList<int>? CategoryIds = null)
{
    /// <inheritdoc />
    public override string ToString() => $"AuthorizationLinkRequest(ComponentAppId={ComponentAppId}, RedirectUri={RedirectUri}, AuthType={AuthType}, BizAppId={BizAppId}, pre_auth_code=***)";
}
