using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
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
/// The authorization page (reference §4): <c>/mp/cgi-bin/componentloginpage</c> (PC) and
/// <c>/open/wxaopen/safe/bindcomponent</c> / <c>/mp/safe/bindcomponent</c> (in WeChat). It validates the parameters,
/// checks that the Referer and redirect_uri hosts equal the initiation domain, lists the accounts auth_type / biz_appid
/// allow, offers the permission sets category_id_list allows, and on confirmation redirects with auth_code and pushes.
/// </summary>
public static class AuthorizationPageEndpoints
{
    private const string DomainMismatch = "请确认授权入口页所在域名，与授权后回调页所在域名相同，并且，此两者都必须与申请第三方平台时填写的授权发起页域名相同。";

    public static IEndpointRouteBuilder MapAuthorizationPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/mp/cgi-bin/componentloginpage", (HttpContext ctx) => ShowAsync(ctx, mobile: false));
        endpoints.MapGet("/open/wxaopen/safe/bindcomponent", (HttpContext ctx) => ShowAsync(ctx, mobile: true));
        endpoints.MapGet("/mp/safe/bindcomponent", (HttpContext ctx) => ShowAsync(ctx, mobile: true));
        endpoints.MapPost("/mp/cgi-bin/componentloginpage/confirm", ConfirmAsync).DisableAntiforgery();
        return endpoints;
    }

    private static async Task ShowAsync(HttpContext context, bool mobile)
    {
        var state = context.RequestServices.GetRequiredService<EmulatorState>();
        var sessions = context.RequestServices.GetRequiredService<AuthorizationPageSessions>();
        var q = context.Request.Query;
        string? P(string name) => q[name].FirstOrDefault();

        if (mobile && P("action") != "bindcomponent")
        {
            await ErrorAsync(context, -13, "参数错误 (action=bindcomponent is required)").ConfigureAwait(false);
            return;
        }

        var componentAppId = P("component_appid");
        var preAuthCode = P("pre_auth_code");
        var redirectUri = P("redirect_uri");
        if (string.IsNullOrEmpty(componentAppId))
        {
            await ErrorAsync(context, -306, "缺少 componentappid").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(preAuthCode))
        {
            await ErrorAsync(context, -307, "缺少 preauthcode").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(redirectUri))
        {
            await ErrorAsync(context, -308, "缺少 redirecturl").ConfigureAwait(false);
            return;
        }

        if (componentAppId != state.Options.ComponentAppId)
        {
            await ErrorAsync(context, -305, "ComponentAppID非法").ConfigureAwait(false);
            return;
        }

        var domain = state.Options.InitiationDomain;
        var refererHost = Uri.TryCreate(context.Request.Headers.Referer.FirstOrDefault(), UriKind.Absolute, out var referer) ? referer.Host : null;
        var redirectHost = Uri.TryCreate(redirectUri, UriKind.Absolute, out var redirect) ? redirect.Host : null;
        if (!string.Equals(refererHost, domain, StringComparison.OrdinalIgnoreCase) || !string.Equals(redirectHost, domain, StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, -14, $"{DomainMismatch}授权入口页所在域名：{(refererHost is null ? "空" : refererHost)}").ConfigureAwait(false);
            return;
        }

        if (state.CheckPreAuthCode(preAuthCode) is { } problem)
        {
            await ErrorAsync(context, problem.Code, problem.Message).ConfigureAwait(false);
            return;
        }

        var authType = int.TryParse(P("auth_type"), out var t) ? t : 3;
        var bizAppId = P("biz_appid");
        var accounts = ListableAccounts(state, authType, bizAppId);
        if (accounts.Count == 0)
        {
            var message = bizAppId is null ? "没有可授权的帐号" : "该帐号不能授权给此第三方平台（biz_appid 限定的帐号不存在或不可用）";
            await ErrorAsync(context, -19, message).ConfigureAwait(false);
            return;
        }

        var offered = OfferedSets(P("category_id_list"));
        var session = sessions.Open(new PageSession(preAuthCode, redirectUri, accounts.Select(a => a.AppId).ToHashSet(), offered));
        var prefix = context.RequestServices.GetRequiredService<EmulatorMount>().Prefix;
        await HtmlAsync(context, RenderPage(state, prefix, session, offered, accounts, mobile)).ConfigureAwait(false);
    }

    private static async Task ConfirmAsync(HttpContext context)
    {
        var state = context.RequestServices.GetRequiredService<EmulatorState>();
        var sessions = context.RequestServices.GetRequiredService<AuthorizationPageSessions>();
        if (!context.Request.HasFormContentType)
        {
            // WeChat's page posts a form; anything else is a malformed request, never a server error.
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await ErrorAsync(context, -13, "参数错误 (the confirmation must be a form post)").ConfigureAwait(false);
            return;
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await ErrorAsync(context, -13, "参数错误 (the form could not be read)").ConfigureAwait(false);
            return;
        }

        var session = sessions.Take(form["session"].FirstOrDefault());
        if (session is null)
        {
            await ErrorAsync(context, -12, "二维码失效（页面已过期或已使用，请重新发起授权）").ConfigureAwait(false);
            return;
        }

        if (form["decision"].FirstOrDefault() == "cancel")
        {
            await HtmlAsync(context, Wrap("已取消", "<h1>已取消授权</h1><p class=\"muted\">你可以关闭此页面。</p>")).ConfigureAwait(false);
            return;
        }

        var appId = form["appid"].FirstOrDefault();
        var account = appId is null || !session.AccountIds.Contains(appId) ? null : state.FindAccount(appId);
        if (account is null)
        {
            await ErrorAsync(context, -13, "参数错误（请选择一个帐号）").ConfigureAwait(false);
            return;
        }

        if (state.CheckPreAuthCode(session.PreAuthCode) is { } problem)
        {
            await ErrorAsync(context, problem.Code, problem.Message).ConfigureAwait(false);
            return;
        }

        var side = account.IsMiniProgram ? AccountSide.MiniProgram : AccountSide.OfficialAccount;
        var chosen = form["set"].Select(v => int.TryParse(v, out var id) ? id : -1)
            .Where(id => session.OfferedSets.Contains(id) && AppliesTo(id, side))
            .ToList();
        var grant = state.ConfirmAuthorization(session.PreAuthCode, account.AppId, chosen);

        var sender = context.RequestServices.GetRequiredService<PushSender>();
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        switch (state.EffectivePushTiming)
        {
            case AuthorizationPushTiming.BeforeRedirect:
                await sender.PushGrantAsync(grant, CancellationToken.None).ConfigureAwait(false);
                break;
            case AuthorizationPushTiming.AfterRedirect:
                var delay = state.Options.AfterRedirectPushDelay;
                _ = Task.Run(async () =>
                {
                    await Task.Delay(delay, time).ConfigureAwait(false);
                    await sender.PushGrantAsync(grant, CancellationToken.None).ConfigureAwait(false);
                });
                break;
            default:
                _ = Task.Run(() => sender.PushGrantAsync(grant, CancellationToken.None));
                break;
        }

        context.Response.Redirect(WithAuthCode(session.RedirectUri, grant.AuthCode, (int)state.Options.AuthCodeLifetime.TotalSeconds));
    }

    /// <summary>Inserts <c>auth_code</c> and <c>expires_in</c> into the query, before any fragment (reference §4.6).</summary>
    public static string WithAuthCode(string redirectUri, string authCode, int expiresIn)
    {
        var hash = redirectUri.IndexOf('#', StringComparison.Ordinal);
        var (head, fragment) = hash < 0 ? (redirectUri, string.Empty) : (redirectUri[..hash], redirectUri[hash..]);
        var separator = head.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return $"{head}{separator}auth_code={Uri.EscapeDataString(authCode)}&expires_in={expiresIn}{fragment}";
    }

    private static List<EmulatedAccount> ListableAccounts(EmulatorState state, int authType, string? bizAppId)
    {
        var listable = state.Accounts.Where(a => a.IsListable && !a.IsSynthetic);
        if (!string.IsNullOrEmpty(bizAppId))
        {
            return listable.Where(a => a.AppId == bizAppId).ToList();
        }

        return authType switch
        {
            1 => listable.Where(a => !a.IsMiniProgram).ToList(),
            2 => listable.Where(a => a.IsMiniProgram).ToList(),
            3 or 6 => listable.ToList(),
            _ => [],
        };
    }

    private static HashSet<int> OfferedSets(string? categoryIdList)
    {
        var all = FuncScopeCatalog.All.Select(s => s.Id).ToHashSet();
        if (string.IsNullOrWhiteSpace(categoryIdList))
        {
            return all;
        }

        return categoryIdList.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.TryParse(v, out var id) ? id : -1)
            .Where(id => id > 0)
            .ToHashSet();
    }

    private static bool AppliesTo(int id, AccountSide side)
    {
        var scopeSide = FuncScopeCatalog.Get(id).Side;
        return scopeSide == side || scopeSide == AccountSide.Unspecified;
    }

    private static string RenderPage(EmulatorState state, string prefix, string session, HashSet<int> offered, List<EmulatedAccount> accounts, bool mobile)
    {
        var html = new StringBuilder();
        html.Append("<h1>").Append(mobile ? "微信内授权" : "扫码授权").Append("</h1>")
            .Append("<p class=\"muted\">第三方平台 <b>").Append(E(state.Options.ComponentAppId)).Append("</b> 请求获得以下帐号的权限。")
            .Append(mobile ? "" : "（模拟扫码：选择你作为管理员的帐号后确认授权。）").Append("</p>")
            .Append("<form method=\"post\" action=\"").Append(E(prefix)).Append("/mp/cgi-bin/componentloginpage/confirm\">")
            .Append("<input type=\"hidden\" name=\"session\" value=\"").Append(E(session)).Append("\">")
            .Append("<h2>选择帐号</h2>");
        var first = true;
        foreach (var a in accounts)
        {
            html.Append("<label class=\"acct\"><input type=\"radio\" name=\"appid\" value=\"").Append(E(a.AppId)).Append('"').Append(first ? " checked" : "").Append('>')
                .Append("<span class=\"avatar\">").Append(E(a.NickName[..1])).Append("</span><span><b>").Append(E(a.NickName)).Append("</b> ")
                .Append(a.IsMiniProgram ? "小程序" : a.ServiceType == 2 ? "服务号" : "订阅号")
                .Append(a.VerifyType == -1 ? " · 未认证" : " · 已认证")
                .Append("<br><span class=\"muted\">").Append(E(a.PrincipalName)).Append(" · ").Append(E(a.UserName)).Append(" · ").Append(E(a.AppId)).Append("</span>");
            if (a.HeldByOtherPlatform.Count > 0)
            {
                html.Append("<br><span class=\"warn\">以下互斥权限集已授权给其他第三方平台，不会授予本平台：")
                    .Append(E(string.Join("、", a.HeldByOtherPlatform.Select(id => FuncScopeCatalog.Get(id).NameZh)))).Append("</span>");
            }

            html.Append("</span></label>");
            first = false;
        }

        foreach (var (side, title) in new[] { (AccountSide.OfficialAccount, "公众号权限集"), (AccountSide.MiniProgram, "小程序权限集"), (AccountSide.Unspecified, "通用权限集") })
        {
            var sets = offered.Select(FuncScopeCatalog.Get).Where(s => s.Side == side).OrderBy(s => s.Id).ToList();
            if (sets.Count == 0)
            {
                continue;
            }

            html.Append("<h2>").Append(title).Append("</h2><div class=\"sets\">");
            foreach (var s in sets)
            {
                html.Append("<label><input type=\"checkbox\" name=\"set\" value=\"").Append(s.Id).Append("\" checked> ")
                    .Append(E(s.NameZh)).Append(s.MutuallyExclusive ? " <span class=\"warn\">（互斥）</span>" : "")
                    .Append(" <span class=\"muted\">#").Append(s.Id).Append("</span></label>");
            }

            html.Append("</div>");
        }

        html.Append("<p style=\"margin-top:24px\"><button class=\"btn\" type=\"submit\" name=\"decision\" value=\"confirm\">确认授权</button> ")
            .Append("<button class=\"btn secondary\" type=\"submit\" name=\"decision\" value=\"cancel\">取消</button></p></form>");
        return Wrap("授权 - 微信开放平台", html.ToString());
    }

    private static Task ErrorAsync(HttpContext context, int code, string message)
    {
        var body = $"<h1>授权失败</h1><div class=\"error\"><p>{E(message)}</p><p class=\"code\">错误码 {code}</p></div>";
        return HtmlAsync(context, Wrap("授权失败", body), code);
    }

    private static async Task HtmlAsync(HttpContext context, string html, int? errorCode = null)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        if (errorCode is { } code)
        {
            context.Response.Headers["X-Emulator-Error"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await context.Response.WriteAsync(html, Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>What a shown page allows; the confirmation must present its single-use id.</summary>
public sealed record PageSession(string PreAuthCode, string RedirectUri, HashSet<string> AccountIds, HashSet<int> OfferedSets);

/// <summary>Open authorization pages (in memory, expiring with their pre_auth_code).</summary>
public sealed class AuthorizationPageSessions
{
    private readonly ConcurrentDictionary<string, PageSession> _sessions = new(StringComparer.Ordinal);

    public string Open(PageSession session)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _sessions[id] = session;
        return id;
    }

    public PageSession? Find(string id) => _sessions.TryGetValue(id, out var session) ? session : null;

    public PageSession? Take(string? id) => id is not null && _sessions.TryRemove(id, out var session) ? session : null;

    public void Clear() => _sessions.Clear();
}
