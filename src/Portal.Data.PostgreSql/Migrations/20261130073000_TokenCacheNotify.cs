using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.Data;

#nullable disable

namespace Portal.Data.PostgreSql.Migrations
{
    /// <summary>
    /// PostgreSQL only (the model is unchanged): triggers that NOTIFY <c>portal_token_cache</c> inside the writing
    /// transaction whenever something the token API caches changes, so every instance's TokenCacheListener drops its
    /// copy at commit: <c>a:&lt;appid&gt;</c> for an authorizer's access token or authorization, <c>k</c> for API keys
    /// (not for their last-use time), <c>c</c> for the component token.
    /// </summary>
    [DbContext(typeof(PortalDbContext))]
    [Migration("20261130073000_TokenCacheNotify")]
    public partial class TokenCacheNotify : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION portal_token_cache_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    row_id integer;
                    payload text;
                BEGIN
                    IF TG_TABLE_NAME = 'Authorizers' THEN
                        IF TG_OP = 'DELETE' THEN payload := 'a:' || OLD."AppId"; ELSE payload := 'a:' || NEW."AppId"; END IF;
                    ELSIF TG_TABLE_NAME = 'AuthorizerTokens' THEN
                        IF TG_OP = 'DELETE' THEN row_id := OLD."AuthorizerId"; ELSE row_id := NEW."AuthorizerId"; END IF;
                        payload := 'a:' || (SELECT "AppId" FROM "Authorizers" WHERE "Id" = row_id);
                    ELSIF TG_TABLE_NAME = 'ApiKeys' THEN
                        payload := 'k';
                    ELSE
                        payload := 'c';
                    END IF;
                    PERFORM pg_notify('portal_token_cache', COALESCE(payload, '*'));
                    RETURN NULL;
                END
                $$;

                CREATE TRIGGER "TR_Authorizers_TokenCache" AFTER UPDATE ON "Authorizers" FOR EACH ROW
                    WHEN (OLD."IsAuthorized" IS DISTINCT FROM NEW."IsAuthorized" OR OLD."AppId" IS DISTINCT FROM NEW."AppId")
                    EXECUTE FUNCTION portal_token_cache_notify();
                CREATE TRIGGER "TR_Authorizers_TokenCache_Delete" AFTER DELETE ON "Authorizers" FOR EACH ROW
                    EXECUTE FUNCTION portal_token_cache_notify();

                CREATE TRIGGER "TR_AuthorizerTokens_TokenCache" AFTER UPDATE ON "AuthorizerTokens" FOR EACH ROW
                    WHEN (OLD."AccessTokenProtected" IS DISTINCT FROM NEW."AccessTokenProtected" OR OLD."AccessTokenExpiresAt" IS DISTINCT FROM NEW."AccessTokenExpiresAt")
                    EXECUTE FUNCTION portal_token_cache_notify();
                CREATE TRIGGER "TR_AuthorizerTokens_TokenCache_InsertDelete" AFTER INSERT OR DELETE ON "AuthorizerTokens" FOR EACH ROW
                    EXECUTE FUNCTION portal_token_cache_notify();

                CREATE TRIGGER "TR_ApiKeys_TokenCache" AFTER UPDATE ON "ApiKeys" FOR EACH ROW
                    WHEN (OLD."RevokedAt" IS DISTINCT FROM NEW."RevokedAt" OR OLD."Scope" IS DISTINCT FROM NEW."Scope"
                        OR OLD."AuthorizerAppIds" IS DISTINCT FROM NEW."AuthorizerAppIds" OR OLD."KeyHash" IS DISTINCT FROM NEW."KeyHash")
                    EXECUTE FUNCTION portal_token_cache_notify();
                CREATE TRIGGER "TR_ApiKeys_TokenCache_InsertDelete" AFTER INSERT OR DELETE ON "ApiKeys" FOR EACH ROW
                    EXECUTE FUNCTION portal_token_cache_notify();

                CREATE TRIGGER "TR_ComponentCredentials_TokenCache" AFTER UPDATE ON "ComponentCredentials" FOR EACH ROW
                    WHEN (OLD."AccessTokenProtected" IS DISTINCT FROM NEW."AccessTokenProtected" OR OLD."AccessTokenExpiresAt" IS DISTINCT FROM NEW."AccessTokenExpiresAt")
                    EXECUTE FUNCTION portal_token_cache_notify();
                CREATE TRIGGER "TR_ComponentCredentials_TokenCache_Delete" AFTER DELETE ON "ComponentCredentials" FOR EACH ROW
                    EXECUTE FUNCTION portal_token_cache_notify();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS "TR_Authorizers_TokenCache" ON "Authorizers";
                DROP TRIGGER IF EXISTS "TR_Authorizers_TokenCache_Delete" ON "Authorizers";
                DROP TRIGGER IF EXISTS "TR_AuthorizerTokens_TokenCache" ON "AuthorizerTokens";
                DROP TRIGGER IF EXISTS "TR_AuthorizerTokens_TokenCache_InsertDelete" ON "AuthorizerTokens";
                DROP TRIGGER IF EXISTS "TR_ApiKeys_TokenCache" ON "ApiKeys";
                DROP TRIGGER IF EXISTS "TR_ApiKeys_TokenCache_InsertDelete" ON "ApiKeys";
                DROP TRIGGER IF EXISTS "TR_ComponentCredentials_TokenCache" ON "ComponentCredentials";
                DROP TRIGGER IF EXISTS "TR_ComponentCredentials_TokenCache_Delete" ON "ComponentCredentials";
                DROP FUNCTION IF EXISTS portal_token_cache_notify();
                """);
        }
    }
}
