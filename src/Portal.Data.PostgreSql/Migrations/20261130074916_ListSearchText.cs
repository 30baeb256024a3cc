using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ListSearchText : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SearchText",
                table: "Shops",
                type: "character varying(320)",
                maxLength: 320,
                nullable: true,
                computedColumnSql: "lower(coalesce(\"Name\", '') || ' ' || coalesce(\"City\", ''))",
                stored: true);

            migrationBuilder.AddColumn<string>(
                name: "SearchText",
                table: "Authorizers",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true,
                computedColumnSql: "lower(coalesce(\"NickName\", '') || ' ' || coalesce(\"AppId\", '') || ' ' || coalesce(\"PrincipalName\", ''))",
                stored: true);
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
