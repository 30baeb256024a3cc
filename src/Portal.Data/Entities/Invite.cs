namespace Portal.Data.Entities;

public enum InviteStatus
{
    Open = 0,
    Completed = 1,
    Failed = 2,
}

/// <summary>A single-use, expiring invitation to bind one shop, created by one operator.</summary>
public sealed class Invite
{
    public Guid Id { get; set; }

    public int ShopId { get; set; }

    public Shop? Shop { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public int? AuthType { get; set; }

    public string? BizAppId { get; set; }

    /// <summary>Requested permission sets, "1|2|3".</summary>
    public string? CategoryIds { get; set; }

    public InviteStatus Status { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? ResultAuthorizerAppId { get; set; }

    /// <summary>Why a completed authorization could not be linked (a conflict), in a stable code.</summary>
    public string? FailureCode { get; set; }

    public string? FailureDetail { get; set; }

    public List<InviteAttempt> Attempts { get; set; } = [];
}

/// <summary>One click on the launch page: the pre_auth_code minted for it (hashed) ties WeChat's push to the invite.</summary>
public sealed class InviteAttempt
{
    public long Id { get; set; }

    public Guid InviteId { get; set; }

    public required string PreAuthCodeHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
