namespace Portal.WeChat.Emulator;

/// <summary>How api_authorizer_token treats refresh tokens (reference §9.2: undocumented, so both are emulated).</summary>
public enum RefreshTokenMode
{
    /// <summary>The same refresh token is returned on every refresh.</summary>
    Stable,

    /// <summary>Every refresh returns a new refresh token and the old one is invalid at once.</summary>
    Rotate,
}

/// <summary>When the authorized/updateauthorized push is sent relative to the browser's redirect.</summary>
public enum AuthorizationPushTiming
{
    /// <summary>Sent while the redirect is answered (either may arrive first), like WeChat.</summary>
    Concurrent,

    /// <summary>Delivered (answered) before the browser is redirected.</summary>
    BeforeRedirect,

    /// <summary>Sent only after <see cref="EmulatorOptions.AfterRedirectPushDelay"/>.</summary>
    AfterRedirect,
}

/// <summary>The emulator's settings: section <c>Emulator</c> standalone, <c>WeChat:Emulator</c> inside the portal.</summary>
public sealed class EmulatorOptions
{
    public const string SectionName = "Emulator";

    public string ComponentAppId { get; set; } = "wxe0000000000c0de1";

    public string ComponentAppSecret { get; set; } = string.Empty;

    public string Token { get; set; } = string.Empty;

    public string EncodingAesKey { get; set; } = string.Empty;

    /// <summary>The portal's 授权事件接收URL.</summary>
    public string EventUrl { get; set; } = string.Empty;

    /// <summary>The portal's 消息与事件接收URL, with the literal <c>$APPID$</c>.</summary>
    public string MessageUrlPattern { get; set; } = string.Empty;

    /// <summary>The 授权发起页域名 (a host name): Referer and redirect_uri hosts must equal it.</summary>
    public string InitiationDomain { get; set; } = "127.0.0.1";

    /// <summary>Push tickets automatically (at start and every interval).</summary>
    public bool AutoPushTickets { get; set; } = true;

    public TimeSpan TicketPushInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the ticket value changes (it does not change on every push).</summary>
    public TimeSpan TicketRotationInterval { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan TicketLifetime { get; set; } = TimeSpan.FromHours(12);

    public TimeSpan ComponentTokenLifetime { get; set; } = TimeSpan.FromSeconds(7200);

    /// <summary>How long the previous component_access_token stays valid after a new one is issued (reference §9.1).</summary>
    public TimeSpan ComponentTokenGracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan PreAuthCodeLifetime { get; set; } = TimeSpan.FromSeconds(1800);

    public TimeSpan AuthCodeLifetime { get; set; } = TimeSpan.FromSeconds(600);

    public TimeSpan AuthorizerTokenLifetime { get; set; } = TimeSpan.FromSeconds(7200);

    public RefreshTokenMode RefreshTokenMode { get; set; } = RefreshTokenMode.Stable;

    public AuthorizationPushTiming AuthorizationPushTiming { get; set; } = AuthorizationPushTiming.Concurrent;

    public TimeSpan AfterRedirectPushDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Retries of a push answered with anything but <c>success</c> (WeChat retries up to 3 times).</summary>
    public int PushRetries { get; set; } = 3;

    public TimeSpan PushRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan PushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Daily quota per API name (e.g. <c>api_component_token</c>); absent or 0 means unlimited.</summary>
    public Dictionary<string, int> DailyQuotas { get; set; } = new(StringComparer.Ordinal)
    {
        ["api_component_token"] = 2000,
    };

    /// <summary>clear_quota resets allowed per month.</summary>
    public int MonthlyQuotaClears { get; set; } = 10;

    /// <summary>Caller IPs allowed to call the APIs; empty allows every caller (61004 otherwise).</summary>
    public List<string> IpAllowList { get; set; } = [];

    /// <summary>How long the release-test runner waits for the customer-service message.</summary>
    public TimeSpan ReleaseTestApiReplyTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public override string ToString() => $"EmulatorOptions(ComponentAppId={ComponentAppId}, EventUrl={EventUrl}, secrets=***)";
}
