using System.Globalization;
using System.Text;

namespace Portal.WeChat.Protocol.Links;

/// <summary>
/// Builds the PC (<c>componentloginpage</c>) and mobile (<c>bindcomponent</c>) authorization links (reference §4).
/// Base hosts are configurable so the same code points at WeChat or at the emulator.
/// </summary>
public sealed class AuthorizationLinkBuilder
{
    /// <summary>WeChat's host for the PC page.</summary>
    public const string DefaultAuthPageBaseUrl = "https://mp.weixin.qq.com";

    /// <summary>WeChat's host for the in-WeChat page.</summary>
    public const string DefaultMobileAuthBaseUrl = "https://open.weixin.qq.com";

    private readonly string _authPageBase;
    private readonly string _mobileBase;

    /// <summary>Creates a builder for the given base URLs (scheme, host and optional path prefix).</summary>
    public AuthorizationLinkBuilder(string authPageBaseUrl = DefaultAuthPageBaseUrl, string mobileAuthBaseUrl = DefaultMobileAuthBaseUrl)
    {
        _authPageBase = NormalizeBase(authPageBaseUrl, nameof(authPageBaseUrl));
        _mobileBase = NormalizeBase(mobileAuthBaseUrl, nameof(mobileAuthBaseUrl));
    }

    /// <summary>The PC link: <c>{base}/cgi-bin/componentloginpage?…</c>, shown as a page the administrator scans.</summary>
    public string BuildPcLink(AuthorizationLinkRequest request)
    {
        var query = BuildQuery(request, mobile: false);
        return $"{_authPageBase}/cgi-bin/componentloginpage?{query}";
    }

    /// <summary>The mobile link: <c>{base}/wxaopen/safe/bindcomponent?action=bindcomponent&amp;no_scan=1&amp;…#wechat_redirect</c>.</summary>
    public string BuildMobileLink(AuthorizationLinkRequest request)
    {
        var query = BuildQuery(request, mobile: true);
        return $"{_mobileBase}/wxaopen/safe/bindcomponent?{query}#wechat_redirect";
    }

    /// <summary>Checks a redirect URI; returns null when acceptable, otherwise the reason in English.</summary>
    public static string? ValidateRedirectUri(string? redirectUri)
    {
        if (string.IsNullOrWhiteSpace(redirectUri))
        {
            return "redirect_uri is required";
        }

        if (redirectUri.Contains('#', StringComparison.Ordinal))
        {
            return "redirect_uri must not contain '#': WeChat appends auth_code to the query, and a fragment (hash route) would hide it from the server. Use a path or query route instead";
        }

        if (!Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "redirect_uri must be an absolute http(s) URL";
        }

        return null;
    }

    private static string BuildQuery(AuthorizationLinkRequest request, bool mobile)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.ComponentAppId))
        {
            throw new ArgumentException("component_appid is required", nameof(request));
        }

        if (string.IsNullOrWhiteSpace(request.PreAuthCode))
        {
            throw new ArgumentException("pre_auth_code is required", nameof(request));
        }

        if (ValidateRedirectUri(request.RedirectUri) is { } problem)
        {
            throw new ArgumentException(problem, nameof(request));
        }

        if (request.AuthType is { } authType && !Enum.IsDefined(authType))
        {
            throw new ArgumentException("auth_type must be 1 to 6", nameof(request));
        }

        var query = new StringBuilder(256);
        if (mobile)
        {
            query.Append("action=bindcomponent&no_scan=1&");
        }

        Append(query, "component_appid", request.ComponentAppId);
        Append(query, "pre_auth_code", request.PreAuthCode);
        Append(query, "redirect_uri", request.RedirectUri);
        if (request.AuthType is { } type)
        {
            Append(query, "auth_type", ((int)type).ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrWhiteSpace(request.BizAppId))
        {
            Append(query, "biz_appid", request.BizAppId);
        }

        if (request.CategoryIds is { Count: > 0 } ids)
        {
            Append(query, "category_id_list", string.Join('|', ids.Select(id => id.ToString(CultureInfo.InvariantCulture))));
        }

        query.Length--;
        return query.ToString();
    }

    private static void Append(StringBuilder query, string name, string value)
        => query.Append(name).Append('=').Append(Uri.EscapeDataString(value)).Append('&');

    private static string NormalizeBase(string baseUrl, string parameter)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"{parameter} must be an absolute http(s) URL", parameter);
        }

        return baseUrl.TrimEnd('/');
    }
}
