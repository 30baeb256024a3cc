using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ListSearchIndexAndTokenCount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The list searches look for a term anywhere in the accounts' stored search column (name, appid, principal). A B-tree
            // cannot find substrings, so without this every search read all of the accounts; an FTS5 trigram index can. It is an
            // external-content table (it stores only the index; the text stays in "Authorizers"."SearchText"), kept in step by the
            // triggers below, and filled once from the rows there. A phrase of three or more characters matches exactly the rows
            // whose search text contains it (case folded). Not part of the EF model: ListSearch in Portal.Data queries it.
            // If a later migration rebuilds "Authorizers" (SQLite drops a table's triggers with it), it must create these triggers
            // again: SchemaTests checks that they exist and that the index matches its table.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "AuthorizerSearch" USING fts5("SearchText", content='Authorizers', content_rowid='Id', tokenize='trigram');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Authorizers_SearchIndex_Insert" AFTER INSERT ON "Authorizers" BEGIN
                    INSERT INTO "AuthorizerSearch"(rowid, "SearchText") VALUES (new."Id", new."SearchText");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Authorizers_SearchIndex_Update" AFTER UPDATE ON "Authorizers" WHEN old."SearchText" IS NOT new."SearchText" OR old."Id" <> new."Id" BEGIN
                    INSERT INTO "AuthorizerSearch"("AuthorizerSearch", rowid, "SearchText") VALUES ('delete', old."Id", old."SearchText");
                    INSERT INTO "AuthorizerSearch"(rowid, "SearchText") VALUES (new."Id", new."SearchText");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Authorizers_SearchIndex_Delete" AFTER DELETE ON "Authorizers" BEGIN
                    INSERT INTO "AuthorizerSearch"("AuthorizerSearch", rowid, "SearchText") VALUES ('delete', old."Id", old."SearchText");
                END;
                """);
            migrationBuilder.Sql("""INSERT INTO "AuthorizerSearch"("AuthorizerSearch") VALUES ('rebuild');""");

            migrationBuilder.CreateIndex(
                name: "IX_Authorizers_NotAuthorized",
                table: "Authorizers",
                column: "IsAuthorized",
                filter: "NOT \"IsAuthorized\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Authorizers_SearchIndex_Insert";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Authorizers_SearchIndex_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Authorizers_SearchIndex_Delete";""");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "AuthorizerSearch";""");

            migrationBuilder.DropIndex(
                name: "IX_Authorizers_NotAuthorized",
                table: "Authorizers");
        }
    }
}
