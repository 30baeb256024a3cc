using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.WeChat.Emulator.Model;
using Portal.WeChat.Emulator.Services;
using Portal.WeChat.Protocol.Permissions;
using static Portal.WeChat.Emulator.Services.HtmlPage;

namespace Portal.WeChat.Emulator.Endpoints;

/// <summary>
/// <c>/admin</c>: a page and a small JSON API to act as an account administrator (cancel, change sets), as WeChat
/// (ban, ticket pushes, faults, the release test) and to inspect every call and push. Parameters come from the query
/// string or a form; a form with <c>return=page</c> goes back to the page.
/// </summary>
public static partial class AdminEndpoints
{
    [System.Text.RegularExpressions.GeneratedRegex("<form [^>]*data-af=\"1\"[^>]*>")]
    private static partial System.Text.RegularExpressions.Regex FormOpen();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static IEndpointRouteBuilder MapEmulatorAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/admin", (HttpContext ctx) => PageAsync(ctx));
        var api = endpoints.MapGroup("/admin/api").DisableAntiforgery();

        api.MapGet("/state", (HttpContext ctx) => Reply(ctx, StateOf(ctx)));
        api.MapPost("/reset", (HttpContext ctx) => Act(ctx, (s, _) =>
        {
            s.Reset();
            ctx.RequestServices.GetRequiredService<AuthorizationPageSessions>().Clear();
            return new { reset = true };
        }));
        api.MapPost("/tickets/push", (HttpContext ctx) => ActAsync(ctx, async (s, _) => new { delivered = await Sender(ctx).PushTicketAsync(ctx.RequestAborted) }));
        api.MapPost("/tickets/stop", (HttpContext ctx) => Act(ctx, (s, _) => new { ticketPushes = s.TicketPushesEnabled = false }));
        api.MapPost("/tickets/resume", (HttpContext ctx) => Act(ctx, (s, _) => new { ticketPushes = s.TicketPushesEnabled = true }));

        api.MapPost("/accounts/{appId}/revoke", (HttpContext ctx, string appId) => ActAsync(ctx, async (s, _) =>
        {
            var revoked = s.Revoke(appId);
            var delivered = revoked && await Sender(ctx).PushUnauthorizedAsync(appId, ctx.RequestAborted);
            return new { revoked, delivered };
        }));
        api.MapPost("/accounts/{appId}/sets", (HttpContext ctx, string appId) => ActAsync(ctx, async (s, a) =>
        {
            var sets = (a("sets") ?? string.Empty).Split([',', '|', ' '], StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();
            var grant = s.ChangeGrantedSets(appId, sets);
            var delivered = await Sender(ctx).PushGrantAsync(grant, ctx.RequestAborted);
            return new { granted = grant.GrantedSets, delivered };
        }));
        api.MapPost("/accounts/{appId}/status", (HttpContext ctx, string appId) => Act(ctx, (s, a) =>
        {
            var status = int.Parse(a("status") ?? "1", CultureInfo.InvariantCulture);
            s.SetAccountStatus(appId, status);
            return new { appId, accountStatus = status };
        }));
        api.MapPost("/accounts/{appId}/messages", (HttpContext ctx, string appId) => ActAsync(ctx, async (s, a) =>
        {
            var account = s.FindAccount(appId) ?? throw new KeyNotFoundException(appId);
            var openId = a("openid") ?? "oEmulatorUser000000000000001";
            var xml = new WireXml().Text("ToUserName", account.UserName).Text("FromUserName", openId)
                .Number("CreateTime", s.Now.ToUnixTimeSeconds()).Text("MsgType", "text").Text("Content", a("content") ?? "你好")
                .Number("MsgId", Random.Shared.NextInt64(1_000_000_000_000_000, long.MaxValue)).ToString();
            var answer = await Sender(ctx).PushAccountMessageAsync(account, openId, xml, ctx.RequestAborted);
            return new { answer.Status, answer.Body, answer.Error, elapsedMs = answer.Elapsed.TotalMilliseconds };
        }));

        api.MapGet("/calls", (HttpContext ctx) => Reply(ctx, State(ctx).Calls.Where(c => ctx.Request.Query["api"].FirstOrDefault() is not { } name || c.Api == name)));
        api.MapDelete("/calls", (HttpContext ctx) => Act(ctx, (s, _) =>
        {
            s.ClearRecords();
            return new { cleared = true };
        }));
        api.MapGet("/pushes", (HttpContext ctx) => Reply(ctx, State(ctx).Pushes));
        api.MapGet("/custom-messages", (HttpContext ctx) => Reply(ctx, State(ctx).CustomMessages));

        api.MapGet("/faults", (HttpContext ctx) => Reply(ctx, State(ctx).Faults));
        api.MapPost("/faults", (HttpContext ctx) => Act(ctx, (s, a) =>
        {
            var rule = new FaultRule
            {
                Target = a("target") ?? throw new ArgumentException("target is required"),
                Kind = Enum.Parse<FaultKind>(a("kind") ?? throw new ArgumentException("kind is required"), ignoreCase: true),
                Probability = double.Parse(a("probability") ?? "1", CultureInfo.InvariantCulture),
                RemainingCount = a("count") is { Length: > 0 } count ? int.Parse(count, CultureInfo.InvariantCulture) : null,
                LatencyMs = int.Parse(a("latencyMs") ?? "1000", CultureInfo.InvariantCulture),
                ErrCode = int.Parse(a("errcode") ?? "-1", CultureInfo.InvariantCulture),
            };
            s.AddFault(rule);
            return rule;
        }));
        api.MapDelete("/faults", (HttpContext ctx) => Act(ctx, (s, _) =>
        {
            s.ClearFaults();
            return new { cleared = true };
        }));

        api.MapPost("/settings", (HttpContext ctx) => Act(ctx, (s, a) =>
        {
            if (a("refreshTokenMode") is { Length: > 0 } mode)
            {
                s.RefreshTokenModeOverride = Enum.Parse<RefreshTokenMode>(mode, ignoreCase: true);
            }

            if (a("pushTiming") is { Length: > 0 } timing)
            {
                s.PushTimingOverride = Enum.Parse<AuthorizationPushTiming>(timing, ignoreCase: true);
            }

            return new { refreshTokenMode = s.EffectiveRefreshTokenMode, pushTiming = s.EffectivePushTiming };
        }));

        api.MapPost("/authorizations/bulk", (HttpContext ctx) => Act(ctx, (s, a) =>
        {
            var created = s.SeedSyntheticAuthorizations(int.Parse(a("count") ?? "0", CultureInfo.InvariantCulture), a("prefix") ?? "b");
            return created.Select(c => new { authorizer_appid = c.AppId, refresh_token = c.RefreshToken });
        }));

        api.MapPost("/release-test/{group:int}", (HttpContext ctx, int group) => ActAsync(ctx, async (_, _) =>
            await ctx.RequestServices.GetRequiredService<ReleaseTestRunner>().RunAsync(group, ctx.RequestAborted)));
        api.MapGet("/release-test", (HttpContext ctx) => Reply(ctx, ctx.RequestServices.GetRequiredService<ReleaseTestRunner>().Reports));
        return endpoints;
    }

    private static EmulatorState State(HttpContext ctx) => ctx.RequestServices.GetRequiredService<EmulatorState>();

    private static PushSender Sender(HttpContext ctx) => ctx.RequestServices.GetRequiredService<PushSender>();

    private static object StateOf(HttpContext ctx)
    {
        var s = State(ctx);
        var (ticket, issuedAt) = s.CurrentTicket;
        return new
        {
            componentAppId = s.Options.ComponentAppId,
            ticketPushes = s.TicketPushesEnabled,
            ticketIssuedAt = ticket is null ? (DateTimeOffset?)null : issuedAt,
            refreshTokenMode = s.EffectiveRefreshTokenMode,
            pushTiming = s.EffectivePushTiming,
            accounts = s.Accounts.Where(a => !a.IsSynthetic).Select(a =>
            {
                var authorization = s.FindAuthorization(a.AppId);
                return new
                {
                    a.AppId, a.UserName, a.NickName, a.IsMiniProgram, a.AccountStatus, a.VerifyType, a.ReleaseTestGroup,
                    authorized = authorization?.Active ?? false,
                    funcInfo = authorization?.FuncInfo ?? [],
                };
            }),
            faults = s.Faults,
        };
    }

    private static Task Reply(HttpContext ctx, object value)
    {
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(value, Json), Encoding.UTF8);
    }

    private static Task Act(HttpContext ctx, Func<EmulatorState, Func<string, string?>, object> action)
        => ActAsync(ctx, (s, a) => Task.FromResult(action(s, a)));

    private static async Task ActAsync(HttpContext ctx, Func<EmulatorState, Func<string, string?>, Task<object>> action)
    {
        var form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync(ctx.RequestAborted) : null;
        string? Arg(string name) => form?[name].FirstOrDefault() ?? ctx.Request.Query[name].FirstOrDefault();
        object result;
        try
        {
            result = await action(State(ctx), Arg);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or ApiError or InvalidOperationException)
        {
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            await Reply(ctx, new { error = ex.Message });
            return;
        }

        if (Arg("return") == "page")
        {
            ctx.Response.Redirect(ctx.RequestServices.GetRequiredService<EmulatorMount>().Prefix + "/admin");
            return;
        }

        await Reply(ctx, result);
    }

    private static Task PageAsync(HttpContext ctx)
    {
        var s = State(ctx);
        var prefix = ctx.RequestServices.GetRequiredService<EmulatorMount>().Prefix;
        var a = prefix + "/admin/api";
        var (ticket, issuedAt) = s.CurrentTicket;
        var html = new StringBuilder();
        html.Append("<h1>WeChat emulator</h1><p class=\"muted\">Component ").Append(E(s.Options.ComponentAppId))
            .Append(" · event URL ").Append(E(s.Options.EventUrl)).Append(" · initiation domain ").Append(E(s.Options.InitiationDomain))
            .Append(" · refresh tokens ").Append(s.EffectiveRefreshTokenMode).Append(" · push timing ").Append(s.EffectivePushTiming).Append("</p>");

        html.Append("<h2>Ticket</h2><p>").Append(ticket is null ? "no ticket issued yet" : $"current ticket issued {issuedAt:u}")
            .Append(" · pushes ").Append(s.TicketPushesEnabled ? "<b>running</b>" : "<b class=\"warn\">stopped</b>").Append("</p>");
        foreach (var (path, label) in new[] { ("tickets/push", "Push ticket now"), ("tickets/stop", "Stop pushes"), ("tickets/resume", "Resume pushes") })
        {
            html.Append("<form class=\"inline\" method=\"post\" action=\"").Append(E($"{a}/{path}")).Append("\"><input type=\"hidden\" name=\"return\" value=\"page\"><button class=\"btn secondary\">").Append(label).Append("</button></form> ");
        }

        html.Append("<h2>Accounts</h2><table><tr><th>Account</th><th>Status</th><th>Granted sets</th><th>Actions</th></tr>");
        foreach (var account in s.Accounts.Where(x => !x.IsSynthetic))
        {
            var authorization = s.FindAuthorization(account.AppId);
            html.Append("<tr data-appid=\"").Append(E(account.AppId)).Append("\"><td><b>").Append(E(account.NickName)).Append("</b><br><span class=\"muted\">").Append(E(account.AppId)).Append(" · ")
                .Append(account.IsMiniProgram ? "mini program" : "official account").Append(account.ReleaseTestGroup is { } g ? $" · release test group {g}" : "").Append("</span></td><td>")
                .Append(authorization is { Active: true } ? "authorized" : authorization is null ? "not authorized" : "cancelled")
                .Append(account.AccountStatus == 1 ? "" : $" · account_status {account.AccountStatus}").Append("</td><td>")
                .Append(E(authorization is { Active: true } ? string.Join(", ", authorization.FuncInfo) : "")).Append("</td><td>");
            if (authorization is { Active: true })
            {
                html.Append("<form class=\"inline\" method=\"post\" action=\"").Append(E($"{a}/accounts/{account.AppId}/revoke")).Append("\"><input type=\"hidden\" name=\"return\" value=\"page\"><button class=\"btn secondary\">Cancel authorization</button></form> ")
                    .Append("<form class=\"inline\" method=\"post\" action=\"").Append(E($"{a}/accounts/{account.AppId}/sets")).Append("\"><input type=\"hidden\" name=\"return\" value=\"page\"><input type=\"text\" name=\"sets\" size=\"12\" value=\"").Append(E(string.Join(",", authorization.FuncInfo))).Append("\"><button class=\"btn secondary\">Change sets</button></form> ");
            }

            var (status, label) = account.AccountStatus == 1 ? (16, "Ban") : (1, "Restore");
            html.Append("<form class=\"inline\" method=\"post\" action=\"").Append(E($"{a}/accounts/{account.AppId}/status")).Append("\"><input type=\"hidden\" name=\"return\" value=\"page\"><input type=\"hidden\" name=\"status\" value=\"").Append(status).Append("\"><button class=\"btn secondary\">").Append(label).Append("</button></form>")
                .Append("</td></tr>");
        }

        html.Append("</table><h2>Faults</h2><form method=\"post\" action=\"").Append(E($"{a}/faults")).Append("\"><input type=\"hidden\" name=\"return\" value=\"page\">")
            .Append("<input type=\"text\" name=\"target\" value=\"api_authorizer_token\" size=\"24\"> <select name=\"kind\">");
        foreach (var kind in Enum.GetNames<FaultKind>())
        {
            html.Append("<option>").Append(kind).Append("</option>");
        }

        html.Append("</select> next <input type=\"number\" name=\"count\" value=\"1\" min=\"1\" style=\"width:60px\"> calls <button class=\"btn secondary\">Add fault</button></form><ul>");
        foreach (var fault in s.Faults)
        {
            html.Append("<li>").Append(E($"{fault.Target}: {fault.Kind} ({(fault.RemainingCount is { } n ? $"next {n}" : $"p={fault.Probability}")})")).Append("</li>");
        }

        html.Append("</ul><h2>Full-network release test</h2>");
        for (var group = 1; group <= 5; group++)
        {
            html.Append("<form class=\"inline\" method=\"post\" action=\"").Append(E($"{a}/release-test/{group}")).Append("\"><button class=\"btn secondary\">Run group ").Append(group).Append("</button></form> ");
        }

        html.Append("<h2>Recent calls</h2><table><tr><th>Time</th><th>API</th><th>errcode</th><th>Parameters</th></tr>");
        foreach (var call in s.Calls.TakeLast(30).Reverse())
        {
            html.Append("<tr><td>").Append(call.Time.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append("</td><td>").Append(E(call.Api)).Append("</td><td>").Append(call.ErrCode)
                .Append("</td><td class=\"muted\">").Append(E(string.Join(", ", call.Parameters.Select(p => $"{p.Key}={p.Value}")))).Append("</td></tr>");
        }

        html.Append("</table><h2>Recent pushes</h2><table><tr><th>Time</th><th>Kind</th><th>Attempt</th><th>Outcome</th></tr>");
        foreach (var push in s.Pushes.TakeLast(30).Reverse())
        {
            html.Append("<tr><td>").Append(push.Time.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append("</td><td>").Append(E(push.Kind)).Append(push.AuthorizerAppId is null ? "" : " " + E(push.AuthorizerAppId))
                .Append("</td><td>").Append(push.Attempt).Append("</td><td>").Append(E(push.Outcome)).Append(push.HttpStatus is { } st ? $" (HTTP {st})" : "").Append("</td></tr>");
        }

        html.Append("</table><p class=\"muted\">JSON API: ").Append(E(a)).Append("/state, /calls, /pushes, /custom-messages, /faults, /release-test</p>");
        var body = html.ToString();

        // A host that protects the admin API with antiforgery (the portal does) gets its token into every form.
        if (ctx.RequestServices.GetService<IAntiforgery>() is { } antiforgery)
        {
            var tokens = antiforgery.GetAndStoreTokens(ctx);
            body = body.Replace("method=\"post\" action=\"", "method=\"post\" data-af=\"1\" action=\"", StringComparison.Ordinal);
            body = FormOpen().Replace(body, m => m.Value + $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">");
        }

        ctx.Response.ContentType = "text/html; charset=utf-8";
        return ctx.Response.WriteAsync(Wrap("WeChat emulator", body), Encoding.UTF8);
    }
}
