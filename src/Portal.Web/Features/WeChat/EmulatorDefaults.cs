using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Portal.WeChat.Client;
using Portal.WeChat.Protocol.Crypto;

namespace Portal.Web.Features.WeChat;

/// <summary>
/// In Emulator mode the portal needs credentials shared with the emulator, but none may be committed: any credential
/// left empty is generated once per process (the emulator keeps its state in memory, so nothing outlives a restart
/// that would need them), and the three WeChat base URLs point at the emulator. Live mode is left untouched.
/// </summary>
public sealed class EmulatorDefaults(IOptions<PortalOptions> portal) : IPostConfigureOptions<WeChatOptions>
{
    public const string DefaultComponentAppId = "wxe0000000000c0de1";

    private static readonly Lazy<(string Secret, string Token, string Key)> Generated = new(() =>
        (RandomAlphanumeric(32), RandomAlphanumeric(24), RandomAlphanumeric(EncodingAesKey.Length)));

    public void PostConfigure(string? name, WeChatOptions options)
    {
        if (options.Mode != WeChatMode.Emulator)
        {
            return;
        }

        if (string.IsNullOrEmpty(options.ComponentAppId))
        {
            options.ComponentAppId = DefaultComponentAppId;
        }

        if (string.IsNullOrEmpty(options.ComponentAppSecret))
        {
            options.ComponentAppSecret = Generated.Value.Secret;
        }

        if (string.IsNullOrEmpty(options.Token))
        {
            options.Token = Generated.Value.Token;
        }

        if (string.IsNullOrEmpty(options.EncodingAesKey))
        {
            options.EncodingAesKey = Generated.Value.Key;
        }

        var emulatorBase = string.IsNullOrWhiteSpace(options.EmulatorBaseUrl)
            ? portal.Value.PublicBaseUrl.TrimEnd('/') + "/_emulator"
            : options.EmulatorBaseUrl.TrimEnd('/');
        options.EmulatorBaseUrl = emulatorBase;
        options.ApiBaseUrl = emulatorBase + "/api";
        options.AuthPageBaseUrl = emulatorBase + "/mp";
        options.MobileAuthBaseUrl = emulatorBase + "/open";
    }

    private static string RandomAlphanumeric(int length)
        => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", length);
}

/// <summary>The client reads the same effective values as the rest of the portal.</summary>
public sealed class WeChatClientOptionsFromPortal(IOptions<WeChatOptions> wechat) : IPostConfigureOptions<WeChatClientOptions>
{
    public void PostConfigure(string? name, WeChatClientOptions options)
    {
        var value = wechat.Value;
        options.ApiBaseUrl = value.ApiBaseUrl;
        options.ComponentAppId = value.ComponentAppId;
        options.ComponentAppSecret = value.ComponentAppSecret;
    }
}
