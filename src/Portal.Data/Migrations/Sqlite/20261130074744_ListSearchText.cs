using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ListSearchText : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // SQLite refuses ALTER TABLE … ADD a STORED generated column on a table that has rows ("cannot add a STORED
            // column"), so an existing database could not upgrade. Adding a plain column and then altering it into the
            // generated one makes EF rebuild each table (new table, rows copied, indexes recreated), which SQLite accepts.
            migrationBuilder.AddColumn<string>(
                name: "SearchText",
                table: "Shops",
                type: "TEXT",
                maxLength: 320,
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "SearchText",
                table: "Shops",
                type: "TEXT",
                maxLength: 320,
                nullable: true,
                computedColumnSql: "lower(coalesce(\"Name\", '') || ' ' || coalesce(\"City\", ''))",
                stored: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 320,
                oldNullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SearchText",
                table: "Authorizers",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "SearchText",
                table: "Authorizers",
                type: "TEXT",
                maxLength: 500,
                nullable: true,
                computedColumnSql: "lower(coalesce(\"NickName\", '') || ' ' || coalesce(\"AppId\", '') || ' ' || coalesce(\"PrincipalName\", ''))",
                stored: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 500,
                oldNullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SearchText",
                table: "Shops");

            migrationBuilder.DropColumn(
                name: "SearchText",
                table: "Authorizers");
        }
    }
}
