using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Admin : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ItemsFailed",
                table: "JobRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "ItemsSucceeded",
                table: "JobRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "AccountMessages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AuthorizerAppId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    DedupeKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    MsgType = table.Column<string>(type: "TEXT", nullable: false),
                    Event = table.Column<string>(type: "TEXT", nullable: true),
                    FromUser = table.Column<string>(type: "TEXT", nullable: true),
                    CreateTime = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PayloadProtected = table.Column<string>(type: "TEXT", nullable: false),
                    Reply = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMessages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReleaseTestRecords",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Group = table.Column<int>(type: "INTEGER", nullable: false),
                    AuthorizerAppId = table.Column<string>(type: "TEXT", nullable: false),
                    Case = table.Column<string>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Succeeded = table.Column<bool>(type: "INTEGER", nullable: false),
                    Detail = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReleaseTestRecords", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMessages_AuthorizerAppId_DedupeKey",
                table: "AccountMessages",
                columns: new[] { "AuthorizerAppId", "DedupeKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccountMessages_AuthorizerAppId_ReceivedAt",
                table: "AccountMessages",
                columns: new[] { "AuthorizerAppId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMessages_ReceivedAt",
                table: "AccountMessages",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ReleaseTestRecords_At",
                table: "ReleaseTestRecords",
                column: "At");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountMessages");

            migrationBuilder.DropTable(
                name: "ReleaseTestRecords");

            migrationBuilder.DropColumn(
                name: "ItemsFailed",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "ItemsSucceeded",
                table: "JobRuns");
        }
    }
}
