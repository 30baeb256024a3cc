namespace Portal.WeChat.Emulator.Model;

/// <summary>What a fault does to an API call or a push.</summary>
public enum FaultKind
{
    /// <summary>Adds <see cref="FaultRule.LatencyMs"/> before answering.</summary>
    Latency,
    /// <summary>Answers errcode -1 system error.</summary>
    SystemError,
    /// <summary>Answers HTTP 500.</summary>
    Http500,
    /// <summary>Answers HTTP 502.</summary>
    Http502,
    /// <summary>Never answers (until the caller gives up).</summary>
    Timeout,
    /// <summary>A push is not sent at all.</summary>
    DropPush,
    /// <summary>Answers <see cref="FaultRule.ErrCode"/> (e.g. 61023, 45009) as WeChat would.</summary>
    ErrCode,
}

/// <summary>
/// A fault for one API name (<c>api_authorizer_token</c>, …, <c>*</c> for every API) or push kind
/// (<c>push:component_verify_ticket</c>, <c>push:authorized</c>, <c>push:*</c>), applied with a probability or to the next N calls.
/// </summary>
public sealed class FaultRule
{
    public string Id { get; init; } = Guid.NewGuid().ToString("N")[..8];

    public required string Target { get; init; }

    public required FaultKind Kind { get; init; }

    /// <summary>0–1; used when <see cref="RemainingCount"/> is null.</summary>
    public double Probability { get; init; } = 1;

    /// <summary>Apply to this many further calls, then the rule is removed.</summary>
    public int? RemainingCount { get; set; }

    public int LatencyMs { get; init; } = 1000;

    /// <summary>The errcode answered by an <see cref="FaultKind.ErrCode"/> fault.</summary>
    public int ErrCode { get; init; } = -1;

    public bool Matches(string target)
        => Target == "*" ? !target.StartsWith("push:", StringComparison.Ordinal)
            : Target == "push:*" ? target.StartsWith("push:", StringComparison.Ordinal)
            : string.Equals(Target, target, StringComparison.Ordinal);
}
