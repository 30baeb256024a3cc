namespace Portal.WeChat.Protocol.Errors;

/// <summary>What an errcode means to the portal; people read it in the portal's own words (not here).</summary>
/// <param name="Code">The errcode.</param>
/// <param name="Category">What the portal does about it.</param>
public sealed record WeChatError(int Code, WeChatErrorCategory Category)
{
    /// <summary>Whether the same call may succeed if simply repeated later.</summary>
    public bool IsRetryable => Category == WeChatErrorCategory.Retryable;

    /// <summary>Whether the catalogue knows the code (the portal has words for it).</summary>
    public bool IsKnown => WeChatErrorCatalog.IsKnown(Code);
}
