using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.WeChat.Client.Models;
using Portal.WeChat.Protocol.Errors;

namespace Portal.WeChat.Client;

/// <summary>
/// The third-party platform's component APIs (reference §3) over one typed <see cref="HttpClient"/>.
/// Tokens are passed in explicitly; an <c>errcode</c> becomes a <see cref="WeChatApiException"/> with its category.
/// Retries for transient failures happen in <see cref="Http.WeChatRetryHandler"/>, never for WeChat's 4xxxx errors.
/// </summary>
public sealed class ComponentApiClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly HttpClient _http;
    private readonly IOptionsMonitor<WeChatClientOptions> _options;

    /// <summary>Creates the client; the <see cref="HttpClient"/> comes from <c>AddWeChatComponentClient</c>.</summary>
    public ComponentApiClient(HttpClient http, IOptionsMonitor<WeChatClientOptions> options)
    {
        _http = http;
        _options = options;
    }

    private WeChatClientOptions Options => _options.CurrentValue;

    /// <summary>api_component_token: a component_access_token for the latest ticket.</summary>
    public Task<GetComponentAccessTokenResponse> GetComponentAccessTokenAsync(GetComponentAccessTokenRequest request, CancellationToken cancellationToken = default)
        => PostAsync<GetComponentAccessTokenResponse>("api_component_token", "/cgi-bin/component/api_component_token", null, new
        {
            component_appid = Options.ComponentAppId,
            component_appsecret = Options.ComponentAppSecret,
            component_verify_ticket = request.ComponentVerifyTicket,
        }, cancellationToken);

    /// <summary>api_create_preauthcode: a fresh, single-use pre_auth_code.</summary>
    public Task<CreatePreAuthCodeResponse> CreatePreAuthCodeAsync(CreatePreAuthCodeRequest request, CancellationToken cancellationToken = default)
        => PostAsync<CreatePreAuthCodeResponse>("api_create_preauthcode", "/cgi-bin/component/api_create_preauthcode", request.ComponentAccessToken, new
        {
            component_appid = Options.ComponentAppId,
        }, cancellationToken);

    /// <summary>api_query_auth: exchange an authorization code for the account's tokens and granted sets.</summary>
    public Task<QueryAuthorizationResponse> QueryAuthorizationAsync(QueryAuthorizationRequest request, CancellationToken cancellationToken = default)
        => PostAsync<QueryAuthorizationResponse>("api_query_auth", "/cgi-bin/component/api_query_auth", request.ComponentAccessToken, new
        {
            component_appid = Options.ComponentAppId,
            authorization_code = request.AuthorizationCode,
        }, cancellationToken);

    /// <summary>api_authorizer_token: a new authorizer_access_token (and the refresh token to keep).</summary>
    public Task<RefreshAuthorizerTokenResponse> RefreshAuthorizerTokenAsync(RefreshAuthorizerTokenRequest request, CancellationToken cancellationToken = default)
        => PostAsync<RefreshAuthorizerTokenResponse>("api_authorizer_token", "/cgi-bin/component/api_authorizer_token", request.ComponentAccessToken, new
        {
            component_appid = Options.ComponentAppId,
            authorizer_appid = request.AuthorizerAppId,
            authorizer_refresh_token = request.AuthorizerRefreshToken,
        }, cancellationToken);

    /// <summary>api_get_authorizer_info: the account's details, granted sets and current refresh token.</summary>
    public Task<GetAuthorizerInfoResponse> GetAuthorizerInfoAsync(GetAuthorizerInfoRequest request, CancellationToken cancellationToken = default)
        => PostAsync<GetAuthorizerInfoResponse>("api_get_authorizer_info", "/cgi-bin/component/api_get_authorizer_info", request.ComponentAccessToken, new
        {
            component_appid = Options.ComponentAppId,
            authorizer_appid = request.AuthorizerAppId,
        }, cancellationToken);

    /// <summary>api_get_authorizer_list: one page of every authorizer with its refresh token.</summary>
    public Task<GetAuthorizerListResponse> GetAuthorizerListAsync(GetAuthorizerListRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Count is < 1 or > GetAuthorizerListRequest.MaxCount)
        {
            throw new ArgumentOutOfRangeException(nameof(request), "count must be 1 to 500");
        }

        return PostAsync<GetAuthorizerListResponse>("api_get_authorizer_list", "/cgi-bin/component/api_get_authorizer_list", request.ComponentAccessToken, new
        {
            component_appid = Options.ComponentAppId,
            offset = request.Offset,
            count = request.Count,
        }, cancellationToken);
    }

    /// <summary>api_get_authorizer_option (component-token generation).</summary>
    public Task<GetAuthorizerOptionResponse> GetAuthorizerOptionAsync(GetAuthorizerOptionRequest request, CancellationToken cancellationToken = default)
        => PostAsync<GetAuthorizerOptionResponse>("api_get_authorizer_option", "/cgi-bin/component/api_get_authorizer_option", request.ComponentAccessToken, new
        {
            component_appid = Options.ComponentAppId,
            authorizer_appid = request.AuthorizerAppId,
            option_name = request.OptionName,
        }, cancellationToken);

    /// <summary>api_set_authorizer_option (component-token generation).</summary>
    public Task<WeChatResult> SetAuthorizerOptionAsync(SetAuthorizerOptionRequest request, CancellationToken cancellationToken = default)
        => PostAsync<WeChatResult>("api_set_authorizer_option", "/cgi-bin/component/api_set_authorizer_option", request.ComponentAccessToken, new
        {
            component_appid = Options.ComponentAppId,
            authorizer_appid = request.AuthorizerAppId,
            option_name = request.OptionName,
            option_value = request.OptionValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, cancellationToken);

    /// <summary>api_start_push_ticket: ask WeChat to (re)start ticket pushes; errmsg "in a normal state" also means success.</summary>
    public Task<WeChatResult> StartPushTicketAsync(StartPushTicketRequest request, CancellationToken cancellationToken = default)
        => PostAsync<WeChatResult>("api_start_push_ticket", "/cgi-bin/component/api_start_push_ticket", null, new
        {
            component_appid = Options.ComponentAppId,
            component_secret = Options.ComponentAppSecret,
        }, cancellationToken);

    /// <summary>clear_quota/v2: reset the component's (or one authorizer's) daily counters.</summary>
    public Task<WeChatResult> ClearQuotaAsync(ClearQuotaRequest request, CancellationToken cancellationToken = default)
    {
        object body = request.AuthorizerAppId is null
            ? new { component_appid = Options.ComponentAppId, appsecret = Options.ComponentAppSecret }
            : new { component_appid = Options.ComponentAppId, appsecret = Options.ComponentAppSecret, appid = request.AuthorizerAppId };
        return PostAsync<WeChatResult>("clear_quota", "/cgi-bin/component/clear_quota/v2", null, body, cancellationToken);
    }

    /// <summary>message/custom/send with the authorizer's token (a customer-service text message).</summary>
    public Task<WeChatResult> SendCustomMessageAsync(SendCustomMessageRequest request, CancellationToken cancellationToken = default)
        => PostAsync<WeChatResult>("message_custom_send", "/cgi-bin/message/custom/send", request.AuthorizerAccessToken, new
        {
            touser = request.ToUser,
            msgtype = "text",
            text = new { content = request.Content },
        }, cancellationToken, tokenParameter: "access_token");

    private async Task<T> PostAsync<T>(string api, string path, string? token, object body, CancellationToken cancellationToken, string tokenParameter = "component_access_token")
    {
        var url = Options.ApiBaseUrl.TrimEnd('/') + path;
        if (token is not null)
        {
            url += $"?{tokenParameter}={Uri.EscapeDataString(token)}";
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        message.Options.Set(Http.WeChatRequestOptions.ApiName, api);

        string text;
        try
        {
            using var response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new WeChatApiException(api, WeChatErrorCodes.SystemBusy, $"HTTP {(int)response.StatusCode}");
            }
        }
        catch (HttpRequestException ex)
        {
            throw new WeChatApiException(api, WeChatErrorCodes.SystemBusy, "transport failure: " + ex.HttpRequestError, ex);
        }
        catch (Exception ex) when (ex is TaskCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            throw new WeChatApiException(api, WeChatErrorCodes.SystemBusy, "timed out", ex);
        }

        return Parse<T>(api, text);
    }

    internal static T Parse<T>(string api, string text)
    {
        try
        {
            using (var document = JsonDocument.Parse(text))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new WeChatApiException(api, WeChatErrorCodes.DataFormatError, "the answer is not a JSON object");
                }

                if (document.RootElement.TryGetProperty("errcode", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() != 0)
                {
                    var errmsg = document.RootElement.TryGetProperty("errmsg", out var m) ? m.GetString() ?? string.Empty : string.Empty;
                    throw new WeChatApiException(api, code.GetInt32(), errmsg);
                }
            }

            return JsonSerializer.Deserialize<T>(text, Json) ?? throw new WeChatApiException(api, WeChatErrorCodes.DataFormatError, "empty answer");
        }
        catch (JsonException ex)
        {
            throw new WeChatApiException(api, WeChatErrorCodes.DataFormatError, "the answer is not valid JSON", ex);
        }
    }
}
