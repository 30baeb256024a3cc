using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.KeepAlive;

/// <summary>What the token-health grid can be sorted by (each named after the row property it sorts).</summary>
public enum TokenHealthSort
{
    ExpiresAt,
    NickName,
    LastRefreshedAt,
    Failures,
}

/// <summary>One authorizer's token as the ops console shows it.</summary>
public sealed record TokenHealthRow(int AuthorizerId, string AppId, string NickName, DateTimeOffset? ExpiresAt, DateTimeOffset? LastRefreshedAt, int Failures, StoredFailure? LastFailure, int? ShopId);

/// <summary>The ops console's read side: token health (paged and sorted in the database), alerts and the audit log.</summary>
public sealed class OpsOverview(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>
    /// One page of token health. <paramref name="knownTotal"/> is what an earlier page counted: paging and sorting pass it
    /// back, so the authorized accounts are counted when the grid opens or reloads, not for every page.
    /// </summary>
    public async Task<(IReadOnlyList<TokenHealthRow> Rows, int Total)> TokenHealthAsync(TokenHealthSort sort, bool descending, int page, int pageSize, CancellationToken cancellationToken, int? knownTotal = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AuthorizerTokens.AsNoTracking().Where(t => t.Authorizer!.IsAuthorized);
        // The authorized accounts' tokens, counted without reading every account: revoking an authorization deletes its token,
        // so all tokens less the (few) tokens of accounts not authorized — an index-only count of the tokens and a seek of the
        // partial index IX_Authorizers_NotAuthorized — instead of joining 100,000 tokens to their accounts.
        var total = knownTotal is { } known and >= 0
            ? known
            : Math.Max(0, await db.AuthorizerTokens.CountAsync(cancellationToken) - await db.AuthorizerTokens.CountAsync(t => !t.Authorizer!.IsAuthorized, cancellationToken));
        // Each sort ends on the account id, so pages of equal keys neither repeat nor skip a row.
        query = sort switch
        {
            TokenHealthSort.NickName => descending ? query.OrderByDescending(t => t.Authorizer!.NickName).ThenByDescending(t => t.AuthorizerId) : query.OrderBy(t => t.Authorizer!.NickName).ThenBy(t => t.AuthorizerId),
            TokenHealthSort.LastRefreshedAt => descending ? query.OrderByDescending(t => t.LastRefreshedAt).ThenByDescending(t => t.AuthorizerId) : query.OrderBy(t => t.LastRefreshedAt).ThenBy(t => t.AuthorizerId),
            TokenHealthSort.Failures => descending ? query.OrderByDescending(t => t.ConsecutiveFailures).ThenByDescending(t => t.AuthorizerId) : query.OrderBy(t => t.ConsecutiveFailures).ThenBy(t => t.AuthorizerId),
            _ => descending ? query.OrderByDescending(t => t.AccessTokenExpiresAt).ThenByDescending(t => t.AuthorizerId) : query.OrderBy(t => t.AccessTokenExpiresAt).ThenBy(t => t.AuthorizerId),
        };
        var size = Math.Clamp(pageSize, 1, 200);
        // The page's ids first, then their rows: in one query the offset's skipped rows would have their columns (a binding
        // lookup each) worked out too.
        var ids = await query.Skip(Math.Max(0, page) * size).Take(size).Select(t => t.AuthorizerId).ToListAsync(cancellationToken);
        var position = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var rows = await db.AuthorizerTokens.AsNoTracking().Where(t => ids.Contains(t.AuthorizerId))
            .Select(t => new TokenHealthRow(t.AuthorizerId, t.Authorizer!.AppId, t.Authorizer.NickName, t.AccessTokenExpiresAt, t.LastRefreshedAt, t.ConsecutiveFailures,
                t.LastFailureKind == null ? null : new StoredFailure(t.LastFailureKind.Value, t.LastFailureApi, t.LastFailureErrCode, t.LastFailureCode),
                db.Bindings.Where(b => b.AuthorizerId == t.AuthorizerId).Select(b => (int?)b.ShopId).FirstOrDefault()))
            .ToListAsync(cancellationToken);
        return (rows.OrderBy(r => position[r.AuthorizerId]).ToList(), total);
    }

    public async Task<(IReadOnlyList<Alert> Recent, int Open)> AlertsAsync(int take, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var recent = await db.Alerts.AsNoTracking().OrderByDescending(a => a.Id).Take(take).ToListAsync(cancellationToken);
        return (recent, await db.Alerts.CountAsync(a => a.AcknowledgedAt == null, cancellationToken));
    }

    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(int take, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Audit.AsNoTracking().OrderByDescending(a => a.Id).Take(take).ToListAsync(cancellationToken);
    }
}
