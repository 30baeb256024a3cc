namespace Portal.Data.Entities;

/// <summary>An official account or mini program that authorized the platform, with what WeChat says about it.</summary>
public sealed class Authorizer
{
    public int Id { get; set; }

    public required string AppId { get; set; }

    public AuthorizerKind Kind { get; set; }

    public string NickName { get; set; } = string.Empty;

    public string? HeadImg { get; set; }

    public string UserName { get; set; } = string.Empty;

    public string? PrincipalName { get; set; }

    public string? Alias { get; set; }

    public string? QrcodeUrl { get; set; }

    public string? Signature { get; set; }

    public int ServiceType { get; set; }

    public int VerifyType { get; set; }

    public int AccountStatus { get; set; } = 1;

    /// <summary>MiniProgramInfo as WeChat sent it (JSON), for the detail page.</summary>
    public string? MiniProgramInfoJson { get; set; }

    /// <summary>Whether the account currently authorizes the platform (false after <c>unauthorized</c>).</summary>
    public bool IsAuthorized { get; set; }

    public DateTimeOffset? AuthorizedAt { get; set; }

    public DateTimeOffset? LastSyncedAt { get; set; }

    /// <summary>
    /// Name, appid and principal in lower case, computed and stored by the database (never written by the portal): what the
    /// lists' case-insensitive search reads, one column per row instead of lower() over several.
    /// </summary>
    public string? SearchText { get; private set; }

    public List<AuthorizerPermission> Permissions { get; set; } = [];

    public AuthorizerToken? Token { get; set; }
}

/// <summary>One granted permission set (func_info item) with its confirm_info.</summary>
public sealed class AuthorizerPermission
{
    public int AuthorizerId { get; set; }

    public int SetId { get; set; }

    public int NeedConfirm { get; set; }

    public int AlreadyConfirm { get; set; }

    public int CanConfirm { get; set; }
}
