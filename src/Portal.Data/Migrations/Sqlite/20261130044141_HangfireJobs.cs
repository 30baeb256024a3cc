using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class HangfireJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "EnqueuedAt",
                table: "JobRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "JobRuns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "FinishedAt",
                table: "JobRuns",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Owner",
                table: "JobRuns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Status",
                table: "JobRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Target",
                table: "JobRuns",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Trigger",
                table: "JobRuns",
                type: "TEXT",
                maxLength: 128,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "JobPauses",
                columns: table => new
                {
                    JobName = table.Column<string>(type: "TEXT", nullable: false),
                    PausedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PausedBy = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_JobPauses", x => x.JobName);
                });

            migrationBuilder.CreateIndex(
                name: "IX_JobRuns_ExternalId",
                table: "JobRuns",
                column: "ExternalId");

            migrationBuilder.CreateIndex(
                name: "IX_JobRuns_Status",
                table: "JobRuns",
                column: "Status");

            // Runs recorded under Quartz were all finished ones.
            migrationBuilder.Sql("UPDATE JobRuns SET Status = CASE WHEN Succeeded THEN 2 ELSE 3 END, EnqueuedAt = StartedAt, FinishedAt = StartedAt + DurationMs * 10000, \"Trigger\" = 'schedule';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "JobPauses");

            migrationBuilder.DropIndex(
                name: "IX_JobRuns_ExternalId",
                table: "JobRuns");

            migrationBuilder.DropIndex(
                name: "IX_JobRuns_Status",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "EnqueuedAt",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "ExternalId",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "FinishedAt",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "Owner",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "Target",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "Trigger",
                table: "JobRuns");
        }
    }
}
