using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Web.Features.KeepAlive;

/// <summary>What one sweep did.</summary>
public sealed record SweepResult(int Due, IReadOnlyDictionary<RefreshOutcome, int> Outcomes, TimeSpan Elapsed)
{
    /// <summary>Tokens refreshed or recovered.</summary>
    public int Succeeded => Count(RefreshOutcome.Refreshed) + Count(RefreshOutcome.Recovered);

    /// <summary>Tokens that could not be refreshed (failed, lost, revoked or paused for quota).</summary>
    public int Failed => Count(RefreshOutcome.Failed) + Count(RefreshOutcome.NeedsReauthorization) + Count(RefreshOutcome.Revoked) + Count(RefreshOutcome.QuotaPaused);

    private int Count(RefreshOutcome outcome) => Outcomes.TryGetValue(outcome, out var n) ? n : 0;

    /// <summary>The sweep as a job outcome's arguments (worded by the UI).</summary>
    public Portal.Data.Entities.JobOutcomeArgs Args() => new()
    {
        Due = Due,
        ElapsedMs = (long)Elapsed.TotalMilliseconds,
        Refreshed = Some(RefreshOutcome.Refreshed),
        Recovered = Some(RefreshOutcome.Recovered),
        Busy = Some(RefreshOutcome.Busy),
        NotDue = Some(RefreshOutcome.NotDue),
        RefreshFailed = Some(RefreshOutcome.Failed),
        NeedsReauthorization = Some(RefreshOutcome.NeedsReauthorization),
        Revoked = Some(RefreshOutcome.Revoked),
        QuotaPaused = Some(RefreshOutcome.QuotaPaused),
        Gone = Some(RefreshOutcome.Gone),
    };

    private int? Some(RefreshOutcome outcome) => Count(outcome) is > 0 and var n ? n : null;
}

/// <summary>
/// Selects only the tokens that are due (an indexed range on <c>RefreshDueAt</c>, skipping those backing off or leased),
/// so a sweep costs what is due, not what exists, and refreshes them with bounded concurrency.
/// </summary>
public sealed class RefreshSweep(IDbContextFactory<PortalDbContext> dbFactory, AuthorizerTokenRefresher refresher, IOptionsMonitor<KeepAliveOptions> options, TimeProvider time, Data.DatabaseSettings database)
{
    public Task<IReadOnlyList<int>> SelectDueAsync(CancellationToken cancellationToken) => SelectDueAsync(options.CurrentValue.SweepBatchSize, cancellationToken);

    private async Task<IReadOnlyList<int>> SelectDueAsync(int take, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuthorizerTokens.AsNoTracking()
            .Where(t => t.RefreshDueAt != null && t.RefreshDueAt <= now && (t.NextAttemptAt == null || t.NextAttemptAt <= now) && (t.LeaseUntil == null || t.LeaseUntil < now))
            .OrderBy(t => t.RefreshDueAt)
            .Select(t => t.AuthorizerId)
            .Take(take)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Refreshes what is due, <c>KeepAlive:MaxConcurrency</c> at a time. The due authorizers are leased a page at a
    /// time (one conditional UPDATE and one read per page of twice the concurrency, see
    /// <see cref="AuthorizerTokenRefresher.LeaseDueAsync"/>), the next page when the last one has been handed out, so a
    /// refresh itself costs WeChat's answer and one guarded write, and no database connection is held while WeChat answers.
    /// </summary>
    public async Task<SweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var o = options.CurrentValue;
        var concurrency = Math.Max(1, o.MaxConcurrency);
        var outcomes = new ConcurrentDictionary<RefreshOutcome, int>();
        var attempted = new StrongBox<int>();
        var pages = database.IsPostgreSql ? ShuffledPagesAsync(concurrency, o.SweepBatchSize, attempted, cancellationToken) : PagesAsync(concurrency, o.SweepBatchSize, attempted, cancellationToken);
        // Cancellation stops taking new authorizers (leases not handed out yet are given back); refreshes already talking
        // to WeChat finish and write what WeChat returned (a refresh token must never be dropped half-way), then the
        // cancellation surfaces. The default scheduler: whatever thread or scheduler the job runner was called on, the
        // refreshes run on the thread pool.
        await Parallel.ForEachAsync(LeasedAsync(pages, outcomes, cancellationToken), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken, TaskScheduler = TaskScheduler.Default }, async (leased, _) =>
        {
            var outcome = await refresher.RefreshLeasedAsync(leased, "sweep");
            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        });
        return new SweepResult(attempted.Value, outcomes, started.Elapsed);
    }

    private static int PageSize(int concurrency) => Math.Max(16, concurrency * 2);

    /// <summary>One instance (SQLite): the due set selected once, in due order, cut into pages.</summary>
    private async IAsyncEnumerable<int[]> PagesAsync(int concurrency, int batchSize, StrongBox<int> attempted, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var due = await SelectDueAsync(batchSize, cancellationToken);
        foreach (var page in due.Chunk(PageSize(concurrency)))
        {
            attempted.Value += page.Length;
            yield return page;
        }
    }

    /// <summary>
    /// With several instances (PostgreSQL) a sweep takes the due set a page at a time, each page re-selected without what
    /// is leased now and shuffled from a window eight pages wide: instances sweeping at once then work mostly on
    /// different authorizers instead of meeting on every one of them down the same list.
    /// </summary>
    private async IAsyncEnumerable<int[]> ShuffledPagesAsync(int concurrency, int batchSize, StrongBox<int> attempted, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var page = PageSize(concurrency);
        var seen = new HashSet<int>();
        while (seen.Count < batchSize)
        {
            var window = (await SelectDueAsync(page * 8, cancellationToken)).Where(id => !seen.Contains(id)).ToArray();
            if (window.Length == 0)
            {
                yield break;
            }

            Random.Shared.Shuffle(window);
            var batch = window.Take(Math.Min(page, batchSize - seen.Count)).ToArray();
            seen.UnionWith(batch);
            attempted.Value = seen.Count;
            yield return batch;
        }
    }

    /// <summary>Leases each page as the refreshes reach it; counts what was not leased; gives back what was leased but not handed out.</summary>
    private async IAsyncEnumerable<LeasedToken> LeasedAsync(IAsyncEnumerable<int[]> pages, ConcurrentDictionary<RefreshOutcome, int> outcomes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var ids in pages.WithCancellation(cancellationToken))
        {
            var page = await refresher.LeaseDueAsync(ids, cancellationToken);
            foreach (var (_, outcome) in page.NotLeased)
            {
                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            }

            var handedOut = 0;
            try
            {
                foreach (var leased in page.Leased)
                {
                    handedOut++;
                    yield return leased;
                }
            }
            finally
            {
                if (handedOut < page.Leased.Count)
                {
                    await refresher.ReleaseLeasesAsync(page.Leased.Skip(handedOut).ToList());
                }
            }
        }
    }

    /// <summary>
    /// At start-up: gives back leases that earlier portal processes held when they stopped (killed during a refresh),
    /// so the interrupted sweep's rerun can finish them now instead of after <c>KeepAlive:LeaseDuration</c>. Only valid
    /// while one process uses the database (SQLite; see ADR-009). A write of the dead process can no longer arrive.
    /// On PostgreSQL other instances are alive and hold their own leases: nothing is released, a dead instance's leases
    /// expire after <c>KeepAlive:LeaseDuration</c> (ADR-011).
    /// </summary>
    public async Task<int> ReleaseAbandonedLeasesAsync(CancellationToken cancellationToken)
    {
        if (database.IsPostgreSql)
        {
            return 0;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // This process's leases are its own owner, or the owner followed by "/" and a sweep page's number.
        var mine = refresher.LeaseOwner;
        return await db.AuthorizerTokens.Where(t => t.LeaseOwner != null && t.LeaseOwner != mine && !t.LeaseOwner.StartsWith(mine + "/"))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, (string?)null).SetProperty(t => t.LeaseUntil, (DateTimeOffset?)null).SetProperty(t => t.Version, t => t.Version + 1), cancellationToken);
    }
}
