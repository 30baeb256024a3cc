using Microsoft.Extensions.Localization;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client.Models;
using Portal.WeChat.Protocol.Permissions;
using Portal.WeChat.Protocol.Xml;
using Portal.Web.Features.Onboarding;

namespace Portal.Web.Features.Admin;

/// <summary>What the admin narrows the authorizer list to. Every field is optional.</summary>
public sealed record AuthorizerFilter(string? Search = null, AuthorizerKind? Kind = null, BindingState? State = null, bool? MissingRequired = null, int? AccountStatus = null)
{
    /// <summary>The filter as query-string parameters (for the CSV link of the current view).</summary>
    public string ToQuery()
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(Search)) parts.Add("search=" + Uri.EscapeDataString(Search.Trim()));
        if (Kind is { } k) parts.Add("kind=" + k);
        if (State is { } s) parts.Add("state=" + s);
        if (MissingRequired is { } m) parts.Add("missing=" + (m ? "true" : "false"));
        if (AccountStatus is { } a) parts.Add("status=" + a.ToString(CultureInfo.InvariantCulture));
        return string.Join('&', parts);
    }

    public static AuthorizerFilter FromQuery(IQueryCollection query)
        => new(
            query["search"].ToString() is { Length: > 0 } s ? s : null,
            Enum.TryParse<AuthorizerKind>(query["kind"], out var kind) ? kind : null,
            Enum.TryParse<BindingState>(query["state"], out var state) ? state : null,
            bool.TryParse(query["missing"], out var missing) ? missing : null,
            int.TryParse(query["status"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var status) ? status : null);
}

/// <summary>One row of the authorizer list.</summary>
public sealed class AuthorizerRow
{
    public int Id { get; init; }
    public string AppId { get; init; } = string.Empty;
    public string NickName { get; init; } = string.Empty;
    public string? HeadImg { get; init; }
    public AuthorizerKind Kind { get; init; }
    public string? PrincipalName { get; init; }
    public int VerifyType { get; init; }
    public int AccountStatus { get; init; }
    public bool IsAuthorized { get; init; }
    public string? ShopName { get; init; }
    public int? ShopId { get; init; }
    public BindingState? State { get; init; }
    public int GrantedCount { get; init; }
    public int RequiredGrantedCount { get; init; }
    public int RequiredCount { get; init; }
    public int MissingCount => Math.Max(0, RequiredCount - RequiredGrantedCount);
    public DateTimeOffset? AuthorizedAt { get; init; }
}

/// <summary>A page of rows and how many match.</summary>
/// <summary>What the authorizer list can be sorted by (each named after the row property it sorts).</summary>
public enum AuthorizerSort
{
    Id,
    NickName,
    Kind,
    PrincipalName,
    ShopName,
    State,
    GrantedCount,
    AccountStatus,
}

public sealed record AuthorizerPage(IReadOnlyList<AuthorizerRow> Rows, int Count);

/// <summary>Everything the detail page shows about one authorizer.</summary>
public sealed record AuthorizerDetail(
    Authorizer Authorizer,
    MiniProgramInfo? MiniProgram,
    IReadOnlyList<AuthorizerPermission> Granted,
    IReadOnlyList<int> Required,
    IReadOnlyList<int> Missing,
    Binding? Binding,
    string? ShopName,
    IReadOnlyList<BindingEvent> History,
    DateTimeOffset? TokenExpiresAt,
    StoredFailure? TokenFailure);

/// <summary>The authorizer list, detail and matrix queries for admins, paged and filtered in the database.</summary>
public sealed class AuthorizerDirectory(IDbContextFactory<PortalDbContext> dbFactory, IOptionsMonitor<OnboardingOptions> onboarding, Data.TokenProtector protector)
{
    /// <summary>The account's most recent messages and events, decrypted for display (the newest first).</summary>
    public async Task<IReadOnlyList<(AccountMessageRecord Record, AccountMessage? Message)>> MessagesAsync(string appId, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var records = await db.AccountMessages.AsNoTracking().Where(m => m.AuthorizerAppId == appId).OrderByDescending(m => m.ReceivedAt).ThenByDescending(m => m.Id).Take(take).ToListAsync(cancellationToken);
        return records.Select(r => (r, Parse(r.PayloadProtected))).ToList();
    }

    private AccountMessage? Parse(string payloadProtected)
    {
        try
        {
            return AccountMessage.Parse(protector.Unprotect(payloadProtected));
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or Portal.WeChat.Protocol.Crypto.WeChatCryptoException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The filtered rows, still a database query (count, sort and page it there).</summary>
    public IQueryable<AuthorizerRow> Query(PortalDbContext db, AuthorizerFilter filter)
    {
        var oa = onboarding.CurrentValue.RequiredPermissionSets.OfficialAccount;
        var mp = onboarding.CurrentValue.RequiredPermissionSets.MiniProgram;
        var query = db.Authorizers.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            // Case-insensitive on both providers: the term in lower case, looked up in the index of the stored lower-case search
            // column (name, appid, principal; ListSearch), plus the accounts bound to a store whose name contains it. One set of
            // ids, found once (an uncorrelated IN), so counting and paging read only the matching accounts.
            var term = filter.Search.Trim().ToLowerInvariant();
            var byShop = db.Bindings.Where(b => b.AuthorizerId != null && b.Shop!.Name.ToLower().Contains(term)).Select(b => b.AuthorizerId!.Value);
            var matching = ListSearch.AuthorizerIds(db, term).Union(byShop);
            query = query.Where(a => matching.Contains(a.Id));
        }

        if (filter.Kind is { } kind)
        {
            query = query.Where(a => a.Kind == kind);
        }

        if (filter.AccountStatus is { } status)
        {
            query = query.Where(a => a.AccountStatus == status);
        }

        if (filter.State is { } state)
        {
            query = query.Where(a => db.Bindings.Any(b => b.AuthorizerId == a.Id && b.State == state));
        }

        var rows = query.Select(a => new AuthorizerRow
        {
            Id = a.Id,
            AppId = a.AppId,
            NickName = a.NickName,
            HeadImg = a.HeadImg,
            Kind = a.Kind,
            PrincipalName = a.PrincipalName,
            VerifyType = a.VerifyType,
            AccountStatus = a.AccountStatus,
            IsAuthorized = a.IsAuthorized,
            ShopName = db.Bindings.Where(b => b.AuthorizerId == a.Id).OrderBy(b => b.State == BindingState.Revoked).ThenByDescending(b => b.UpdatedAt).ThenByDescending(b => b.Id).Select(b => b.Shop!.Name).FirstOrDefault(),
            ShopId = db.Bindings.Where(b => b.AuthorizerId == a.Id).OrderBy(b => b.State == BindingState.Revoked).ThenByDescending(b => b.UpdatedAt).ThenByDescending(b => b.Id).Select(b => (int?)b.ShopId).FirstOrDefault(),
            State = db.Bindings.Where(b => b.AuthorizerId == a.Id).OrderBy(b => b.State == BindingState.Revoked).ThenByDescending(b => b.UpdatedAt).ThenByDescending(b => b.Id).Select(b => (BindingState?)b.State).FirstOrDefault(),
            GrantedCount = a.Permissions.Count,
            RequiredGrantedCount = a.Kind == AuthorizerKind.MiniProgram ? a.Permissions.Count(p => mp.Contains(p.SetId)) : a.Permissions.Count(p => oa.Contains(p.SetId)),
            RequiredCount = a.Kind == AuthorizerKind.MiniProgram ? mp.Length : oa.Length,
            AuthorizedAt = a.AuthorizedAt,
        });

        return filter.MissingRequired switch
        {
            true => rows.Where(r => r.RequiredGrantedCount < r.RequiredCount),
            false => rows.Where(r => r.RequiredGrantedCount >= r.RequiredCount),
            null => rows,
        };
    }

    /// <summary>The granted set ids of these accounts, in one query.</summary>
    private static async Task<Dictionary<int, HashSet<int>>> GrantedAsync(PortalDbContext db, IReadOnlyCollection<int> authorizerIds, CancellationToken cancellationToken)
    {
        var permissions = await db.AuthorizerPermissions.AsNoTracking().Where(p => authorizerIds.Contains(p.AuthorizerId)).Select(p => new { p.AuthorizerId, p.SetId }).ToListAsync(cancellationToken);
        return permissions.GroupBy(p => p.AuthorizerId).ToDictionary(g => g.Key, g => g.Select(p => p.SetId).ToHashSet());
    }

    /// <summary>
    /// One page of the list. <paramref name="knownCount"/> is what this same filter counted before: paging and sorting pass
    /// it back, so only a new filter counts the matching accounts again.
    /// </summary>
    public async Task<AuthorizerPage> PageAsync(AuthorizerFilter filter, AuthorizerSort sort, bool descending, int skip, int take, CancellationToken cancellationToken, int? knownCount = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = Query(db, filter);
        var count = knownCount is { } known and >= 0 ? known : await query.CountAsync(cancellationToken);
        var rows = await PageRowsAsync(db, Sort(query, sort, descending), skip, take, cancellationToken);
        return new AuthorizerPage(rows, count);
    }

    /// <summary>
    /// A page in two steps: the ids of the page (the sort and the offset over the filtered accounts, nothing else computed),
    /// then the rows of those ids. In one query the databases work out every column — the store and binding state, the granted
    /// counts: five subqueries a row — for the rows the offset skips as well (PostgreSQL does: page 50 made 5,000 lookups
    /// for 20 rows, and its estimate of the whole then crossed the JIT threshold, another ~30 ms to compile).
    /// </summary>
    private async Task<List<AuthorizerRow>> PageRowsAsync(PortalDbContext db, IQueryable<AuthorizerRow> sorted, int skip, int take, CancellationToken cancellationToken)
    {
        var ids = await sorted.Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 200)).Select(r => r.Id).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return [];
        }

        var position = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var rows = await Query(db, new AuthorizerFilter()).Where(r => ids.Contains(r.Id)).ToListAsync(cancellationToken);
        return rows.OrderBy(r => position[r.Id]).ToList();
    }

    /// <summary>Each sort ends on the id, so pages of equal keys neither repeat nor skip a row.</summary>
    private static IQueryable<AuthorizerRow> Sort(IQueryable<AuthorizerRow> query, AuthorizerSort sort, bool descending) => sort switch
    {
        AuthorizerSort.NickName => descending ? query.OrderByDescending(r => r.NickName).ThenByDescending(r => r.Id) : query.OrderBy(r => r.NickName).ThenBy(r => r.Id),
        AuthorizerSort.Kind => descending ? query.OrderByDescending(r => r.Kind).ThenByDescending(r => r.Id) : query.OrderBy(r => r.Kind).ThenBy(r => r.Id),
        AuthorizerSort.PrincipalName => descending ? query.OrderByDescending(r => r.PrincipalName).ThenByDescending(r => r.Id) : query.OrderBy(r => r.PrincipalName).ThenBy(r => r.Id),
        AuthorizerSort.ShopName => descending ? query.OrderByDescending(r => r.ShopName).ThenByDescending(r => r.Id) : query.OrderBy(r => r.ShopName).ThenBy(r => r.Id),
        AuthorizerSort.State => descending ? query.OrderByDescending(r => r.State).ThenByDescending(r => r.Id) : query.OrderBy(r => r.State).ThenBy(r => r.Id),
        AuthorizerSort.GrantedCount => descending ? query.OrderByDescending(r => r.GrantedCount).ThenByDescending(r => r.Id) : query.OrderBy(r => r.GrantedCount).ThenBy(r => r.Id),
        AuthorizerSort.AccountStatus => descending ? query.OrderByDescending(r => r.AccountStatus).ThenByDescending(r => r.Id) : query.OrderBy(r => r.AccountStatus).ThenBy(r => r.Id),
        _ => descending ? query.OrderByDescending(r => r.Id) : query.OrderBy(r => r.Id),
    };

    /// <summary>The filtered view as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese names; cells that a spreadsheet would run as formulas are quoted).</summary>
    public async Task WriteCsvAsync(AuthorizerFilter filter, Stream output, IStringLocalizer texts, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true);
        string[] header = ["appid", "name", "kind", "principal", "verify_type", "account_status", "authorized", "shop", "binding_state", "granted_sets", "missing_required_sets"];
        header = [.. header.Select(column => texts["csv." + column].Value)];
        var yes = texts["csv.yes"].Value;
        var no = texts["csv.no"].Value;
        await writer.WriteLineAsync(string.Join(',', header.Select(Cell)));
        var required = onboarding.CurrentValue;
        var query = Query(db, filter).OrderBy(r => r.Id);
        const int batch = 500;
        for (var lastId = 0; ;)
        {
            // Keyset pages: one query for the rows and one for their granted sets, whatever the size of the export.
            var from = lastId;
            var rows = await query.Where(r => r.Id > from).Take(batch).ToListAsync(cancellationToken);
            var granted = await GrantedAsync(db, rows.Select(r => r.Id).ToList(), cancellationToken);
            foreach (var row in rows)
            {
                var sets = granted.TryGetValue(row.Id, out var g) ? g.Order().ToList() : [];
                var missing = required.RequiredFor(row.Kind).Except(sets).Order();
                string[] cells =
                [
                    row.AppId, row.NickName, texts[row.Kind == AuthorizerKind.MiniProgram ? "kind.mp" : "kind.oa"].Value, row.PrincipalName ?? string.Empty,
                    row.VerifyType.ToString(CultureInfo.InvariantCulture), row.AccountStatus.ToString(CultureInfo.InvariantCulture), row.IsAuthorized ? yes : no,
                    row.ShopName ?? string.Empty, row.State is { } state ? texts["state." + state].Value : string.Empty, string.Join(' ', sets), string.Join(' ', missing),
                ];
                await writer.WriteLineAsync(string.Join(',', cells.Select(Cell)));
            }

            if (rows.Count < batch)
            {
                return;
            }

            lastId = rows[^1].Id;
        }
    }

    /// <summary>
    /// RFC 4180 quoting, and a leading apostrophe for cells a spreadsheet would run as a formula: starting with =, @, tab
    /// or CR, or with + or - when the cell is not simply a number (<c>-1</c> stays <c>-1</c>; <c>-1+cmd|…</c> does not).
    /// </summary>
    public static string Cell(string value)
    {
        if (value.Length > 0 && ("=@\t\r".Contains(value[0], StringComparison.Ordinal)
            || (value[0] is '+' or '-' && !double.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint | System.Globalization.NumberStyles.AllowExponent, System.Globalization.CultureInfo.InvariantCulture, out _))))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    public async Task<AuthorizerDetail?> DetailAsync(string appId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var authorizer = await db.Authorizers.AsNoTracking().Include(a => a.Permissions).Include(a => a.Token).FirstOrDefaultAsync(a => a.AppId == appId, cancellationToken);
        if (authorizer is null)
        {
            return null;
        }

        // An account can have several binding rows (a revoked one and a newer one): the live, most recent binding is its store.
        var binding = await db.Bindings.AsNoTracking().Include(b => b.Shop).Where(b => b.AuthorizerId == authorizer.Id)
            .OrderBy(b => b.State == BindingState.Revoked).ThenByDescending(b => b.UpdatedAt).ThenByDescending(b => b.Id).FirstOrDefaultAsync(cancellationToken);
        var history = await db.BindingEvents.AsNoTracking().Where(e => e.AuthorizerAppId == appId || (binding != null && e.ShopId == binding.ShopId))
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(100).ToListAsync(cancellationToken);
        var required = onboarding.CurrentValue.RequiredFor(authorizer.Kind);
        var granted = authorizer.Permissions.OrderBy(p => p.SetId).ToList();
        var missing = required.Except(granted.Select(p => p.SetId)).Order().ToList();
        MiniProgramInfo? mini = null;
        if (authorizer.MiniProgramInfoJson is { Length: > 0 } json)
        {
            try
            {
                mini = JsonSerializer.Deserialize<MiniProgramInfo>(json);
            }
            catch (JsonException)
            {
                mini = null;
            }
        }

        return new AuthorizerDetail(authorizer, mini, granted, required, missing, binding, binding?.Shop?.Name, history,
            authorizer.Token?.AccessTokenExpiresAt, authorizer.Token?.LastFailure());
    }

    /// <summary>The matrix rows: each account's granted set ids, filtered and paged like the list.</summary>
    /// <remarks>One page at a time (never every account); <paramref name="knownCount"/> as for <see cref="PageAsync"/>.</remarks>
    public async Task<(IReadOnlyList<(AuthorizerRow Row, HashSet<int> Granted)> Rows, int Count)> MatrixAsync(AuthorizerFilter filter, int skip, int take, CancellationToken cancellationToken, int? knownCount = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = Query(db, filter);
        var count = knownCount is { } known and >= 0 ? known : await query.CountAsync(cancellationToken);
        var rows = await PageRowsAsync(db, query.OrderBy(r => r.Kind).ThenBy(r => r.NickName).ThenBy(r => r.Id), skip, take, cancellationToken);
        var byAccount = await GrantedAsync(db, rows.Select(r => r.Id).ToList(), cancellationToken);
        return (rows.Select(r => (r, byAccount.TryGetValue(r.Id, out var set) ? set : [])).ToList(), count);
    }

    /// <summary>The sets the matrix shows as columns: every required set and every set granted by an account in view, grouped by side.</summary>
    public IReadOnlyList<IGrouping<AccountSide, FuncScope>> MatrixColumns(IEnumerable<HashSet<int>> granted)
    {
        var o = onboarding.CurrentValue.RequiredPermissionSets;
        return o.OfficialAccount.Concat(o.MiniProgram).Concat(granted.SelectMany(g => g)).Distinct()
            .Select(FuncScopeCatalog.Get)
            .OrderBy(s => s.Side).ThenBy(s => s.Id)
            .GroupBy(s => s.Side)
            .ToList();
    }
}
