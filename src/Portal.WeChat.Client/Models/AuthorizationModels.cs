using System.Text.Json.Serialization;

namespace Portal.WeChat.Client.Models;

/// <summary>api_query_auth input.</summary>
public sealed record QueryAuthorizationRequest(string ComponentAccessToken, string AuthorizationCode)
{
    /// <inheritdoc />
    public override string ToString() => "QueryAuthorizationRequest(token=***, code=***)";
}

/// <summary>api_query_auth answer.</summary>
public sealed class QueryAuthorizationResponse
{
    /// <summary>What the account granted and its tokens.</summary>
    [JsonPropertyName("authorization_info")]
    public AuthorizationInfo AuthorizationInfo { get; init; } = new();
}

/// <summary>The <c>authorization_info</c> object (api_query_auth and api_get_authorizer_info).</summary>
public sealed class AuthorizationInfo
{
    /// <summary>The account's appid.</summary>
    [JsonPropertyName("authorizer_appid")]
    public string AuthorizerAppId { get; init; } = string.Empty;

    /// <summary>The account's access token (api_query_auth only; absent without API permissions).</summary>
    [JsonPropertyName("authorizer_access_token")]
    public string? AuthorizerAccessToken { get; init; }

    /// <summary>Seconds of validity of the access token.</summary>
    [JsonPropertyName("expires_in")]
    public int? ExpiresIn { get; init; }

    /// <summary>The refresh token.</summary>
    [JsonPropertyName("authorizer_refresh_token")]
    public string? AuthorizerRefreshToken { get; init; }

    /// <summary>The permission sets actually granted.</summary>
    [JsonPropertyName("func_info")]
    public IReadOnlyList<FuncInfo> FuncInfo { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => $"AuthorizationInfo(AuthorizerAppId={AuthorizerAppId}, sets={FuncInfo.Count}, tokens=***)";
}

/// <summary>One granted permission set.</summary>
public sealed class FuncInfo
{
    /// <summary>The set.</summary>
    [JsonPropertyName("funcscope_category")]
    public FuncScopeCategory FuncScopeCategory { get; init; } = new();

    /// <summary>Confirmation state, when WeChat sends it.</summary>
    [JsonPropertyName("confirm_info")]
    public ConfirmInfo? ConfirmInfo { get; init; }
}

/// <summary>The <c>funcscope_category</c> object.</summary>
public sealed class FuncScopeCategory
{
    /// <summary>The permission-set id.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>Type, when sent.</summary>
    [JsonPropertyName("type")]
    public int? Type { get; init; }

    /// <summary>Name, when sent.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>Description, when sent.</summary>
    [JsonPropertyName("desc")]
    public string? Desc { get; init; }
}

/// <summary>The <c>confirm_info</c> object.</summary>
public sealed class ConfirmInfo
{
    /// <summary>1 when the set needs the administrator's confirmation.</summary>
    [JsonPropertyName("need_confirm")]
    public int NeedConfirm { get; init; }

    /// <summary>1 when already confirmed.</summary>
    [JsonPropertyName("already_confirm")]
    public int AlreadyConfirm { get; init; }

    /// <summary>1 when it can be confirmed.</summary>
    [JsonPropertyName("can_confirm")]
    public int CanConfirm { get; init; }
}

/// <summary>api_authorizer_token input.</summary>
public sealed record RefreshAuthorizerTokenRequest(string ComponentAccessToken, string AuthorizerAppId, string AuthorizerRefreshToken)
{
    /// <inheritdoc />
    public override string ToString() => $"RefreshAuthorizerTokenRequest(AuthorizerAppId={AuthorizerAppId}, tokens=***)";
}

/// <summary>api_authorizer_token answer. Persist the returned refresh token: it may differ from the one sent.</summary>
public sealed class RefreshAuthorizerTokenResponse
{
    /// <summary>The new access token.</summary>
    [JsonPropertyName("authorizer_access_token")]
    public string AuthorizerAccessToken { get; init; } = string.Empty;

    /// <summary>Seconds of validity.</summary>
    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; init; }

    /// <summary>The refresh token to use next time.</summary>
    [JsonPropertyName("authorizer_refresh_token")]
    public string AuthorizerRefreshToken { get; init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => $"RefreshAuthorizerTokenResponse(ExpiresIn={ExpiresIn}, tokens=***)";
}
