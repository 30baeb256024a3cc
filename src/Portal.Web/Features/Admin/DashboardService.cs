using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Component;
using Portal.Web.Features.Identity;
using Portal.Web.Features.KeepAlive;

namespace Portal.Web.Features.Admin;

/// <summary>Refresh outcomes of one hour (the sweeps that started in it).</summary>
public sealed record HourlyRefresh(string Hour, DateTimeOffset Start, int Succeeded, int Failed);

/// <summary>Token health now: valid, due within the refresh margin, expired, failing (consecutive failures).</summary>
public sealed record TokenHealth(int Valid, int ExpiringSoon, int Expired, int Failing);

/// <summary>A shop an operator should act on.</summary>
public sealed record ShopNeedingAction(int ShopId, string Name, BindingState State);

/// <summary>What the home page shows, depending on the role.</summary>
public sealed record Dashboard(
    IReadOnlyDictionary<BindingState, int> States,
    IReadOnlyList<ShopNeedingAction> NeedsAction,
    DateTimeOffset? TicketReceivedAt,
    TokenHealth? Tokens,
    IReadOnlyList<HourlyRefresh> Refreshes,
    IReadOnlyList<Alert> Alerts,
    IReadOnlyList<BindingEvent> Events)
{
    /// <summary>The stores the user sees (every store is counted in exactly one state).</summary>
    public int ShopCount => States.Values.Sum();
}

/// <summary>The per-role home dashboard: operators see their shops; admins and ops the platform's health.</summary>
public sealed class DashboardService(IDbContextFactory<PortalDbContext> dbFactory, ComponentTokenService component, Microsoft.Extensions.Options.IOptionsMonitor<KeepAliveOptions> keepAlive, TimeProvider time)
{
    private static readonly BindingState[] ActionStates = [BindingState.PermissionsMissing, BindingState.NeedsReauthorization, BindingState.Revoked, BindingState.Unbound];

    public async Task<Dashboard> LoadAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var shops = ShopAccess.VisibleShops(db, user).AsNoTracking();
        var byState = await shops.GroupBy(s => s.Binding == null ? BindingState.Unbound : s.Binding.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var states = byState.ToDictionary(x => x.Key, x => x.Count);
        var needs = await shops.Where(s => s.Binding == null || ActionStates.Contains(s.Binding.State))
            .OrderByDescending(s => s.Binding != null && s.Binding.State == BindingState.NeedsReauthorization)
            .ThenByDescending(s => s.Binding != null && s.Binding.State == BindingState.PermissionsMissing)
            .ThenBy(s => s.Name)
            .Take(10)
            .Select(s => new ShopNeedingAction(s.Id, s.Name, s.Binding == null ? BindingState.Unbound : s.Binding.State))
            .ToListAsync(cancellationToken);

        if (!ShopAccess.SeesAllShops(user))
        {
            return new Dashboard(states, needs, null, null, [], [], []);
        }

        var now = time.GetUtcNow();
        var margin = keepAlive.CurrentValue.RefreshMargin;
        var soon = now + margin;
        var tokens = db.AuthorizerTokens.AsNoTracking();
        var health = new TokenHealth(
            await tokens.CountAsync(t => t.AccessTokenExpiresAt > soon, cancellationToken),
            await tokens.CountAsync(t => t.AccessTokenExpiresAt > now && t.AccessTokenExpiresAt <= soon, cancellationToken),
            await tokens.CountAsync(t => t.AccessTokenExpiresAt == null || t.AccessTokenExpiresAt <= now, cancellationToken),
            await tokens.CountAsync(t => t.ConsecutiveFailures > 0, cancellationToken));

        var since = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-23);
        var runs = await db.JobRuns.AsNoTracking()
            .Where(r => r.JobName == KeepAlive.Jobs.RefreshAuthorizerTokensJob.JobName && r.Status == JobRunStatus.Succeeded && r.StartedAt >= since)
            .Select(r => new { r.StartedAt, r.ItemsSucceeded, r.ItemsFailed })
            .ToListAsync(cancellationToken);
        var refreshes = Enumerable.Range(0, 24).Select(i =>
        {
            var start = since.AddHours(i);
            var inHour = runs.Where(r => r.StartedAt >= start && r.StartedAt < start.AddHours(1)).ToList();
            return new HourlyRefresh(start.ToLocalTime().ToString("HH:00", System.Globalization.CultureInfo.InvariantCulture), start, inHour.Sum(r => r.ItemsSucceeded), inHour.Sum(r => r.ItemsFailed));
        }).ToList();

        var alerts = await db.Alerts.AsNoTracking().Where(a => a.AcknowledgedAt == null).OrderByDescending(a => a.At).Take(5).ToListAsync(cancellationToken);
        var events = await db.BindingEvents.AsNoTracking().OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(8).ToListAsync(cancellationToken);
        var (ticketAt, _, _) = await component.StatusAsync(cancellationToken);
        return new Dashboard(states, needs, ticketAt, health, refreshes, alerts, events);
    }
}
