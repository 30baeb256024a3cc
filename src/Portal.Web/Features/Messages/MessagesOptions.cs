using Portal.WeChat.Protocol.Release;

namespace Portal.Web.Features.Messages;

/// <summary>The <c>Messages</c> section: what arrives at the message URL of authorized accounts.</summary>
public sealed class MessagesOptions
{
    public const string SectionName = "Messages";

    /// <summary>How many days messages and events are kept (then purged by the nightly <c>purge-history</c> job).</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>
    /// The appids treated as WeChat's full-network release-test accounts (answered as §7 prescribes). Defaults to the
    /// ten accounts of the five groups; WeChat may change them, hence configuration.
    /// </summary>
    public string[] ReleaseTestAppIds { get; set; } = ReleaseTest.Accounts.Select(a => a.AppId).ToArray();

    public bool IsReleaseTestAccount(string appId) => Array.IndexOf(ReleaseTestAppIds, appId) >= 0;
}
