using Microsoft.Extensions.Options;
using Portal.WeChat.Emulator;

namespace Portal.Web.Features.WeChat;

/// <summary>
/// In Emulator mode the portal carries WeChat's side itself, under <c>/_emulator</c>, sharing the portal's credentials
/// and pushing to the portal's own event and message URLs. It is not mounted in Live mode, nor when
/// <c>WeChat:EmulatorBaseUrl</c> points at an emulator in another process.
/// </summary>
public static class EmulatorMounting
{
    public const string Prefix = "/_emulator";
    public const string EventPath = "/wechat/component/events";
    public const string MessagePathPattern = "/wechat/accounts/$APPID$/events";

    public static IHostApplicationBuilder AddPortalEmulator(this IHostApplicationBuilder builder)
    {
        builder.Services.AddWeChatEmulator()
            .BindConfiguration("WeChat:Emulator")
            .Configure<IOptions<WeChatOptions>, IOptions<PortalOptions>>((emulator, wechat, portal) =>
            {
                var w = wechat.Value;
                emulator.ComponentAppId = w.ComponentAppId;
                emulator.ComponentAppSecret = w.ComponentAppSecret;
                emulator.Token = w.Token;
                emulator.EncodingAesKey = w.EncodingAesKey;
                var publicBase = portal.Value.PublicBaseUrl.TrimEnd('/');
                emulator.EventUrl = string.IsNullOrEmpty(emulator.EventUrl) ? publicBase + EventPath : emulator.EventUrl;
                emulator.MessageUrlPattern = string.IsNullOrEmpty(emulator.MessageUrlPattern) ? publicBase + MessagePathPattern : emulator.MessageUrlPattern;
                emulator.InitiationDomain = new Uri(publicBase).Host;
            });
        return builder;
    }

    public static WebApplication MapPortalEmulator(this WebApplication app)
    {
        var wechat = app.Services.GetRequiredService<IOptions<WeChatOptions>>().Value;
        var portal = app.Services.GetRequiredService<IOptions<PortalOptions>>().Value;
        if (IsMounted(wechat, portal))
        {
            app.MapWeChatEmulator(Prefix).ExcludeFromDescription();
        }

        return app;
    }

    public static bool IsMounted(WeChatOptions wechat, PortalOptions portal)
        => wechat.Mode == WeChatMode.Emulator
           && string.Equals(wechat.EmulatorBaseUrl.TrimEnd('/'), portal.PublicBaseUrl.TrimEnd('/') + Prefix, StringComparison.OrdinalIgnoreCase);
}
