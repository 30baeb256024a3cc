namespace Portal.WeChat.Protocol.Links;

/// <summary>Which kinds of account the authorization page lists (reference §4.3; 4–6 are uncertain, §9.4).</summary>
public enum AuthType
{
    /// <summary>1: official accounts only.</summary>
    OfficialAccount = 1,
    /// <summary>2: mini programs only.</summary>
    MiniProgram = 2,
    /// <summary>3: official accounts and mini programs.</summary>
    OfficialAccountAndMiniProgram = 3,
    /// <summary>4: mini-program promoter (小程序推客) accounts.</summary>
    MiniProgramPromoter = 4,
    /// <summary>5: WeChat Channels (视频号) accounts.</summary>
    Channels = 5,
    /// <summary>6: every kind, including Channels.</summary>
    All = 6,
}
