using System.Security.Claims;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.Audit;

/// <summary>Who acts: a signed-in person (with the address they came from), WeChat, or the portal itself.</summary>
public sealed record Actor(string Name, string? RemoteIp = null, ClaimsPrincipal? User = null)
{
    public static readonly Actor System = new("system");
    public static readonly Actor WeChat = new("wechat");

    public static Actor From(ClaimsPrincipal user, string? remoteIp) => new(user.Identity?.Name ?? "anonymous", remoteIp, user);
}

/// <summary>Writes who did what, when and from where. Details never carry tokens or secrets.</summary>
public sealed class AuditLog(TimeProvider time, Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>Records an action on its own (not as part of another change's transaction).</summary>
    public async Task WriteAsync(Actor actor, string action, string? target, CancellationToken cancellationToken, string? detail = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        Add(db, actor, action, target, detail);
        await db.SaveChangesAsync(cancellationToken);
    }

    public void Add(PortalDbContext db, Actor actor, string action, string? target, string? detail = null)
        => db.Audit.Add(new AuditEntry
        {
            At = time.GetUtcNow(),
            Actor = actor.Name,
            Action = action,
            Target = target,
            Detail = detail,
            RemoteIp = actor.RemoteIp,
        });
}
