namespace Portal.WeChat.Emulator.Model;

/// <summary>One API call as the emulator saw it (secrets masked).</summary>
public sealed record CallRecord(long Sequence, DateTimeOffset Time, string Api, string ClientIp, IReadOnlyDictionary<string, string> Parameters, int ErrCode, string? Note);

/// <summary>One push attempt to the portal.</summary>
public sealed record PushRecord(long Sequence, DateTimeOffset Time, string Kind, string Url, string? AuthorizerAppId, int Attempt, string Outcome, int? HttpStatus, string? ResponseBody);

/// <summary>A customer-service message the portal sent through message/custom/send.</summary>
public sealed record CustomMessage(DateTimeOffset Time, string AuthorizerAppId, string ToUser, string MsgType, string Content);

/// <summary>An authorization of the component by one account.</summary>
public sealed class Authorization
{
    public required string AppId { get; init; }

    public required string RefreshToken { get; set; }

    public required List<int> FuncInfo { get; set; }

    public required DateTimeOffset AuthTime { get; set; }

    public bool Active { get; set; } = true;

    public Dictionary<string, string> Options { get; } = new(StringComparer.Ordinal)
    {
        ["location_report"] = "0",
        ["voice_recognize"] = "0",
        ["customer_service"] = "0",
    };
}
