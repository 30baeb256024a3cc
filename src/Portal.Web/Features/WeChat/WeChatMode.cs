namespace Portal.Web.Features.WeChat;

/// <summary>Whom the portal talks to.</summary>
public enum WeChatMode
{
    /// <summary>The built-in emulator (offline, the default).</summary>
    Emulator,

    /// <summary>WeChat itself.</summary>
    Live,
}
