namespace Portal.Web.Features.Localization;

/// <summary>
/// Every user-visible string, in Simplified Chinese (default) and English. A page asks <see cref="UiText"/>
/// for a key; a key missing here is a test failure, never a blank on the page.
/// </summary>
public static class Texts
{
    public static readonly IReadOnlyDictionary<string, (string Zh, string En)> All = new Dictionary<string, (string, string)>
    {
        ["app.name"] = ("商户授权门户", "Merchant Onboarding Portal"),
        ["app.tagline"] = ("为门店绑定公众号与小程序，并让每一个授权持续有效。", "Bind stores to official accounts and mini programs, and keep every authorization alive."),
        ["nav.home"] = ("首页", "Home"),
        ["nav.stores"] = ("门店", "Stores"),
        ["nav.authorizers"] = ("授权帐号", "Authorizers"),
        ["nav.operations"] = ("运维", "Operations"),
        ["nav.language"] = ("English", "中文"),
        ["mode.emulator"] = ("模拟器模式：所有微信调用都发往内置模拟器，离线可用。", "Emulator mode: every WeChat call goes to the built-in emulator; works offline."),
        ["mode.live"] = ("正式模式：连接微信开放平台。", "Live mode: connected to the WeChat Open Platform."),
        ["home.stores.title"] = ("门店", "Stores"),
        ["home.stores.body"] = ("为门店发起绑定，选择可授权的帐号类型与权限集，扫码完成授权。", "Start a binding for a store, choose the account kinds and permission sets, scan and confirm."),
        ["home.authorizers.title"] = ("授权帐号", "Authorizers"),
        ["home.authorizers.body"] = ("查看每个公众号与小程序授予了哪些权限集，缺少哪些必需权限。", "See which permission sets each official account and mini program granted, and which required ones are missing."),
        ["home.operations.title"] = ("运维", "Operations"),
        ["home.operations.body"] = ("票据与令牌的健康状况、后台任务、告警与审计日志。", "Ticket and token health, background jobs, alerts and the audit log."),
        ["error.title"] = ("出错了", "Something went wrong"),
        ["error.body"] = ("请求未能完成。请稍后重试；如果问题持续，请把下面的请求编号告诉运维人员。", "The request could not be completed. Try again later; if it persists, give the request id below to ops."),
        ["notfound.title"] = ("页面不存在", "Page not found"),
        ["notfound.body"] = ("您访问的地址不存在。", "There is nothing at this address."),
        ["reconnect.text"] = ("与服务器的连接已断开，正在重新连接…", "The connection to the server was lost; reconnecting…"),
    };
}
