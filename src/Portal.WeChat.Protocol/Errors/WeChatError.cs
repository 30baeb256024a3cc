namespace Portal.WeChat.Protocol.Errors;

/// <summary>What an errcode means, what to do about it, in Chinese and English.</summary>
/// <param name="Code">The errcode.</param>
/// <param name="Category">What the portal does about it.</param>
/// <param name="DescriptionZh">A sentence for people, in Chinese.</param>
/// <param name="DescriptionEn">The same sentence in English.</param>
public sealed record WeChatError(int Code, WeChatErrorCategory Category, string DescriptionZh, string DescriptionEn)
{
    /// <summary>Whether the same call may succeed if simply repeated later.</summary>
    public bool IsRetryable => Category == WeChatErrorCategory.Retryable;

    /// <summary>The description in the requested language.</summary>
    public string Describe(bool english) => english ? DescriptionEn : DescriptionZh;
}
