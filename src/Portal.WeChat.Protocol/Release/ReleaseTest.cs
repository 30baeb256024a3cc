namespace Portal.WeChat.Protocol.Release;

/// <summary>One of WeChat's full-network release-test accounts (reference §7).</summary>
public sealed record ReleaseTestAccount(int Group, string AppId, string UserName, bool IsMiniProgram);

/// <summary>
/// WeChat's 全网发布 automated test (reference §7): the five groups of test accounts (the Chinese page is
/// authoritative) and the exact texts the platform must answer with.
/// </summary>
public static class ReleaseTest
{
    /// <summary>The text WeChat sends for the passive-reply case.</summary>
    public const string TextContent = "TESTCOMPONENT_MSG_TYPE_TEXT";

    /// <summary>The passive reply it expects.</summary>
    public const string TextReply = TextContent + "_callback";

    /// <summary>The prefix of the customer-service case; an authorization code follows it.</summary>
    public const string QueryAuthCodePrefix = "QUERY_AUTH_CODE:";

    /// <summary>The suffix of the customer-service message sent after api_query_auth.</summary>
    public const string ApiReplySuffix = "_from_api";

    /// <summary>The suffix of the reply to an event (the event name comes first).</summary>
    public const string EventReplySuffix = "from_callback";

    public static readonly IReadOnlyList<ReleaseTestAccount> Accounts =
    [
        new(1, "wx570bc396a51b8ff8", "gh_3c884a361561", false),
        new(1, "wxd101a85aa106f53e", "gh_8dad206e9538", true),
        new(2, "wx9252c5e0bb1836fc", "gh_c0f28a78b318", false),
        new(2, "wxc39235c15087f6f3", "gh_905ae9d01059", true),
        new(3, "wx8e1097c5bc82cde9", "gh_3f222ed8d140", false),
        new(3, "wx7720d01d4b2a4500", "gh_393666f1fdf4", true),
        new(4, "wx14550af28c71a144", "gh_26128078e9ab", false),
        new(4, "wx05d483572dcd5d8b", "gh_39abb5d4e1b7", true),
        new(5, "wxa35b9c23cfe664eb", "gh_2b3713f184a6", false),
        new(5, "wx5910277cae6fd970", "gh_7818dcb60240", true),
    ];

    /// <summary>The test account with this appid, if it is one.</summary>
    public static ReleaseTestAccount? Find(string appId) => Accounts.FirstOrDefault(a => a.AppId == appId);

    /// <summary>
    /// The authorization code of a <c>QUERY_AUTH_CODE:</c> message, or null when the content is not one (or carries no
    /// code).
    /// </summary>
    public static string? QueryAuthCodeOf(string? content)
        => content is not null && content.StartsWith(QueryAuthCodePrefix, StringComparison.Ordinal) && content.Length > QueryAuthCodePrefix.Length
            ? content[QueryAuthCodePrefix.Length..].Trim()
            : null;
}
