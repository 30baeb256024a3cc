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

    /// <summary>
    /// sha256 of the invitation's random link token (never stored in clear). Null for invitations made before short links,
    /// whose tokens are Data Protection payloads of <see cref="Id"/>.
    /// </summary>
    public string? TokenHash { get; set; }

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

/// <summary>
/// One click on the launch page: a single-use attempt. Its random token (hashed here) travels in the redirect_uri, the
/// pre_auth_code minted for it (hashed) ties WeChat's push to it, and the one authorization code it accepted is kept,
/// so a code produced by another attempt or invitation is refused.
/// </summary>
public sealed class InviteAttempt
{
    public long Id { get; set; }

    public Guid InviteId { get; set; }

    public Invite? Invite { get; set; }

    public required string PreAuthCodeHash { get; set; }

    /// <summary>sha256 of the attempt token carried in redirect_uri (never stored in clear).</summary>
    public string? TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the pre_auth_code expires.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>sha256 of the one authorization code this attempt accepted.</summary>
    public string? AuthCodeHash { get; set; }

    public DateTimeOffset? ConsumedAt { get; set; }

    /// <summary>The shop's bound authorizer before this attempt linked another (to undo a link WeChat's push disowns).</summary>
    public int? ReplacedAuthorizerId { get; set; }

    /// <summary>The shop's binding state before this attempt linked (to undo a link WeChat's push disowns).</summary>
    public BindingState? ReplacedState { get; set; }
}
