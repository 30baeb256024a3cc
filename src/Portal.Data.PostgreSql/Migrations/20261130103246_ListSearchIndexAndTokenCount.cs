using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ListSearchIndexAndTokenCount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The list searches look for a term anywhere in the accounts' stored search column (name, appid, principal) with
            // LIKE '%term%'. A B-tree cannot find substrings; a trigram GIN index can (pg_trgm ships with PostgreSQL and is a
            // trusted extension: the database's owner may create it). Not part of the EF model: ListSearch in Portal.Data
            // writes the LIKE that uses it.
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("""CREATE INDEX "IX_Authorizers_SearchText_Trigram" ON "Authorizers" USING gin ("SearchText" gin_trgm_ops);""");

            migrationBuilder.CreateIndex(
                name: "IX_Authorizers_NotAuthorized",
                table: "Authorizers",
                column: "IsAuthorized",
                filter: "NOT \"IsAuthorized\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_Authorizers_SearchText_Trigram";""");

            migrationBuilder.DropIndex(
                name: "IX_Authorizers_NotAuthorized",
                table: "Authorizers");
        }
    }
}
