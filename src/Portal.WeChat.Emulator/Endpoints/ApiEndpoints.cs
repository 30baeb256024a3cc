using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.WeChat.Emulator.Model;
using Portal.WeChat.Emulator.Services;

namespace Portal.WeChat.Emulator.Endpoints;

/// <summary>WeChat's component APIs (reference §3): POST + JSON, errors as HTTP 200 <c>{"errcode","errmsg"}</c> with a rid suffix.</summary>
public static class ApiEndpoints
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly HashSet<string> SecretKeys = ["component_appsecret", "component_secret", "appsecret"];
    private static readonly HashSet<string> TokenKeys = ["component_access_token", "access_token", "authorizer_refresh_token", "component_verify_ticket"];
    private static readonly Dictionary<string, string[]> OptionValues = new(StringComparer.Ordinal)
    {
        ["location_report"] = ["0", "1", "2"],
        ["voice_recognize"] = ["0", "1"],
        ["customer_service"] = ["0", "1"],
    };

    public static RouteGroupBuilder MapEmulatorApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/cgi-bin").DisableAntiforgery();
        var c = "/component/";

        api.MapPost(c + "api_component_token", (HttpContext ctx) => Handle(ctx, "api_component_token", (s, r) =>
        {
            var (token, expiresIn) = s.IssueComponentToken(r.Str("component_appid"), r.Str("component_appsecret"), r.Str("component_verify_ticket"));
            s.CountQuota("api_component_token", s.Options.ComponentAppId);
            return new { component_access_token = token, expires_in = expiresIn };
        }, componentToken: false));

        api.MapPost(c + "api_create_preauthcode", (HttpContext ctx) => Handle(ctx, "api_create_preauthcode", (s, r) =>
        {
            s.CheckComponentAppId(r.Str("component_appid"));
            var (code, expiresIn) = s.IssuePreAuthCode();
            return new { pre_auth_code = code, expires_in = expiresIn };
        }));

        api.MapPost(c + "api_query_auth", (HttpContext ctx) => Handle(ctx, "api_query_auth", (s, r) =>
        {
            s.CheckComponentAppId(r.Str("component_appid"));
            var authorization = s.ExchangeAuthCode(r.Str("authorization_code"));
            var (token, expiresIn) = s.IssueAuthorizerToken(authorization.AppId);
            return new
            {
                authorization_info = new
                {
                    authorizer_appid = authorization.AppId,
                    authorizer_access_token = token,
                    expires_in = expiresIn,
                    authorizer_refresh_token = authorization.RefreshToken,
                    func_info = FuncInfo(authorization),
                },
            };
        }));

        api.MapPost(c + "api_authorizer_token", (HttpContext ctx) => Handle(ctx, "api_authorizer_token", (s, r) =>
        {
            s.CheckComponentAppId(r.Str("component_appid"));
            var (token, expiresIn, refresh) = s.RefreshAuthorizerToken(r.Str("authorizer_appid"), r.Str("authorizer_refresh_token"));
            return new { authorizer_access_token = token, expires_in = expiresIn, authorizer_refresh_token = refresh };
        }));

        api.MapPost(c + "api_get_authorizer_info", (HttpContext ctx) => Handle(ctx, "api_get_authorizer_info", (s, r) =>
        {
            s.CheckComponentAppId(r.Str("component_appid"));
            var authorization = s.GetActiveAuthorization(r.Str("authorizer_appid"));
            var account = s.FindAccount(authorization.AppId)!;
            return new
            {
                authorizer_info = AuthorizerInfo(account),
                authorization_info = new
                {
                    authorizer_appid = authorization.AppId,
                    authorizer_refresh_token = authorization.RefreshToken,
                    func_info = FuncInfo(authorization),
                },
            };
        }));

        api.MapPost(c + "api_get_authorizer_list", (HttpContext ctx) => Handle(ctx, "api_get_authorizer_list", (s, r) =>
        {
            s.CheckComponentAppId(r.Str("component_appid"));
            var offset = r.Int("offset") ?? 0;
            var count = r.Int("count") ?? 0;
            if (offset < 0 || count is < 1 or > 500)
            {
                throw ApiError.DataFormat();
            }

            var (total, page) = s.ListAuthorizations(offset, count);
            return new
            {
                total_count = total,
                list = page.Select(a => new { authorizer_appid = a.AppId, refresh_token = a.RefreshToken, auth_time = a.AuthTime.ToUnixTimeSeconds() }),
            };
        }));

        api.MapPost(c + "api_get_authorizer_option", (HttpContext ctx) => Handle(ctx, "api_get_authorizer_option", (s, r) =>
        {
            s.CheckComponentAppId(r.Str("component_appid"));
            var authorization = s.GetActiveAuthorization(r.Str("authorizer_appid"));
            var name = OptionName(r.Str("option_name"));
            return new { authorizer_appid = authorization.AppId, option_name = name, option_value = authorization.Options[name] };
        }));

        api.MapPost(c + "api_set_authorizer_option", (HttpContext ctx) => Handle(ctx, "api_set_authorizer_option", (s, r) =>
        {
            s.CheckComponentAppId(r.Str("component_appid"));
            var authorization = s.GetActiveAuthorization(r.Str("authorizer_appid"));
            SetOption(s, authorization, r);
            return Ok();
        }));

        api.MapPost(c + "get_authorizer_option", (HttpContext ctx) => Handle(ctx, "get_authorizer_option", (s, r) =>
        {
            var authorization = s.GetActiveAuthorization(s.CheckAuthorizerToken(r.Token));
            var name = OptionName(r.Str("option_name"));
            return new { option_name = name, option_value = authorization.Options[name] };
        }, componentToken: false));

        api.MapPost(c + "set_authorizer_option", (HttpContext ctx) => Handle(ctx, "set_authorizer_option", (s, r) =>
        {
            var authorization = s.GetActiveAuthorization(s.CheckAuthorizerToken(r.Token));
            SetOption(s, authorization, r);
            return Ok();
        }, componentToken: false));

        api.MapPost(c + "api_start_push_ticket", (HttpContext ctx) => Handle(ctx, "api_start_push_ticket", (s, r) =>
        {
            s.CheckComponentCredentials(r.Str("component_appid"), r.Str("component_secret"), ApiError.ComponentAppIdMissing, ApiError.AppSecretMissing);
            var wasRunning = s.TicketPushesEnabled;
            s.TicketPushesEnabled = true;
            ctx.RequestServices.GetRequiredService<TicketPushService>().TriggerNow();
            return new { errcode = 0, errmsg = wasRunning ? "in a normal state" : "ok" };
        }, componentToken: false));

        api.MapPost(c + "clear_quota/v2", (HttpContext ctx) => Handle(ctx, "clear_quota", (s, r) =>
        {
            s.CheckComponentCredentials(r.Str("component_appid"), r.Str("appsecret"), ApiError.ComponentAppIdMissing, ApiError.AppSecretMissing);
            s.ClearQuota(r.Str("appid") ?? s.Options.ComponentAppId);
            return Ok();
        }, componentToken: false));

        api.MapPost("/message/custom/send", (HttpContext ctx) => Handle(ctx, "message_custom_send", (s, r) =>
        {
            var appId = s.CheckAuthorizerToken(r.Token);
            s.CountQuota("message_custom_send", appId);
            var msgType = r.Str("msgtype");
            var toUser = r.Str("touser");
            var content = r.Body is { } b && b.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.Object && text.TryGetProperty("content", out var value) ? value.GetString() : null;
            if (string.IsNullOrEmpty(toUser) || msgType != "text" || content is null)
            {
                throw ApiError.DataFormat();
            }

            s.RecordCustomMessage(new CustomMessage(s.Now, appId, toUser, msgType, content));
            return Ok();
        }, componentToken: false));

        return api;
    }

    private static object Ok() => new { errcode = 0, errmsg = "ok" };

    private static string OptionName(string? name)
        => name is not null && OptionValues.ContainsKey(name) ? name : throw ApiError.InvalidOptionName();

    private static void SetOption(EmulatorState state, Authorization authorization, RequestData request)
    {
        var name = OptionName(request.Str("option_name"));
        var value = request.Str("option_value") ?? request.Int("option_value")?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (value is null || !OptionValues[name].Contains(value))
        {
            throw ApiError.InvalidOptionValue();
        }

        state.SetOption(authorization, name, value);
    }

    private static object[] FuncInfo(Authorization authorization)
        => authorization.FuncInfo.Select(id => (object)new
        {
            funcscope_category = new { id },
            confirm_info = new { need_confirm = 0, already_confirm = 0, can_confirm = 0 },
        }).ToArray();

    private static object AuthorizerInfo(EmulatedAccount account)
    {
        var info = new Dictionary<string, object?>
        {
            ["nick_name"] = account.NickName,
            ["head_img"] = account.HeadImg,
            ["service_type_info"] = new { id = account.ServiceType },
            ["verify_type_info"] = new { id = account.VerifyType },
            ["user_name"] = account.UserName,
            ["principal_name"] = account.PrincipalName,
            ["alias"] = account.Alias,
            ["qrcode_url"] = account.QrcodeUrl,
            ["business_info"] = new { open_store = 0, open_scan = 0, open_pay = account.VerifyType == 0 ? 1 : 0, open_card = 0, open_shake = 0 },
            ["idc"] = 1,
            ["signature"] = account.Signature,
            ["account_status"] = account.AccountStatus,
            ["register_type"] = 0,
            ["basic_config"] = new { is_phone_configured = true, is_email_configured = true },
        };
        if (account.IsMiniProgram)
        {
            var empty = Array.Empty<string>();
            info["MiniProgramInfo"] = new
            {
                network = new Dictionary<string, string[]>
                {
                    ["RequestDomain"] = [$"https://api.{account.UserName}.example.cn"],
                    ["WsRequestDomain"] = empty, ["UploadDomain"] = empty, ["DownloadDomain"] = [$"https://img.{account.UserName}.example.cn"],
                    ["BizDomain"] = empty, ["UDPDomain"] = empty, ["TCPDomain"] = empty, ["PrefetchDNSDomain"] = empty,
                    ["NewRequestDomain"] = empty, ["NewWsRequestDomain"] = empty, ["NewUploadDomain"] = empty, ["NewDownloadDomain"] = empty,
                    ["NewBizDomain"] = empty, ["NewUDPDomain"] = empty, ["NewTCPDomain"] = empty, ["NewPrefetchDNSDomain"] = empty,
                },
                categories = new[] { new { first = "餐饮", second = "点餐平台" } },
                visit_status = 0,
            };
        }

        return info;
    }

    /// <summary>The common path of every API: IP allow-list, faults, body, token, handler, record.</summary>
    private static async Task Handle(HttpContext context, string api, Func<EmulatorState, RequestData, object> handler, bool componentToken = true)
    {
        var result = await Process(context, api, handler, componentToken).ConfigureAwait(false);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    private static async Task<IResult> Process(HttpContext context, string api, Func<EmulatorState, RequestData, object> handler, bool componentToken)
    {
        var state = context.RequestServices.GetRequiredService<EmulatorState>();
        var ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var token = context.Request.Query["component_access_token"].FirstOrDefault() ?? context.Request.Query["access_token"].FirstOrDefault();
        JsonElement? body = null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (token is not null)
        {
            parameters[context.Request.Query.ContainsKey("component_access_token") ? "component_access_token" : "access_token"] = Mask(token);
        }

        try
        {
            body = await ReadBodyAsync(context).ConfigureAwait(false);
            if (body is { ValueKind: JsonValueKind.Object } b)
            {
                foreach (var property in b.EnumerateObject())
                {
                    var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() ?? string.Empty : property.Value.GetRawText();
                    parameters[property.Name] = SecretKeys.Contains(property.Name) ? "***" : TokenKeys.Contains(property.Name) ? Mask(value) : value;
                }
            }
        }
        catch (ApiError error)
        {
            return Error(state, api, ip, parameters, error);
        }

        if (state.Options.IpAllowList is { Count: > 0 } allowed && !allowed.Contains(ip))
        {
            return Error(state, api, ip, parameters, ApiError.ClientIpNotRegistered(ip));
        }

        if (state.DrawFault(api) is { } fault)
        {
            switch (fault.Kind)
            {
                case FaultKind.Latency:
                    await Task.Delay(fault.LatencyMs, context.RequestAborted).ConfigureAwait(false);
                    break;
                case FaultKind.SystemError:
                    return Error(state, api, ip, parameters, ApiError.SystemError(), "fault");
                case FaultKind.ErrCode:
                    return Error(state, api, ip, parameters, new ApiError(fault.ErrCode, $"injected error {fault.ErrCode}"), "fault");
                case FaultKind.Http500 or FaultKind.Http502:
                    var status = fault.Kind == FaultKind.Http500 ? 500 : 502;
                    state.RecordCall(api, ip, parameters, -1, $"fault: HTTP {status}");
                    return Results.StatusCode(status);
                case FaultKind.Timeout:
                    state.RecordCall(api, ip, parameters, -1, "fault: timeout");
                    try
                    {
                        await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // The caller gave up, as intended.
                    }

                    return Results.Empty;
            }
        }

        try
        {
            if (body is not { ValueKind: JsonValueKind.Object })
            {
                throw ApiError.DataFormat();
            }

            if (componentToken)
            {
                state.CheckComponentToken(token);
                state.CountQuota(api, state.Options.ComponentAppId);
            }

            var result = handler(state, new RequestData(body.Value, token));
            state.RecordCall(api, ip, parameters, 0);
            return Results.Text(JsonSerializer.Serialize(result, Json), "application/json; encoding=utf-8", Encoding.UTF8);
        }
        catch (ApiError error)
        {
            return Error(state, api, ip, parameters, error);
        }
    }

    private static async Task<JsonElement?> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var buffer = new char[64 * 1024 + 1];
        var read = await reader.ReadBlockAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (read > 64 * 1024)
        {
            throw ApiError.DataFormat();
        }

        if (read == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(new string(buffer, 0, read));
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ApiError.DataFormat();
        }
    }

    private static IResult Error(EmulatorState state, string api, string ip, Dictionary<string, string> parameters, ApiError error, string? note = null)
    {
        state.RecordCall(api, ip, parameters, error.Code, note);
        var rid = $"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var json = JsonSerializer.Serialize(new { errcode = error.Code, errmsg = $"{error.Message} rid: {rid}" }, Json);
        return Results.Text(json, "application/json; encoding=utf-8", Encoding.UTF8);
    }

    private static string Mask(string value) => value.Length <= 8 ? "***" : "***" + value[^4..];

    /// <summary>The parsed JSON body and the query token.</summary>
    private readonly record struct RequestData(JsonElement Body, string? Token)
    {
        public string? Str(string name)
            => Body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        public int? Int(string name)
            => Body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n
                : Body.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String && int.TryParse(text.GetString(), out var parsed) ? parsed
                : null;
    }
}
