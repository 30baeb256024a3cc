using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;

namespace Portal.Web.Tests;

/// <summary>
/// The TypedFailuresAndOutcomes migration converts the text rows of older databases once: "api: errcode N" becomes
/// typed columns, the fixed job summaries become outcome codes; the DropFailureText migration then drops the text.
/// </summary>
public sealed class FailureTextMigrationTests
{
    [Fact]
    public async Task Sqlite_TextRowsBecomeTypedFailuresAndOutcomes()
    {
        var path = Path.Combine(Path.GetTempPath(), "portal-migration-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={path};Pooling=False", o => o.MigrationsAssembly("Portal.Data")).Options;
            await ConvertsAsync(options, "20261130054537_SharedLeasesAndKeyRing", "0");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [PostgreSqlFact]
    public async Task PostgreSql_TextRowsBecomeTypedFailuresAndOutcomes()
    {
        using var database = TestDatabase.CreatePostgreSql();
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseNpgsql(database.ConnectionString, o => o.MigrationsAssembly("Portal.Data.PostgreSql")).Options;
        await ConvertsAsync(options, "20261130054556_Initial", "now()");
    }

    private static async Task ConvertsAsync(DbContextOptions<PortalDbContext> options, string before, string now)
    {
        await using (var db = new PortalDbContext(options))
        {
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(before);
            string[] inserts =
            [
                """INSERT INTO "Authorizers" ("Id", "AppId", "NickName", "UserName", "Kind", "ServiceType", "VerifyType", "AccountStatus", "IsAuthorized") VALUES (1, 'wx1a2b3c4d5e6f7001', 'a', 'gh_a', 0, 0, 0, 1, TRUE), (2, 'wx1a2b3c4d5e6f7002', 'b', 'gh_b', 0, 0, 0, 1, TRUE), (3, 'wx1a2b3c4d5e6f7003', 'c', 'gh_c', 0, 0, 0, 1, TRUE), (4, 'wx1a2b3c4d5e6f7004', 'd', 'gh_d', 0, 0, 0, 1, TRUE)""",
                """INSERT INTO "AuthorizerTokens" ("AuthorizerId", "RefreshTokenProtected", "ConsecutiveFailures", "Version", "LastError") VALUES (1, 'x', 1, 0, 'api_authorizer_token: errcode 61023 (refresh token lost; recovery failed)'), (2, 'x', 1, 0, 'api_authorizer_token: errcode -1'), (3, 'x', 0, 0, 'refresh token repaired by reconciliation'), (4, 'x', 1, 0, 'no_ticket')""",
                $"""INSERT INTO "Inbox" ("DedupeKey", "InfoType", "ReceivedAt", "CreateTime", "PayloadProtected", "Status", "Attempts", "LastError") VALUES ('k1', 'authorized', {now}, {now}, 'x', 2, 1, 'api_query_auth: errcode 61010'), ('k2', 'authorized', {now}, {now}, 'x', 2, 1, 'no_ticket: No component_verify_ticket has arrived'), ('k3', 'authorized', {now}, {now}, 'x', 2, 1, 'HttpRequestException: refused'), ('k4', '(component)', {now}, {now}, 'x', 3, 0, 'Malformed')""",
                $"""INSERT INTO "ReleaseTestRecords" ("Group", "AuthorizerAppId", "Case", "At", "Succeeded", "Detail") VALUES (1, 'wx570bc396a51b8ff8', 'api', {now}, FALSE, 'api_query_auth: errcode 61010'), (1, 'wx570bc396a51b8ff8', 'text', {now}, TRUE, 'passive reply ''TESTCOMPONENT_MSG_TYPE_TEXT_callback''')""",
                $"""INSERT INTO "JobRuns" ("JobName", "Trigger", "Status", "EnqueuedAt", "StartedAt", "DurationMs", "Succeeded", "ItemsSucceeded", "ItemsFailed", "Summary") VALUES ('refresh-authorizer', 'ops:ops', 2, {now}, {now}, 1, TRUE, 1, 0, 'Refreshed'), ('refresh-authorizer-tokens', 'schedule', 2, {now}, {now}, 1, TRUE, 0, 0, 'nothing due'), ('refresh-authorizer-tokens', 'schedule', 2, {now}, {now}, 1, TRUE, 2, 0, '2 due; Refreshed 2; 0.4 s'), ('reconcile-authorizers', 'schedule', 3, {now}, {now}, 1, FALSE, 0, 0, 'boom'), ('ticket-watchdog', 'schedule', 5, {now}, {now}, 0, FALSE, 0, 0, 'already running; this request was skipped')""",
            ];
            foreach (var sql in inserts)
            {
                await db.Database.ExecuteSqlRawAsync(sql);
            }

            await migrator.MigrateAsync();
        }

        await using var after = new PortalDbContext(options);
        var tokens = await after.AuthorizerTokens.AsNoTracking().OrderBy(t => t.AuthorizerId).ToListAsync();
        Assert.Equal(
            [
                new StoredFailure(FailureKind.RefreshTokenLost, "api_authorizer_token", 61023),
                StoredFailure.WeChat("api_authorizer_token", -1),
                new StoredFailure(FailureKind.RefreshTokenRepaired),
                new StoredFailure(FailureKind.Portal, Code: "no_ticket"),
            ],
            tokens.Select(t => t.LastFailure()));

        var inbox = await after.Inbox.AsNoTracking().OrderBy(m => m.DedupeKey).ToListAsync();
        Assert.Equal(
            [
                StoredFailure.WeChat("api_query_auth", 61010),
                new StoredFailure(FailureKind.Portal, Code: "no_ticket"),
                new StoredFailure(FailureKind.Unexpected, Code: "HttpRequestException"),
                new StoredFailure(FailureKind.Poison, Code: "Malformed"),
            ],
            inbox.Select(m => m.LastFailure()));

        var release = await after.ReleaseTestRecords.AsNoTracking().OrderBy(r => r.Case).ToListAsync();
        Assert.Equal([StoredFailure.WeChat("api_query_auth", 61010), null], release.Select(r => r.Failure()));

        var runs = await after.JobRuns.AsNoTracking().OrderBy(r => r.Id).ToListAsync();
        Assert.Equal(
            [JobOutcomeCode.Refresh, JobOutcomeCode.SweepNothingDue, JobOutcomeCode.Unrecorded, JobOutcomeCode.Failed, JobOutcomeCode.SkippedAlreadyRunning],
            runs.Select(r => r.Outcome));
        Assert.Equal("Refreshed", runs[0].OutcomeArgs?.Refresh);
    }
}
