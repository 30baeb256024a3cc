using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuthorizationAttempts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AuthCodeHash",
                table: "InviteAttempts",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ConsumedAt",
                table: "InviteAttempts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ReplacedAuthorizerId",
                table: "InviteAttempts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ReplacedState",
                table: "InviteAttempts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TokenHash",
                table: "InviteAttempts",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "AttemptId",
                table: "ExchangedAuthCodes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreAuthCodeHash",
                table: "ExchangedAuthCodes",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_InviteAttempts_TokenHash",
                table: "InviteAttempts",
                column: "TokenHash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_InviteAttempts_TokenHash",
                table: "InviteAttempts");

            migrationBuilder.DropColumn(
                name: "AuthCodeHash",
                table: "InviteAttempts");

            migrationBuilder.DropColumn(
                name: "ConsumedAt",
                table: "InviteAttempts");

            migrationBuilder.DropColumn(
                name: "ReplacedAuthorizerId",
                table: "InviteAttempts");

            migrationBuilder.DropColumn(
                name: "ReplacedState",
                table: "InviteAttempts");

            migrationBuilder.DropColumn(
                name: "TokenHash",
                table: "InviteAttempts");

            migrationBuilder.DropColumn(
                name: "AttemptId",
                table: "ExchangedAuthCodes");

            migrationBuilder.DropColumn(
                name: "PreAuthCodeHash",
                table: "ExchangedAuthCodes");
        }
    }
}
