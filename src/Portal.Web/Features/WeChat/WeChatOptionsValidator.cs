using Microsoft.Extensions.Options;
using Portal.WeChat.Protocol.Crypto;

namespace Portal.Web.Features.WeChat;

/// <summary>Stops start-up on a missing or malformed setting, naming the setting's path.</summary>
public sealed class WeChatOptionsValidator : IValidateOptions<WeChatOptions>
{
    public ValidateOptionsResult Validate(string? name, WeChatOptions options)
    {
        var failures = new List<string>();
        var prefix = WeChatOptions.SectionName + ":";

        if (!IsAppId(options.ComponentAppId))
        {
            failures.Add($"{prefix}ComponentAppId must be the platform's appid (wx followed by 16 letters or digits)");
        }

        if (string.IsNullOrWhiteSpace(options.ComponentAppSecret) || options.ComponentAppSecret.Length < 16)
        {
            failures.Add($"{prefix}ComponentAppSecret must be set (the platform's AppSecret, from an environment variable or user-secrets, never appsettings.json)");
        }

        if (!IsToken(options.Token))
        {
            failures.Add($"{prefix}Token must be 3 to 32 letters or digits (the message verification token of the WeChat console)");
        }

        if (!EncodingAesKey.TryValidate(options.EncodingAesKey, out _))
        {
            failures.Add($"{prefix}EncodingAesKey must be 43 characters of A-Z, a-z and 0-9 (the message encryption key of the WeChat console)");
        }

        foreach (var (key, value) in new[] { ("ApiBaseUrl", options.ApiBaseUrl), ("AuthPageBaseUrl", options.AuthPageBaseUrl), ("MobileAuthBaseUrl", options.MobileAuthBaseUrl) })
        {
            if (!IsHttpUrl(value))
            {
                failures.Add($"{prefix}{key} must be an absolute http(s) URL");
            }
        }

        // The replay window is twice this: a message is kept at least a day (Messages:RetentionDays), and a replay of the
        // request that stored it is refused by finding its key on the message's row (ADR-017), so the window must stay shorter.
        if (options.PushMaxClockSkew < TimeSpan.FromSeconds(30) || options.PushMaxClockSkew > TimeSpan.FromHours(1))
        {
            failures.Add($"{prefix}PushMaxClockSkew must be between 00:00:30 and 01:00:00");
        }

        if (options.Mode == WeChatMode.Live)
        {
            foreach (var (key, value) in new[] { ("ApiBaseUrl", options.ApiBaseUrl), ("AuthPageBaseUrl", options.AuthPageBaseUrl), ("MobileAuthBaseUrl", options.MobileAuthBaseUrl) })
            {
                if (IsHttpUrl(value) && new Uri(value).Scheme != Uri.UriSchemeHttps)
                {
                    failures.Add($"{prefix}{key} must use https in Live mode");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsAppId(string? value)
        => value is { Length: 18 } && value.StartsWith("wx", StringComparison.Ordinal) && value.All(char.IsAsciiLetterOrDigit);

    /// <summary>The console's message verification token: 3 to 32 letters or digits.</summary>
    internal static bool IsToken(string? value)
        => value is { Length: >= 3 and <= 32 } && value.All(char.IsAsciiLetterOrDigit);

    internal static bool IsHttpUrl(string? value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>Checks the <c>Portal</c> section.</summary>
public sealed class PortalOptionsValidator : IValidateOptions<PortalOptions>
{
    public ValidateOptionsResult Validate(string? name, PortalOptions options)
    {
        if (!WeChatOptionsValidator.IsHttpUrl(options.PublicBaseUrl) || new Uri(options.PublicBaseUrl).AbsolutePath != "/")
        {
            return ValidateOptionsResult.Fail("Portal:PublicBaseUrl must be the portal's public origin, e.g. https://portal.example.com (no path)");
        }

        return string.IsNullOrWhiteSpace(options.DataDirectory)
            ? ValidateOptionsResult.Fail("Portal:DataDirectory must be set")
            : ValidateOptionsResult.Success;
    }
}
