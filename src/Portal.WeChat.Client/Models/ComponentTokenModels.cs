using System.Text.Json.Serialization;

namespace Portal.WeChat.Client.Models;

/// <summary>api_component_token input.</summary>
/// <param name="ComponentVerifyTicket">The latest ticket pushed by WeChat.</param>
public sealed record GetComponentAccessTokenRequest(string ComponentVerifyTicket)
{
    /// <inheritdoc />
    public override string ToString() => "GetComponentAccessTokenRequest(ticket=***)";
}

/// <summary>api_component_token answer.</summary>
public sealed class GetComponentAccessTokenResponse
{
    /// <summary>The component_access_token.</summary>
    [JsonPropertyName("component_access_token")]
    public string ComponentAccessToken { get; init; } = string.Empty;

    /// <summary>Seconds of validity (7200).</summary>
    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"GetComponentAccessTokenResponse(ExpiresIn={ExpiresIn}, token=***)";
}

/// <summary>api_create_preauthcode input.</summary>
/// <param name="ComponentAccessToken">A valid component_access_token.</param>
public sealed record CreatePreAuthCodeRequest(string ComponentAccessToken)
{
    /// <inheritdoc />
    public override string ToString() => "CreatePreAuthCodeRequest(token=***)";
}

/// <summary>api_create_preauthcode answer.</summary>
public sealed class CreatePreAuthCodeResponse
{
    /// <summary>A single-use pre_auth_code.</summary>
    [JsonPropertyName("pre_auth_code")]
    public string PreAuthCode { get; init; } = string.Empty;

    /// <summary>Seconds of validity (1800 in the current doc text).</summary>
    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; init; }
}

/// <summary>api_start_push_ticket input (needs no token: the secret goes in the body as <c>component_secret</c>).</summary>
public sealed record StartPushTicketRequest;

/// <summary>clear_quota/v2 input.</summary>
/// <param name="AuthorizerAppId">Reset this authorized account's counters; null resets the component's own.</param>
public sealed record ClearQuotaRequest(string? AuthorizerAppId = null);
