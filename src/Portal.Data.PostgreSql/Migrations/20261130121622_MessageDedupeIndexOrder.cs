using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class MessageDedupeIndexOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AccountMessages_AuthorizerAppId_DedupeKey",
                table: "AccountMessages");

            migrationBuilder.CreateIndex(
                name: "IX_AccountMessages_DedupeKey_AuthorizerAppId",
                table: "AccountMessages",
                columns: new[] { "DedupeKey", "AuthorizerAppId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AccountMessages_DedupeKey_AuthorizerAppId",
                table: "AccountMessages");

            migrationBuilder.CreateIndex(
                name: "IX_AccountMessages_AuthorizerAppId_DedupeKey",
                table: "AccountMessages",
                columns: new[] { "AuthorizerAppId", "DedupeKey" },
                unique: true);
        }
    }
}
