using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Shops_City",
                table: "Shops",
                column: "City");

            migrationBuilder.CreateIndex(
                name: "IX_Bindings_UpdatedAt",
                table: "Bindings",
                column: "UpdatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_AuthorizerTokens_ConsecutiveFailures",
                table: "AuthorizerTokens",
                column: "ConsecutiveFailures");

            migrationBuilder.CreateIndex(
                name: "IX_AuthorizerTokens_LastRefreshedAt",
                table: "AuthorizerTokens",
                column: "LastRefreshedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Authorizers_AccountStatus",
                table: "Authorizers",
                column: "AccountStatus");

            migrationBuilder.CreateIndex(
                name: "IX_Authorizers_Kind_NickName",
                table: "Authorizers",
                columns: new[] { "Kind", "NickName" });

            migrationBuilder.CreateIndex(
                name: "IX_Authorizers_NickName",
                table: "Authorizers",
                column: "NickName");

            migrationBuilder.CreateIndex(
                name: "IX_Authorizers_PrincipalName",
                table: "Authorizers",
                column: "PrincipalName");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Shops_City",
                table: "Shops");

            migrationBuilder.DropIndex(
                name: "IX_Bindings_UpdatedAt",
                table: "Bindings");

            migrationBuilder.DropIndex(
                name: "IX_AuthorizerTokens_ConsecutiveFailures",
                table: "AuthorizerTokens");

            migrationBuilder.DropIndex(
                name: "IX_AuthorizerTokens_LastRefreshedAt",
                table: "AuthorizerTokens");

            migrationBuilder.DropIndex(
                name: "IX_Authorizers_AccountStatus",
                table: "Authorizers");

            migrationBuilder.DropIndex(
                name: "IX_Authorizers_Kind_NickName",
                table: "Authorizers");

            migrationBuilder.DropIndex(
                name: "IX_Authorizers_NickName",
                table: "Authorizers");

            migrationBuilder.DropIndex(
                name: "IX_Authorizers_PrincipalName",
                table: "Authorizers");
        }
    }
}
