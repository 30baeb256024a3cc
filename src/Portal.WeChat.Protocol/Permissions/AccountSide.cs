namespace Portal.WeChat.Protocol.Permissions;

/// <summary>Which kind of account a permission set applies to (reference §6).</summary>
public enum AccountSide
{
    /// <summary>Not stated by the sources, or shared.</summary>
    Unspecified = 0,
    /// <summary>Official account (公众号).</summary>
    OfficialAccount = 1,
    /// <summary>Mini program (小程序).</summary>
    MiniProgram = 2,
    /// <summary>WeChat Channels shop (视频号).</summary>
    Channels = 3,
}
