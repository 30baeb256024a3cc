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

/// <summary>
/// Writes who did what, when and from where. Details never carry tokens or secrets. Every field is capped: names and
/// details often come from outside (a sign-in with a 1 MB user name must not store 1 MB).
/// </summary>
public sealed class AuditLog(TimeProvider time, Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext> dbFactory)
{
    public const int MaxActor = 128;
    public const int MaxAction = 100;
    public const int MaxTarget = 256;
    public const int MaxDetail = 2000;
    public const int MaxRemoteIp = 64;

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
            Actor = Cap(actor.Name, MaxActor)!,
            Action = Cap(action, MaxAction)!,
            Target = Cap(target, MaxTarget),
            Detail = Cap(detail, MaxDetail),
            RemoteIp = Cap(actor.RemoteIp, MaxRemoteIp),
        });

    /// <summary>At most <paramref name="max"/> characters, marked with an ellipsis when cut.</summary>
    public static string? Cap(string? value, int max)
        => value is null || value.Length <= max ? value : value[..(max - 1)] + "…";
}
