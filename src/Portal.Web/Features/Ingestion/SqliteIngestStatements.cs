using Microsoft.Data.Sqlite;
using Portal.Data.Entities;

namespace Portal.Web.Features.Ingestion;

/// <summary>
/// The group-commit writer's SQLite statements (ADR-017): one connection the writer thread keeps open, and one prepared
/// single-row <c>INSERT … ON CONFLICT DO NOTHING</c> per table, re-bound for every row of a batch inside the batch's one
/// transaction. SQLite runs in-process, so a statement per row costs no round trip; what it saves over one multi-row
/// statement per table is the parse of a new statement text for every batch size and the lookup of hundreds of named
/// parameters (both were most of the writer's time). The affected-row count says whether a row was new: 0 means its
/// unique key was there already (a replay, a duplicate). Used only by the writer's thread.
/// </summary>
internal sealed class SqliteIngestStatements(string connectionString, string synchronous, long walLimitBytes) : IDisposable
{
    private SqliteConnection? _connection;
    private SqliteCommand? _guard;
    private SqliteCommand? _guardKey;
    private SqliteCommand? _message;
    private SqliteCommand? _messageKey;
    private SqliteCommand? _inbox;
    private SqliteCommand? _releaseTest;

    /// <summary>Writes <paramref name="items"/> in one transaction, in arrival order, and sets each one's pending outcome; throws when the database refuses.</summary>
    public void Write(List<IngestItem> items)
    {
        var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var command in new[] { _guard!, _guardKey!, _message!, _messageKey!, _inbox!, _releaseTest! })
        {
            command.Transaction = transaction;
        }

        foreach (var item in items)
        {
            if (item.Message is { } m)
            {
                // A stored message carries the replay key of the signed request that stored it, so a new message needs no
                // replay-guard row: the guard's key index was the one insert on a random page per message (a request's nonce
                // is random), and with it every message cost two random page writes instead of one. A replay repeats the
                // message, so it finds its key on that message's row (by dedupe key, on any account's path) or, when the
                // first request was a retry answered as a duplicate, in the guard: both are reads. Only a duplicate (a retry
                // with a new signature, WeChat's) writes its key into the guard, since no row carries it.
                if (Exists(_messageKey!, m.DedupeKey, item.ReplayKey) || Exists(_guardKey!, item.ReplayKey))
                {
                    item.Pending = IngestOutcome.Replayed;
                }
                else if (!InsertMessage(item, m))
                {
                    Execute(_guard!, item.ReplayKey, item.ReceivedAt.UtcTicks);
                    item.Pending = IngestOutcome.Duplicate;
                }

                continue;
            }

            // The first of a replay key (in arrival order, across batches and instances) is the request; later ones are replays.
            if (Execute(_guard!, item.ReplayKey, item.ReceivedAt.UtcTicks) == 0)
            {
                item.Pending = IngestOutcome.Replayed;
            }
            else if (item.Inbox is { } i
                && Execute(_inbox!, i.DedupeKey, i.InfoType, i.AuthorizerAppId, i.ReceivedAt.UtcTicks, i.CreateTime.UtcTicks, i.PayloadProtected, (int)i.Status, i.Attempts, i.LastFailureKind is { } kind ? (int)kind : null, i.LastFailureCode) == 0)
            {
                item.Pending = IngestOutcome.Duplicate;
            }
        }

        transaction.Commit();
    }

    /// <summary>Inserts <paramref name="m"/> unless its (appid, dedupe key) is stored already, with its release-test record when new; whether it was new.</summary>
    private bool InsertMessage(IngestItem item, AccountMessageRecord m)
    {
        if (Execute(_message!, m.AuthorizerAppId, m.DedupeKey, m.MsgType, m.Event, m.FromUser, m.CreateTime.UtcTicks, m.ReceivedAt.UtcTicks, m.PayloadProtected, m.Reply, item.ReplayKey) == 0)
        {
            return false;
        }

        if (item.ReleaseTest is { } r)
        {
            Execute(_releaseTest!, r.Group, r.AuthorizerAppId, r.Case, r.At.UtcTicks, r.Succeeded ? 1 : 0, r.FailureKind is { } kind ? (int)kind : null, r.FailureApi, r.FailureErrCode, r.FailureCode);
        }

        return true;
    }

    /// <summary>Closes the connection (after a failure, so that the next batch starts on a fresh one; and on shutdown).</summary>
    public void Dispose()
    {
        foreach (var command in new[] { _guard, _guardKey, _message, _messageKey, _inbox, _releaseTest })
        {
            command?.Dispose();
        }

        _connection?.Dispose();
        _guard = _guardKey = _message = _messageKey = _inbox = _releaseTest = null;
        _connection = null;
    }

    private SqliteConnection Open()
    {
        if (_connection is { State: System.Data.ConnectionState.Open } open)
        {
            return open;
        }

        Dispose();
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var pragmas = connection.CreateCommand())
        {
            // As every portal connection (SqlitePragmas), plus: no automatic WAL checkpoint inside the writer's commits (the
            // writer's checkpointer runs one beside it), a WAL cut back to Ingestion:WalRestartFrames pages when it starts over, and a page cache large
            // enough for the indexes' hot pages.
            pragmas.CommandText = $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=30000; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={walLimitBytes}; PRAGMA cache_size=-32768;";
            pragmas.ExecuteNonQuery();
        }

        _connection = connection;
        _guard = Prepare(connection, "ReplayGuard", "Key", "SeenAt");
        _message = Prepare(connection, "AccountMessages", "AuthorizerAppId", "DedupeKey", "MsgType", "Event", "FromUser", "CreateTime", "ReceivedAt", "PayloadProtected", "Reply", "RequestKey");
        _messageKey = Query(connection, "SELECT 1 FROM \"AccountMessages\" WHERE \"DedupeKey\" = $0 AND \"RequestKey\" = $1", 2);
        _guardKey = Query(connection, "SELECT 1 FROM \"ReplayGuard\" WHERE \"Key\" = $0", 1);
        _inbox = Prepare(connection, "Inbox", "DedupeKey", "InfoType", "AuthorizerAppId", "ReceivedAt", "CreateTime", "PayloadProtected", "Status", "Attempts", "LastFailureKind", "LastFailureCode");
        _releaseTest = Prepare(connection, "ReleaseTestRecords", "Group", "AuthorizerAppId", "Case", "At", "Succeeded", "FailureKind", "FailureApi", "FailureErrCode", "FailureCode");
        return connection;
    }

    /// <summary>A prepared single-row <c>INSERT … ON CONFLICT DO NOTHING</c> into <paramref name="table"/>.</summary>
    private static SqliteCommand Prepare(SqliteConnection connection, string table, params string[] columns)
        => Query(connection, $"INSERT INTO \"{table}\" (\"{string.Join("\", \"", columns)}\") VALUES ({string.Join(", ", columns.Select((_, i) => "$" + i))}) ON CONFLICT DO NOTHING", columns.Length);

    /// <summary>A prepared statement with the positional parameters <c>$0</c>…<c>$n-1</c>.</summary>
    private static SqliteCommand Query(SqliteConnection connection, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter("$" + i, null));
        }

        command.Prepare();
        return command;
    }

    /// <summary>Whether <paramref name="query"/> (a <c>SELECT 1 … WHERE</c> on an index) finds a row for <paramref name="values"/>.</summary>
    private static bool Exists(SqliteCommand query, params object?[] values) => Bind(query, values).ExecuteScalar() is not null;

    private static int Execute(SqliteCommand command, params object?[] values) => Bind(command, values).ExecuteNonQuery();

    private static SqliteCommand Bind(SqliteCommand command, object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }
}
