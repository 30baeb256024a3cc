using Microsoft.AspNetCore.Identity;

namespace Portal.Data.Entities;

/// <summary>A person who signs in: operator, admin or ops (roles).</summary>
public sealed class PortalUser : IdentityUser
{
    public string DisplayName { get; set; } = string.Empty;

    public bool IsDisabled { get; set; }

    public List<OperatorShop> Shops { get; set; } = [];
}

/// <summary>A shop assigned to an operator.</summary>
public sealed class OperatorShop
{
    public required string UserId { get; set; }

    public int ShopId { get; set; }
}
