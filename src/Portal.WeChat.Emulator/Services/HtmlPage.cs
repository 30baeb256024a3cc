using System.Net;
using System.Text;

namespace Portal.WeChat.Emulator.Services;

/// <summary>Minimal, dependency-free HTML for the emulator's pages (no script or style from outside the machine).</summary>
public static class HtmlPage
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    public static string Wrap(string title, string body)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append("<title>").Append(E(title)).Append("</title><style>")
            .Append("body{margin:0;font-family:-apple-system,'PingFang SC','Microsoft YaHei','WenQuanYi Zen Hei',sans-serif;background:#ededed;color:#191919}")
            .Append(".top{background:#2e3238;color:#fff;padding:12px 24px;font-size:15px}.top b{color:#07c160}")
            .Append(".card{max-width:760px;margin:24px auto;background:#fff;border-radius:8px;padding:24px 32px;box-shadow:0 1px 3px rgba(0,0,0,.1)}")
            .Append("h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:20px 0 8px}.muted{color:#888;font-size:13px}")
            .Append(".acct{display:flex;gap:12px;align-items:center;border:1px solid #e5e5e5;border-radius:6px;padding:10px 12px;margin:6px 0;cursor:pointer}")
            .Append(".acct:has(input:checked){border-color:#07c160;background:#f0fbf4}.avatar{width:36px;height:36px;border-radius:50%;background:#07c160;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:600}")
            .Append(".sets{columns:2;font-size:14px}.sets label{display:block;margin:3px 0;break-inside:avoid}.warn{color:#b26a00}")
            .Append(".btn{background:#07c160;color:#fff;border:0;border-radius:4px;padding:10px 28px;font-size:15px;cursor:pointer}.btn.secondary{background:#f2f2f2;color:#333}")
            .Append(".error{border-left:4px solid #fa5151;padding:12px 16px;background:#fff5f5}.code{font-family:monospace;color:#fa5151}")
            .Append("table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #eee;padding:6px 8px;text-align:left;vertical-align:top}")
            .Append("form.inline{display:inline}input[type=text],input[type=number],select{padding:4px 6px}")
            .Append("</style></head><body><div class=\"top\"><b>微信</b>开放平台 · WeChat emulator</div><div class=\"card\">")
            .Append(body)
            .Append("</div></body></html>");
        return html.ToString();
    }
}
