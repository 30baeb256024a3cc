namespace Portal.Data.Entities;

/// <summary>What kind of failure a row records; the UI words it, nothing parses it.</summary>
public enum FailureKind
{
    /// <summary>WeChat answered an API call with an errcode (<c>Api</c>, <c>ErrCode</c>).</summary>
    WeChatApi = 1,

    /// <summary>The refresh token was refused (<c>Api</c>, <c>ErrCode</c>) and could not be recovered from WeChat.</summary>
    RefreshTokenLost = 2,

    /// <summary>Reconciliation found the stored refresh token differed from WeChat's and repaired it.</summary>
    RefreshTokenRepaired = 3,

    /// <summary>One of the portal's own typed failures (<c>Code</c>, e.g. <c>no_ticket</c>).</summary>
    Portal = 4,

    /// <summary>Anything else (<c>Code</c> is the exception's type name).</summary>
    Unexpected = 5,

    /// <summary>An authentic push the portal does not understand (<c>Code</c> is the poison reason).</summary>
    Poison = 6,
}

/// <summary>A recorded failure as data: its kind and the arguments the UI needs to word it.</summary>
public sealed record StoredFailure(FailureKind Kind, string? Api = null, int? ErrCode = null, string? Code = null)
{
    public static StoredFailure WeChat(string api, int errCode) => new(FailureKind.WeChatApi, api, errCode);

    /// <summary>The failure as ops logs and machine answers render it, e.g. <c>api_authorizer_token: errcode 61023</c>.</summary>
    public override string ToString() => Kind switch
    {
        FailureKind.WeChatApi => $"{Api}: errcode {ErrCode}",
        FailureKind.RefreshTokenLost => $"{Api}: errcode {ErrCode} (refresh token lost; recovery failed)",
        FailureKind.RefreshTokenRepaired => "refresh token repaired",
        _ => $"{Kind}: {Code}",
    };
}
