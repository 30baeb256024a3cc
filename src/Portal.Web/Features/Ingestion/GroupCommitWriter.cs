using System.Data.Common;
using Microsoft.Data.Sqlite;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Features.Data;

namespace Portal.Web.Features.Ingestion;

/// <summary>
/// Group commit for the two push URLs (ADR-017). Requests verify and decrypt on their own threads and hand an
/// <see cref="IngestItem"/> to this writer (one thread per process), which takes everything queued (up to <c>Ingestion:MaxBatchSize</c>, waiting at most
/// <c>Ingestion:MaxBatchDelay</c> for more) and commits it in one transaction: the account checks (from memory for
/// accounts read as authorized within <c>Ingestion:AccountCacheDuration</c>, one read for the rest), then the inserts
/// (replay guard, account messages, inbox) — prepared single-row statements on SQLite (<see cref="SqliteIngestStatements"/>),
/// one <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c> per table on PostgreSQL. The database's unique keys decide what
/// is new, so concurrent batches and two instances on one PostgreSQL database keep exactly-once. Each request is
/// completed only after its batch committed. When a batch fails, each of its items is tried alone, so one item the
/// database refuses fails only its own request (never answered as a success).
/// </summary>
public sealed partial class GroupCommitWriter : BackgroundService
{
    private readonly IDbContextFactory<PortalDbContext> _dbFactory;
    private readonly SqliteWriteGate _gate;
    private readonly IngestionOptions _options;
    private readonly ILogger<GroupCommitWriter> _logger;
    private readonly Channel<IngestItem> _queue;
    private readonly Dictionary<(string, int), string> _sql = [];
    private readonly SqliteIngestStatements? _statements;
    private readonly Dictionary<string, KnownAccount> _accounts = new(StringComparer.Ordinal);
    private readonly long _accountTtl;
    private long _batches;
    private long _items;
    private long _busyTicks;
    private long _sinceCheckpoint;
    private long _walRestarts;
    private readonly ManualResetEventSlim _wake = new(false);
    private int _idle;
    private readonly string _connectionString;
    private Task? _drained;

    public GroupCommitWriter(IDbContextFactory<PortalDbContext> dbFactory, SqliteWriteGate gate, DatabaseSettings database, IOptions<IngestionOptions> options, ILogger<GroupCommitWriter> logger)
    {
        _dbFactory = dbFactory;
        _gate = gate;
        _options = options.Value;
        _logger = logger;
        _connectionString = database.ConnectionString;
        _statements = database.IsPostgreSql ? null : new SqliteIngestStatements(database.ConnectionString, database.SqliteSynchronous, _options.WalRestartFrames * 4096L);
        _accountTtl = (long)(_options.AccountCacheDuration.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        _queue = Channel.CreateBounded<IngestItem>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>
    /// Queues <paramref name="item"/> and waits until its batch is durable. Once queued, the item's fate no longer
    /// depends on <paramref name="cancellationToken"/> (a client that went away does not undo a commit).
    /// </summary>
    public async Task<IngestOutcome> SubmitAsync(IngestItem item, CancellationToken cancellationToken)
    {
        if (!_queue.Writer.TryWrite(item))
        {
            try
            {
                await _queue.Writer.WriteAsync(item, cancellationToken);
            }
            catch (ChannelClosedException)
            {
                return IngestOutcome.Failed; // shutting down: WeChat retries elsewhere or later
            }
        }

        WakeWriter();

        return await item.Completion;
    }

    /// <summary>How many times the checkpointer restarted the WAL (SQLite) since start-up.</summary>
    public long WalRestarts => Interlocked.Read(ref _walRestarts);

    /// <summary>Batches committed (or failed), the items they held and the time spent committing since start-up (mean batch size, writer utilisation).</summary>
    public (long Batches, long Items, TimeSpan Busy) Totals => (Interlocked.Read(ref _batches), Interlocked.Read(ref _items), TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks) * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency));

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A thread of its own with blocking database calls: the one serial stage must not queue behind the request work
        // on a busy thread pool (with async calls each of its awaits did, and batches took 10–20 ms on a loaded machine).
        // One thread: SQLite has one writer at a time, and on PostgreSQL more writers did not help on the benchmark's 2 cores
        // (3 writers: 5,088–5,632 against 5,709–5,737 messages/s; the server shares the CPU, and a batch grows with the load).
        _drained = OnThread("group-commit", Run);
        return _statements is not null ? Task.WhenAll(_drained, CheckpointAsync(stoppingToken)) : _drained;
    }

    /// <summary>
    /// SQLite only: copies the WAL into the database a few times a second while batches are committed, so that no commit
    /// of the writer pays for a checkpoint. A PASSIVE checkpoint never blocks the writer, but under steady writes it never
    /// catches up with the newest frame either, and SQLite only starts the WAL over once a checkpoint has copied all of
    /// it: the WAL grew without bound (1.4 GB after 40 s at 10,000 messages/s), and every page read searched an ever
    /// longer WAL index. So when the WAL holds more than <c>Ingestion:WalRestartFrames</c> frames, the checkpointer takes the
    /// write gate for a moment and restarts it (RESTART copies what the PASSIVE pass just left and syncs the database; the
    /// writer's next commit then starts the WAL over, cut back to <c>journal_size_limit</c>). On a thread of its own as well:
    /// a checkpoint blocks in fsync (the WAL's, then the database's) for milliseconds, which on a thread-pool thread held
    /// back the requests' own work.
    /// </summary>
    private Task CheckpointAsync(CancellationToken stoppingToken) => OnThread("wal-checkpoint", () => CheckpointLoop(stoppingToken));

    /// <summary>Runs <paramref name="body"/> on a background thread of its own; the task ends with it (or its exception).</summary>
    private static Task OnThread(string name, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                body();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }

    private void CheckpointLoop(CancellationToken stoppingToken)
    {
        while (!stoppingToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(250)))
        {
            if (Interlocked.Exchange(ref _sinceCheckpoint, 0) == 0)
            {
                continue;
            }

            try
            {
                using var connection = new SqliteConnection(_connectionString);
                connection.Open();
                if (Checkpoint(connection, "PASSIVE").Frames > _options.WalRestartFrames)
                {
                    // A reader still on an older snapshot makes RESTART busy: it gives up after a moment and the next tick tries again.
                    var restarted = false;
                    _gate.Run(() => restarted = Checkpoint(connection, "RESTART").Done);
                    if (restarted)
                    {
                        Interlocked.Increment(ref _walRestarts);
                    }
                }
            }
            catch (Exception ex)
            {
                LogCheckpointFailed(_logger, ex.GetType().Name); // the other connections' automatic checkpoints remain
            }
        }
    }

    /// <summary>Runs one <c>wal_checkpoint</c>: whether it was not kept busy by a reader or writer, and the frames in the WAL.</summary>
    private static (bool Done, long Frames) Checkpoint(SqliteConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        // RESTART runs under the write gate, so only readers can keep it waiting, and reads take milliseconds.
        command.CommandText = mode == "PASSIVE" ? "PRAGMA busy_timeout=0" : "PRAGMA busy_timeout=250";
        command.ExecuteNonQuery();
        command.CommandText = $"PRAGMA wal_checkpoint({mode})";
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt32(0) == 0, reader.GetInt64(1)) : (false, 0); // busy, log frames, checkpointed frames
    }

    private void Run()
    {
        // Not stoppingToken: on shutdown the queue is closed and drained, so everything accepted is committed.
        var reader = _queue.Reader;
        var batch = new List<IngestItem>(_options.MaxBatchSize);
        while (WaitForItems(reader, Timeout.InfiniteTimeSpan))
        {
            batch.Clear();
            Fill(reader, batch);
            if (batch.Count < _options.MaxBatchSize && _options.MaxBatchDelay > TimeSpan.Zero)
            {
                var closes = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(_options.MaxBatchDelay.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
                long left;
                while (batch.Count < _options.MaxBatchSize && (left = closes - System.Diagnostics.Stopwatch.GetTimestamp()) > 0
                    && WaitForItems(reader, TimeSpan.FromSeconds(left / (double)System.Diagnostics.Stopwatch.Frequency)))
                {
                    Fill(reader, batch);
                }
            }

            if (batch.Count > 0)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                Commit(batch);
                Interlocked.Add(ref _busyTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _items, batch.Count);
            }
        }
    }

    /// <summary>
    /// Blocks the writer's thread until an item is queued (true), the queue is closed and empty (false) or
    /// <paramref name="timeout"/> passes (false). The thread that queues an item wakes the writer itself (<see cref="WakeWriter"/>):
    /// waiting on the channel instead (<c>WaitToReadAsync</c>) made every wake-up a thread-pool work item queued behind the
    /// requests' own work before the writer could start its next batch.
    /// </summary>
    private bool WaitForItems(ChannelReader<IngestItem> reader, TimeSpan timeout)
    {
        while (!reader.TryPeek(out _))
        {
            if (reader.Completion.IsCompleted)
            {
                return false;
            }

            _wake.Reset();
            Interlocked.Exchange(ref _idle, 1); // a full fence: an item queued after this point sees the writer idle and wakes it
            var woken = reader.TryPeek(out _) || reader.Completion.IsCompleted || _wake.Wait(timeout);
            Interlocked.Exchange(ref _idle, 0);
            if (!woken)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Wakes the writer when it is waiting for items (called after every item is queued, and when the queue is closed).</summary>
    private void WakeWriter()
    {
        if (Interlocked.CompareExchange(ref _idle, 0, 1) == 1)
        {
            _wake.Set();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Close the queue and let the writer commit what it holds, then stop the rest (the checkpointer).
        _queue.Writer.TryComplete();
        WakeWriter();
        if (_drained is { } drained)
        {
            await drained.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await base.StopAsync(cancellationToken);
    }

    private void Fill(ChannelReader<IngestItem> reader, List<IngestItem> batch)
    {
        while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var item))
        {
            batch.Add(item);
        }
    }

    private void Commit(List<IngestItem> batch)
    {
        try
        {
            CheckAccounts(batch);
        }
        catch (Exception ex)
        {
            LogBatchFailed(_logger, batch.Count, ex.GetType().Name);
            foreach (var item in batch)
            {
                item.Complete(IngestOutcome.Failed);
            }

            return;
        }

        var live = batch.Where(i => i.Pending == IngestOutcome.Stored).ToList();
        try
        {
            if (live.Count > 0)
            {
                _gate.Run(() => Write(live));
            }
        }
        catch (Exception ex) when (live.Count > 1)
        {
            // One item may be what the database refuses: try each alone, so it fails only its own request.
            LogBatchRetried(_logger, live.Count, ex.GetType().Name);
            _statements?.Dispose(); // a fresh connection for the retries
            foreach (var item in live)
            {
                try
                {
                    item.Pending = IngestOutcome.Stored;
                    _gate.Run(() => Write([item]));
                }
                catch (Exception single)
                {
                    _statements?.Dispose();
                    LogItemFailed(_logger, single.GetType().Name);
                    item.Pending = IngestOutcome.Failed;
                }
            }
        }
        catch (Exception ex)
        {
            _statements?.Dispose();
            LogItemFailed(_logger, ex.GetType().Name);
            live[0].Pending = IngestOutcome.Failed;
        }

        foreach (var item in batch)
        {
            item.Complete(item.Pending);
        }
    }

    /// <summary>
    /// Decides every merchant-account check of the batch before anything is written: from the accounts this writer saw
    /// authorized within <c>Ingestion:AccountCacheDuration</c>, and one read for all the others the batch names. Only an
    /// authorized account is remembered, so a newly authorized one is read at once; an account that withdrew its
    /// authorization may still have messages stored for that long (WeChat stops sending them itself).
    /// </summary>
    private void CheckAccounts(List<IngestItem> batch)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        List<string>? unknown = null;
        foreach (var item in batch)
        {
            item.Pending = IngestOutcome.Stored;
            if (item.Account is { } check && !IsFresh(check.AppId, now) && !(unknown ??= []).Contains(check.AppId))
            {
                unknown.Add(check.AppId);
            }
        }

        if (unknown is not null)
        {
            using var db = _dbFactory.CreateDbContext();
            var read = db.Authorizers.AsNoTracking().Where(a => unknown.Contains(a.AppId) && a.IsAuthorized)
                .Select(a => new { a.AppId, a.UserName }).ToList();
            foreach (var appId in unknown)
            {
                _accounts.Remove(appId);
            }

            if (_accounts.Count > 100_000)
            {
                _accounts.Clear(); // bounded: a platform's authorized accounts, not every appid ever named
            }

            foreach (var account in read)
            {
                _accounts[account.AppId] = new KnownAccount(account.UserName, now);
            }
        }

        foreach (var item in batch)
        {
            if (item.Account is not { } check)
            {
                continue;
            }

            if (!_accounts.TryGetValue(check.AppId, out var account))
            {
                item.Pending = IngestOutcome.UnknownAccount;
            }
            else if (!string.IsNullOrEmpty(account.UserName) && account.UserName != check.ToUserName)
            {
                item.Pending = IngestOutcome.WrongAccount;
            }
        }
    }

    private bool IsFresh(string appId, long now) => _accounts.TryGetValue(appId, out var account) && now - account.ReadAt < _accountTtl;

    /// <summary>An authorized account as the writer last read it.</summary>
    private readonly record struct KnownAccount(string? UserName, long ReadAt);

    /// <summary>Writes <paramref name="items"/> in one transaction and sets each one's pending outcome; throws when the database refuses.</summary>
    private void Write(List<IngestItem> items)
    {
        if (_statements is not null)
        {
            _statements.Write(items);
            Interlocked.Increment(ref _sinceCheckpoint);
            return;
        }

        // PostgreSQL: one multi-row statement per table (a round trip each).
        using var db = _dbFactory.CreateDbContext();
        db.Database.OpenConnection();
        WriteOpen(db, items);
    }

    /// <summary>The batch's statements and commit on an open connection.</summary>
    private void WriteOpen(PortalDbContext db, List<IngestItem> items)
    {
        using var transaction = db.Database.BeginTransaction();
        var connection = db.Database.GetDbConnection();
        var tx = transaction.GetDbTransaction();

        // 1. The replay guard: the first of a key (in arrival order) is the request, any later one a replay.
        var firstByKey = new Dictionary<string, IngestItem>(items.Count, StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!firstByKey.TryAdd(item.ReplayKey, item))
            {
                item.Pending = IngestOutcome.Replayed;
            }
        }

        var guarded = firstByKey.Values.OrderBy(i => i.ReplayKey, StringComparer.Ordinal).ToList(); // one key order: no deadlock between instances
        var fresh = Insert(connection, tx, "ReplayGuard", ["Key", "SeenAt"], guarded.Count, (row, column) => column == 0 ? guarded[row].ReplayKey : guarded[row].ReceivedAt, "\"Key\"", r => r.GetString(0));
        foreach (var item in guarded)
        {
            if (!fresh.Contains(item.ReplayKey))
            {
                item.Pending = IngestOutcome.Replayed;
            }
        }

        // 2. Account messages, unique by (appid, dedupe key).
        var messages = new Dictionary<string, IngestItem>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Pending == IngestOutcome.Stored && item.Message is { } m && !messages.TryAdd(m.AuthorizerAppId + "\n" + m.DedupeKey, item))
            {
                item.Pending = IngestOutcome.Duplicate;
            }
        }

        if (messages.Count > 0)
        {
            var ordered = messages.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList();
            var rows = ordered.Select(i => i.Message!).ToList();
            var inserted = Insert(connection, tx, "AccountMessages",
                ["AuthorizerAppId", "DedupeKey", "MsgType", "Event", "FromUser", "CreateTime", "ReceivedAt", "PayloadProtected", "Reply", "RequestKey"], rows.Count,
                (row, column) => column switch
                {
                    0 => rows[row].AuthorizerAppId,
                    1 => rows[row].DedupeKey,
                    2 => rows[row].MsgType,
                    3 => rows[row].Event,
                    4 => rows[row].FromUser,
                    5 => rows[row].CreateTime,
                    6 => rows[row].ReceivedAt,
                    7 => rows[row].PayloadProtected,
                    8 => rows[row].Reply,
                    _ => ordered[row].ReplayKey, // RequestKey: the request's own key, as on SQLite
                },
                "\"AuthorizerAppId\", \"DedupeKey\"", r => r.GetString(0) + "\n" + r.GetString(1));
            foreach (var (key, item) in messages)
            {
                if (!inserted.Contains(key))
                {
                    item.Pending = IngestOutcome.Duplicate;
                }
                else if (item.ReleaseTest is { } record)
                {
                    record.Id = 0; // a batch that failed after saving it may have numbered it
                    db.ReleaseTestRecords.Add(record);
                }
            }
        }

        // 3. Inbox rows (component pushes and poison items), unique by dedupe key.
        var inbox = new Dictionary<string, IngestItem>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Pending == IngestOutcome.Stored && item.Inbox is { } m && !inbox.TryAdd(m.DedupeKey, item))
            {
                item.Pending = IngestOutcome.Duplicate;
            }
        }

        if (inbox.Count > 0)
        {
            var rows = inbox.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.Inbox!).ToList();
            var inserted = Insert(connection, tx, "Inbox",
                ["DedupeKey", "InfoType", "AuthorizerAppId", "ReceivedAt", "CreateTime", "PayloadProtected", "Status", "Attempts", "LastFailureKind", "LastFailureCode"], rows.Count,
                (row, column) => column switch
                {
                    0 => rows[row].DedupeKey,
                    1 => rows[row].InfoType,
                    2 => rows[row].AuthorizerAppId,
                    3 => rows[row].ReceivedAt,
                    4 => rows[row].CreateTime,
                    5 => rows[row].PayloadProtected,
                    6 => (int)rows[row].Status,
                    7 => rows[row].Attempts,
                    8 => rows[row].LastFailureKind is { } kind ? (int)kind : null,
                    _ => rows[row].LastFailureCode,
                },
                "\"DedupeKey\"", r => r.GetString(0));
            foreach (var (key, item) in inbox)
            {
                if (!inserted.Contains(key))
                {
                    item.Pending = IngestOutcome.Duplicate;
                }
            }
        }

        if (db.ChangeTracker.HasChanges())
        {
            db.SaveChanges();
        }

        transaction.Commit();
    }

    /// <summary>
    /// <c>INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING RETURNING …</c>: the rows the database took (a conflicting row,
    /// already there or inserted by another instance's batch, is skipped and not returned). PostgreSQL's path (SQLite has <see cref="SqliteIngestStatements"/>).
    /// </summary>
    private HashSet<string> Insert(DbConnection connection, DbTransaction transaction, string table, string[] columns, int rows, Func<int, int, object?> value, string returning, Func<DbDataReader, string> key)
    {
        var inserted = new HashSet<string>(rows, StringComparer.Ordinal);
        if (rows == 0)
        {
            return inserted;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Sql(table, columns, rows, returning);
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns.Length; column++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "p" + ((row * columns.Length) + column);
                parameter.Value = value(row, column) ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            inserted.Add(key(reader));
        }

        return inserted;
    }

    private string Sql(string table, string[] columns, int rows, string returning)
    {
        if (_sql.TryGetValue((table, rows), out var cached))
        {
            return cached;
        }

        var sql = new StringBuilder($"INSERT INTO \"{table}\" (\"{string.Join("\", \"", columns)}\") VALUES ");
        for (var row = 0; row < rows; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < columns.Length; column++)
            {
                sql.Append(column == 0 ? "@p" : ", @p").Append((row * columns.Length) + column);
            }

            sql.Append(')');
        }

        sql.Append(" ON CONFLICT DO NOTHING RETURNING ").Append(returning);
        var text = sql.ToString();
        if (_sql.Count < 4096)
        {
            _sql[(table, rows)] = text;
        }

        return text;
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "A batch of {Count} pushes failed ({Error}); each is tried alone")]
    private static partial void LogBatchRetried(ILogger logger, int count, string error);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Error, Message = "A push could not be stored ({Error}); its request is refused so that WeChat sends it again")]
    private static partial void LogItemFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Warning, Message = "A WAL checkpoint failed ({Error})")]
    private static partial void LogCheckpointFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Error, Message = "A batch of {Count} pushes could not be checked ({Error}); their requests are refused so that WeChat sends them again")]
    private static partial void LogBatchFailed(ILogger logger, int count, string error);
}
