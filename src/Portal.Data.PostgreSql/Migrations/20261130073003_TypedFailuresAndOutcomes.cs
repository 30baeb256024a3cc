using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class TypedFailuresAndOutcomes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FailureApi",
                table: "ReleaseTestRecords",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FailureCode",
                table: "ReleaseTestRecords",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "FailureErrCode",
                table: "ReleaseTestRecords",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "FailureKind",
                table: "ReleaseTestRecords",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Outcome",
                table: "JobRuns",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "OutcomeArgs",
                table: "JobRuns",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastFailureApi",
                table: "Inbox",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastFailureCode",
                table: "Inbox",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "LastFailureErrCode",
                table: "Inbox",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "LastFailureKind",
                table: "Inbox",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastFailureApi",
                table: "AuthorizerTokens",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastFailureCode",
                table: "AuthorizerTokens",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "LastFailureErrCode",
                table: "AuthorizerTokens",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "LastFailureKind",
                table: "AuthorizerTokens",
                type: "integer",
                nullable: true);

            // Stored failures: "api: errcode N" and the few other texts become typed columns, once.
            migrationBuilder.Sql(@"UPDATE ""AuthorizerTokens"" SET ""LastFailureKind"" = 2, ""LastFailureApi"" = left(split_part(""LastError"", ': errcode ', 1), 64), ""LastFailureErrCode"" = substring(""LastError"" from ': errcode (-?[0-9]+)')::integer WHERE ""LastError"" LIKE '%: errcode %(refresh token lost%';");
            migrationBuilder.Sql(@"UPDATE ""AuthorizerTokens"" SET ""LastFailureKind"" = 1, ""LastFailureApi"" = left(split_part(""LastError"", ': errcode ', 1), 64), ""LastFailureErrCode"" = substring(""LastError"" from ': errcode (-?[0-9]+)')::integer WHERE ""LastFailureKind"" IS NULL AND ""LastError"" LIKE '%: errcode %';");
            migrationBuilder.Sql(@"UPDATE ""AuthorizerTokens"" SET ""LastFailureKind"" = 3 WHERE ""LastFailureKind"" IS NULL AND ""LastError"" = 'refresh token repaired by reconciliation';");
            migrationBuilder.Sql(@"UPDATE ""AuthorizerTokens"" SET ""LastFailureKind"" = 4, ""LastFailureCode"" = left(""LastError"", 64) WHERE ""LastFailureKind"" IS NULL AND ""LastError"" IS NOT NULL;");
            migrationBuilder.Sql(@"UPDATE ""Inbox"" SET ""LastFailureKind"" = 6, ""LastFailureCode"" = left(""LastError"", 64) WHERE ""Status"" = 3 AND ""LastError"" IS NOT NULL;");
            migrationBuilder.Sql(@"UPDATE ""Inbox"" SET ""LastFailureKind"" = 1, ""LastFailureApi"" = left(split_part(""LastError"", ': errcode ', 1), 64), ""LastFailureErrCode"" = substring(""LastError"" from ': errcode (-?[0-9]+)')::integer WHERE ""LastFailureKind"" IS NULL AND ""LastError"" LIKE '%: errcode %';");
            migrationBuilder.Sql(@"UPDATE ""Inbox"" SET ""LastFailureCode"" = left(split_part(""LastError"", ': ', 1), 64) WHERE ""LastFailureKind"" IS NULL AND ""LastError"" IS NOT NULL;");
            migrationBuilder.Sql(@"UPDATE ""Inbox"" SET ""LastFailureKind"" = CASE WHEN ""LastFailureCode"" = lower(""LastFailureCode"") THEN 4 ELSE 5 END WHERE ""LastFailureKind"" IS NULL AND ""LastFailureCode"" IS NOT NULL;");
            migrationBuilder.Sql(@"UPDATE ""ReleaseTestRecords"" SET ""FailureKind"" = 1, ""FailureApi"" = left(split_part(""Detail"", ': errcode ', 1), 64), ""FailureErrCode"" = substring(""Detail"" from ': errcode (-?[0-9]+)')::integer WHERE NOT ""Succeeded"" AND ""Detail"" LIKE '%: errcode %';");
            migrationBuilder.Sql(@"UPDATE ""ReleaseTestRecords"" SET ""FailureKind"" = 5, ""FailureCode"" = left(split_part(""Detail"", ': ', 1), 64) WHERE NOT ""Succeeded"" AND ""FailureKind"" IS NULL;");

            // Job outcomes: the few fixed texts become their codes; free text (counts in English) is not kept.
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 3 WHERE ""Summary"" = 'already running; this request was skipped';");
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 4 WHERE ""Summary"" = 'already running on another instance; this request was skipped';");
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 5 WHERE ""Summary"" = 'stopped by shutdown; runs again at the next start';");
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 6 WHERE ""Summary"" = 'the portal stopped during this run; resumed at start-up';");
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 7 WHERE ""Summary"" = 'nothing due';");
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 9, ""OutcomeArgs"" = '{""Refresh"":""' || ""Summary"" || '""}' WHERE ""Summary"" IN ('Refreshed','Recovered','Busy','NotDue','Failed','NeedsReauthorization','Revoked','QuotaPaused','Gone') AND ""JobName"" IN ('refresh-authorizer', 'refresh-authorizer-when-due');");
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 10 WHERE ""Summary"" = 'Resynced';");
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 11 WHERE ""Summary"" = 'ResyncFailed';");
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 12 WHERE ""Summary"" = 'no ticket yet';");
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 2 WHERE ""Outcome"" = 0 AND ""Status"" = 3;");
            migrationBuilder.Sql(@"UPDATE ""JobRuns"" SET ""Outcome"" = 1 WHERE ""Outcome"" = 0 AND ""Status"" IN (2, 4, 5);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FailureApi",
                table: "ReleaseTestRecords");

            migrationBuilder.DropColumn(
                name: "FailureCode",
                table: "ReleaseTestRecords");

            migrationBuilder.DropColumn(
                name: "FailureErrCode",
                table: "ReleaseTestRecords");

            migrationBuilder.DropColumn(
                name: "FailureKind",
                table: "ReleaseTestRecords");

            migrationBuilder.DropColumn(
                name: "Outcome",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "OutcomeArgs",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "LastFailureApi",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "LastFailureCode",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "LastFailureErrCode",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "LastFailureKind",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "LastFailureApi",
                table: "AuthorizerTokens");

            migrationBuilder.DropColumn(
                name: "LastFailureCode",
                table: "AuthorizerTokens");

            migrationBuilder.DropColumn(
                name: "LastFailureErrCode",
                table: "AuthorizerTokens");

            migrationBuilder.DropColumn(
                name: "LastFailureKind",
                table: "AuthorizerTokens");
        }
    }
}
