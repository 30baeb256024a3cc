using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Audit;

namespace Portal.Web.Features.Onboarding;

/// <summary>The one way a binding changes state: the new state, a history row and an audit entry, in the caller's unit of work.</summary>
public static class BindingTransition
{
    public static void Apply(PortalDbContext db, AuditLog audit, Binding binding, string? appId, BindingState to, string reason, Actor actor, DateTimeOffset at)
    {
        var from = binding.State;
        binding.State = to;
        binding.UpdatedAt = at;
        db.BindingEvents.Add(new BindingEvent { ShopId = binding.ShopId, AuthorizerAppId = appId, FromState = from, ToState = to, Reason = reason, Actor = actor.Name, At = at });
        audit.Add(db, actor, "binding.state", $"shop:{binding.ShopId}", $"{from} -> {to}: {reason}");
    }
}
