using System.ComponentModel.DataAnnotations;

namespace Portal.WeChat.Client;

/// <summary>What the component API client needs; bound from the <c>WeChat</c> configuration section.</summary>
public sealed class WeChatClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "WeChat";

    /// <summary>WeChat's API host, or the emulator's <c>/_emulator/api</c> prefix.</summary>
    [Required]
    public string ApiBaseUrl { get; set; } = "https://api.weixin.qq.com";

    /// <summary>The third-party platform's appid.</summary>
    [Required]
    public string ComponentAppId { get; set; } = string.Empty;

    /// <summary>The third-party platform's AppSecret.</summary>
    [Required]
    public string ComponentAppSecret { get; set; } = string.Empty;

    /// <summary>Retries after the first attempt for retryable failures (-1, 5xx, timeouts).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; later ones back off exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one attempt may take before it counts as a timeout.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public override string ToString() => $"WeChatClientOptions(ApiBaseUrl={ApiBaseUrl}, ComponentAppId={ComponentAppId}, ComponentAppSecret=***)";
}
