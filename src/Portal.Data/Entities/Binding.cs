namespace Portal.Data.Entities;

/// <summary>The states a shop's binding goes through.</summary>
public enum BindingState
{
    /// <summary>Nothing bound and no invitation.</summary>
    Unbound = 0,
    /// <summary>An invitation was created.</summary>
    Invited = 1,
    /// <summary>Someone opened WeChat's authorization page from the invitation.</summary>
    Authorizing = 2,
    /// <summary>Bound with every required permission set.</summary>
    Active = 3,
    /// <summary>Bound, but required permission sets were not granted.</summary>
    PermissionsMissing = 4,
    /// <summary>The account cancelled the authorization.</summary>
    Revoked = 5,
    /// <summary>The refresh token is lost: the administrator must authorize again.</summary>
    NeedsReauthorization = 6,
}

/// <summary>A shop's current link to an authorizer (one row per shop) with its state.</summary>
public sealed class Binding
{
    public int Id { get; set; }

    public int ShopId { get; set; }

    public Shop? Shop { get; set; }

    public int? AuthorizerId { get; set; }

    public Authorizer? Authorizer { get; set; }

    public BindingState State { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public long Version { get; set; }
}

/// <summary>One transition of a binding, kept forever.</summary>
public sealed class BindingEvent
{
    public long Id { get; set; }

    public int ShopId { get; set; }

    public string? AuthorizerAppId { get; set; }

    public BindingState FromState { get; set; }

    public BindingState ToState { get; set; }

    public required string Reason { get; set; }

    public string? Actor { get; set; }

    public DateTimeOffset At { get; set; }
}
