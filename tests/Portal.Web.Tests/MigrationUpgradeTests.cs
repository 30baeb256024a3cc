using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.Data;

namespace Portal.Web.Tests;

/// <summary>
/// A fresh database and one of the last release with rows in it both migrate to exactly the schema the model describes: same tables,
/// columns (generated ones included) and indexes. SQLite rebuilds tables for some changes, and a rebuild written by one
/// branch can silently drop what a parallel branch added; SQLite also refuses some changes on tables that have rows.
/// </summary>
public sealed class MigrationUpgradeTests
{
    /// <summary>The newest migration of the last landed release (before short links, typed failures, list indexes).</summary>
    private const string LastRelease = "20261130054537_SharedLeasesAndKeyRing";

    [Fact]
    public async Task Sqlite_ADatabaseWithRows_UpgradesToTheSameSchemaAsAFreshOne()
    {
        var fresh = Path.Combine(Path.GetTempPath(), $"portal-fresh-{Guid.NewGuid():N}.db");
        var upgraded = Path.Combine(Path.GetTempPath(), $"portal-upgraded-{Guid.NewGuid():N}.db");
        var model = Path.Combine(Path.GetTempPath(), $"portal-model-{Guid.NewGuid():N}.db");
        try
        {
            await using (var db = Context(model))
            {
                await db.Database.EnsureCreatedAsync();
            }

            await using (var db = Context(fresh))
            {
                await db.Database.MigrateAsync();
            }

            await using (var db = Context(upgraded))
            {
                var migrator = db.GetService<IMigrator>();
                await migrator.MigrateAsync(LastRelease);
                foreach (var sql in new[]
                {
                    """INSERT INTO "Shops" ("Id", "Name", "City", "CreatedAt") VALUES (1, '好味道餐厅·ABC店', 'Shanghai', 0)""",
                    """INSERT INTO "Authorizers" ("Id", "AppId", "NickName", "UserName", "PrincipalName", "Kind", "ServiceType", "VerifyType", "AccountStatus", "IsAuthorized") VALUES (1, 'wx1A2B3C4D5E6F7001', 'Good Food', 'gh_a', 'Good Food Ltd', 0, 0, 0, 1, TRUE)""",
                    """INSERT INTO "AuthorizerTokens" ("AuthorizerId", "RefreshTokenProtected", "ConsecutiveFailures", "Version", "LastError") VALUES (1, 'x', 1, 0, 'api_authorizer_token: errcode -1')""",
                })
                {
                    await db.Database.ExecuteSqlRawAsync(sql);
                }

                await migrator.MigrateAsync();
            }

            var expected = Describe(model).Where(l => !l.Contains("__EFMigrations", StringComparison.Ordinal)).ToList();
            Assert.Equal(expected, Describe(fresh).Where(l => !l.Contains("__EFMigrations", StringComparison.Ordinal)).ToList());
            Assert.Equal(expected, Describe(upgraded).Where(l => !l.Contains("__EFMigrations", StringComparison.Ordinal)).ToList());

            await using var check = Context(upgraded);
            Assert.Equal(1, await check.Shops.CountAsync(s => s.SearchText == "好味道餐厅·abc店 shanghai"));
            Assert.Equal(1, await check.Authorizers.CountAsync(a => a.SearchText == "good food wx1a2b3c4d5e6f7001 good food ltd"));
            Assert.Equal(1, await check.AuthorizerTokens.CountAsync(t => t.LastFailureErrCode == -1));

            // The search index (outside the model, so not in the comparison above) exists in both, with its triggers, and the
            // upgraded one indexed the account that was there before the migration.
            foreach (var path in new[] { fresh, upgraded })
            {
                await using var db = Context(path);
                Assert.Equal(ListSearch.SqliteTriggers.Order(), (await db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'Authorizers'").ToListAsync()).Order());
                await db.Database.ExecuteSqlRawAsync("""INSERT INTO "AuthorizerSearch"("AuthorizerSearch") VALUES ('integrity-check')""");
            }

            Assert.Equal([1], await ListSearch.AuthorizerIds(check, "food wx1a2b").ToListAsync());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(fresh);
            File.Delete(upgraded);
            File.Delete(model);
        }
    }

    private static PortalDbContext Context(string path)
        => new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={path};Pooling=False", o => o.MigrationsAssembly("Portal.Data")).Options);

    /// <summary>Every table's columns (name, type, not null, hidden = generated) and every index's table, uniqueness and columns.</summary>
    private static List<string> Describe(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        var lines = new List<string>();
        var tables = Query(connection, $"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '{ListSearch.SqliteIndexTable}%' ORDER BY name").Select(r => r[0]).ToList();
        foreach (var table in tables)
        {
            lines.AddRange(Query(connection, $"SELECT name, type, \"notnull\", hidden FROM pragma_table_xinfo('{table}') ORDER BY name")
                .Select(c => $"column {table}.{c[0]} {c[1]} notnull={c[2]} hidden={c[3]}"));
            foreach (var index in Query(connection, $"SELECT name, \"unique\" FROM pragma_index_list('{table}') WHERE origin = 'c' ORDER BY name"))
            {
                var columns = string.Join(",", Query(connection, $"SELECT name FROM pragma_index_info('{index[0]}') ORDER BY seqno").Select(r => r[0]));
                lines.Add($"index {table}.{index[0]} unique={index[1]} ({columns})");
            }
        }

        return lines;
    }

    private static List<string[]> Query(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!).ToArray());
        }

        return rows;
    }
}
