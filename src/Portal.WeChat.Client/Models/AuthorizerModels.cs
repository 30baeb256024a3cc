using System.Text.Json.Serialization;

namespace Portal.WeChat.Client.Models;

/// <summary>api_get_authorizer_info input.</summary>
public sealed record GetAuthorizerInfoRequest(string ComponentAccessToken, string AuthorizerAppId)
{
    /// <inheritdoc />
    public override string ToString() => $"GetAuthorizerInfoRequest(AuthorizerAppId={AuthorizerAppId}, token=***)";
}

/// <summary>api_get_authorizer_info answer.</summary>
public sealed class GetAuthorizerInfoResponse
{
    /// <summary>The account's details.</summary>
    [JsonPropertyName("authorizer_info")]
    public AuthorizerInfo AuthorizerInfo { get; init; } = new();

    /// <summary>What it granted and its current refresh token.</summary>
    [JsonPropertyName("authorization_info")]
    public AuthorizationInfo AuthorizationInfo { get; init; } = new();
}

/// <summary>The <c>authorizer_info</c> object (reference §3.5).</summary>
public sealed class AuthorizerInfo
{
    /// <summary>Nick name.</summary>
    [JsonPropertyName("nick_name")] public string NickName { get; init; } = string.Empty;
    /// <summary>Avatar URL.</summary>
    [JsonPropertyName("head_img")] public string? HeadImg { get; init; }
    /// <summary>Service type (OA: 0 subscription, 1 upgraded subscription, 2 service account).</summary>
    [JsonPropertyName("service_type_info")] public IdInfo ServiceTypeInfo { get; init; } = new();
    /// <summary>Verification type (-1 unverified, 0 WeChat verified, …).</summary>
    [JsonPropertyName("verify_type_info")] public IdInfo VerifyTypeInfo { get; init; } = new();
    /// <summary>The original id gh_….</summary>
    [JsonPropertyName("user_name")] public string UserName { get; init; } = string.Empty;
    /// <summary>The principal (company) name.</summary>
    [JsonPropertyName("principal_name")] public string? PrincipalName { get; init; }
    /// <summary>The WeChat id alias.</summary>
    [JsonPropertyName("alias")] public string? Alias { get; init; }
    /// <summary>The account's QR code image URL.</summary>
    [JsonPropertyName("qrcode_url")] public string? QrcodeUrl { get; init; }
    /// <summary>Feature switches, as numbers 0/1.</summary>
    [JsonPropertyName("business_info")] public BusinessInfo? BusinessInfo { get; init; }
    /// <summary>Deprecated data-centre id.</summary>
    [JsonPropertyName("idc")] public int? Idc { get; init; }
    /// <summary>The account's description.</summary>
    [JsonPropertyName("signature")] public string? Signature { get; init; }
    /// <summary>1 normal, 14 deregistered, 16 banned, 18 warned, 19 frozen.</summary>
    [JsonPropertyName("account_status")] public int? AccountStatus { get; init; }
    /// <summary>How the account was registered.</summary>
    [JsonPropertyName("register_type")] public int? RegisterType { get; init; }
    /// <summary>Whether phone and e-mail are configured.</summary>
    [JsonPropertyName("basic_config")] public BasicConfig? BasicConfig { get; init; }
    /// <summary>Present only for mini programs.</summary>
    [JsonPropertyName("MiniProgramInfo")] public MiniProgramInfo? MiniProgramInfo { get; init; }

    /// <summary>True for a mini program (the presence of MiniProgramInfo tells them apart).</summary>
    [JsonIgnore] public bool IsMiniProgram => MiniProgramInfo is not null;
}

/// <summary>An <c>{"id":N}</c> object.</summary>
public sealed class IdInfo
{
    /// <summary>The id.</summary>
    [JsonPropertyName("id")] public int Id { get; init; }
}

/// <summary>The <c>business_info</c> object.</summary>
public sealed class BusinessInfo
{
    /// <summary>Store feature.</summary>
    [JsonPropertyName("open_store")] public int OpenStore { get; init; }
    /// <summary>Scan feature.</summary>
    [JsonPropertyName("open_scan")] public int OpenScan { get; init; }
    /// <summary>Payment feature.</summary>
    [JsonPropertyName("open_pay")] public int OpenPay { get; init; }
    /// <summary>Cards feature.</summary>
    [JsonPropertyName("open_card")] public int OpenCard { get; init; }
    /// <summary>Shake feature.</summary>
    [JsonPropertyName("open_shake")] public int OpenShake { get; init; }
}

/// <summary>The <c>basic_config</c> object.</summary>
public sealed class BasicConfig
{
    /// <summary>Phone configured.</summary>
    [JsonPropertyName("is_phone_configured")] public bool IsPhoneConfigured { get; init; }
    /// <summary>E-mail configured.</summary>
    [JsonPropertyName("is_email_configured")] public bool IsEmailConfigured { get; init; }
}

/// <summary>The <c>MiniProgramInfo</c> object.</summary>
public sealed class MiniProgramInfo
{
    /// <summary>Server domains by kind (RequestDomain, WsRequestDomain, …).</summary>
    [JsonPropertyName("network")] public IReadOnlyDictionary<string, IReadOnlyList<string>> Network { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    /// <summary>Service categories.</summary>
    [JsonPropertyName("categories")] public IReadOnlyList<MiniProgramCategory> Categories { get; init; } = [];
    /// <summary>0 when visitable.</summary>
    [JsonPropertyName("visit_status")] public int VisitStatus { get; init; }
}

/// <summary>A mini-program category.</summary>
public sealed class MiniProgramCategory
{
    /// <summary>First level.</summary>
    [JsonPropertyName("first")] public string First { get; init; } = string.Empty;
    /// <summary>Second level.</summary>
    [JsonPropertyName("second")] public string Second { get; init; } = string.Empty;
}

/// <summary>api_get_authorizer_list input.</summary>
/// <param name="ComponentAccessToken">A valid component_access_token.</param>
/// <param name="Offset">Start index.</param>
/// <param name="Count">Page size, at most 500.</param>
public sealed record GetAuthorizerListRequest(string ComponentAccessToken, int Offset, int Count)
{
    /// <summary>WeChat's page-size limit.</summary>
    public const int MaxCount = 500;

    /// <inheritdoc />
    public override string ToString() => $"GetAuthorizerListRequest(Offset={Offset}, Count={Count}, token=***)";
}

/// <summary>api_get_authorizer_list answer.</summary>
public sealed class GetAuthorizerListResponse
{
    /// <summary>All authorizers, not just this page.</summary>
    [JsonPropertyName("total_count")] public int TotalCount { get; init; }
    /// <summary>This page.</summary>
    [JsonPropertyName("list")] public IReadOnlyList<AuthorizerListItem> List { get; init; } = [];
}

/// <summary>One authorizer in the list. Note the key <c>refresh_token</c>.</summary>
public sealed class AuthorizerListItem
{
    /// <summary>The account's appid.</summary>
    [JsonPropertyName("authorizer_appid")] public string AuthorizerAppId { get; init; } = string.Empty;
    /// <summary>Its current refresh token.</summary>
    [JsonPropertyName("refresh_token")] public string RefreshToken { get; init; } = string.Empty;
    /// <summary>When it authorized, unix seconds.</summary>
    [JsonPropertyName("auth_time")] public long AuthTime { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"AuthorizerListItem(AuthorizerAppId={AuthorizerAppId}, AuthTime={AuthTime}, refresh_token=***)";
}

/// <summary>api_get_authorizer_option input.</summary>
public sealed record GetAuthorizerOptionRequest(string ComponentAccessToken, string AuthorizerAppId, string OptionName);

/// <summary>api_get_authorizer_option answer.</summary>
public sealed class GetAuthorizerOptionResponse
{
    /// <summary>The account.</summary>
    [JsonPropertyName("authorizer_appid")] public string? AuthorizerAppId { get; init; }
    /// <summary>location_report, voice_recognize or customer_service.</summary>
    [JsonPropertyName("option_name")] public string OptionName { get; init; } = string.Empty;
    /// <summary>The value, sent by WeChat as a string.</summary>
    [JsonPropertyName("option_value")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public int OptionValue { get; init; }
}

/// <summary>api_set_authorizer_option input.</summary>
public sealed record SetAuthorizerOptionRequest(string ComponentAccessToken, string AuthorizerAppId, string OptionName, int OptionValue);

/// <summary>message/custom/send input (a text message sent with the authorizer's token).</summary>
public sealed record SendCustomMessageRequest(string AuthorizerAccessToken, string ToUser, string Content)
{
    /// <inheritdoc />
    public override string ToString() => $"SendCustomMessageRequest(ToUser={ToUser}, token=***)";
}
