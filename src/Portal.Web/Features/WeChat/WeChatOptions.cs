using Portal.WeChat.Protocol.Links;

namespace Portal.Web.Features.WeChat;

/// <summary>The <c>WeChat</c> configuration section: the contract ops and tooling rely on.</summary>
public sealed class WeChatOptions
{
    public const string SectionName = "WeChat";

    public WeChatMode Mode { get; set; } = WeChatMode.Emulator;

    public string ComponentAppId { get; set; } = string.Empty;

    public string ComponentAppSecret { get; set; } = string.Empty;

    public string Token { get; set; } = string.Empty;

    public string EncodingAesKey { get; set; } = string.Empty;

    public string ApiBaseUrl { get; set; } = "https://api.weixin.qq.com";

    public string AuthPageBaseUrl { get; set; } = AuthorizationLinkBuilder.DefaultAuthPageBaseUrl;

    public string MobileAuthBaseUrl { get; set; } = AuthorizationLinkBuilder.DefaultMobileAuthBaseUrl;

    /// <summary>Emulator mode only: where the emulator lives; empty means the one mounted in this portal.</summary>
    public string EmulatorBaseUrl { get; set; } = string.Empty;

    /// <summary>Pushes whose timestamp is further than this from our clock are refused (replay window).</summary>
    public TimeSpan PushMaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The component token is renewed this long before it expires.</summary>
    public TimeSpan ComponentTokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The crypto for everything WeChat posts to us and our passive replies (component token, key and appid).</summary>
    public Portal.WeChat.Protocol.Crypto.MessageCrypto CreateCrypto()
        => new(Token, Portal.WeChat.Protocol.Crypto.EncodingAesKey.Parse(EncodingAesKey), ComponentAppId);

    public override string ToString() => $"WeChatOptions(Mode={Mode}, ComponentAppId={ComponentAppId}, ApiBaseUrl={ApiBaseUrl}, secrets=***)";
}
