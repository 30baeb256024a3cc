using System.Xml.Linq;

namespace Portal.WeChat.Protocol.Xml;

/// <summary>A decrypted push to the authorization event URL (reference §2). Unknown InfoTypes are kept whole.</summary>
/// <param name="AppId">The component appid.</param>
/// <param name="CreateTime">Unix seconds.</param>
/// <param name="InfoType">The push type.</param>
/// <param name="RawXml">The decrypted XML exactly as received.</param>
public abstract record ComponentPush(string AppId, long CreateTime, string InfoType, string RawXml)
{
    /// <summary>InfoType of the ticket push.</summary>
    public const string ComponentVerifyTicketType = "component_verify_ticket";
    /// <summary>InfoType of a new authorization.</summary>
    public const string AuthorizedType = "authorized";
    /// <summary>InfoType of a changed authorization.</summary>
    public const string UpdateAuthorizedType = "updateauthorized";
    /// <summary>InfoType of a cancelled authorization.</summary>
    public const string UnauthorizedType = "unauthorized";

    /// <summary>Parses decrypted push XML into its typed model.</summary>
    /// <exception cref="Crypto.WeChatCryptoException">-40002 when the XML is malformed or a required field is missing.</exception>
    public static ComponentPush Parse(string xml)
    {
        var root = SafeXml.ParseRoot(xml);
        var appId = SafeXml.Required(root, "AppId");
        var createTime = SafeXml.RequiredInt64(root, "CreateTime");
        var infoType = SafeXml.Required(root, "InfoType");

        return infoType switch
        {
            ComponentVerifyTicketType => new ComponentVerifyTicketPush(appId, createTime, xml, SafeXml.Required(root, "ComponentVerifyTicket")),
            AuthorizedType => new AuthorizedPush(appId, createTime, xml, ReadGrant(root)),
            UpdateAuthorizedType => new UpdateAuthorizedPush(appId, createTime, xml, ReadGrant(root)),
            UnauthorizedType => new UnauthorizedPush(appId, createTime, xml, SafeXml.Required(root, "AuthorizerAppid")),
            _ => new UnknownComponentPush(appId, createTime, infoType, xml, SafeXml.Fields(root)),
        };
    }

    private static AuthorizationGrant ReadGrant(XElement root) => new(
        SafeXml.Required(root, "AuthorizerAppid"),
        SafeXml.Required(root, "AuthorizationCode"),
        SafeXml.RequiredInt64(root, "AuthorizationCodeExpiredTime"),
        SafeXml.Child(root, "PreAuthCode"));
}

/// <summary>The fields shared by <c>authorized</c> and <c>updateauthorized</c>.</summary>
/// <param name="AuthorizerAppId">The account's appid.</param>
/// <param name="AuthorizationCode">The code to exchange with api_query_auth.</param>
/// <param name="AuthorizationCodeExpiredTime">Treated as an absolute unix time (reference §9.7).</param>
/// <param name="PreAuthCode">The pre_auth_code that started this authorization, when given.</param>
public sealed record AuthorizationGrant(string AuthorizerAppId, string AuthorizationCode, long AuthorizationCodeExpiredTime, string? PreAuthCode);

/// <summary>The ticket push, every 10 minutes.</summary>
public sealed record ComponentVerifyTicketPush(string AppId, long CreateTime, string RawXml, string ComponentVerifyTicket)
    : ComponentPush(AppId, CreateTime, ComponentVerifyTicketType, RawXml)
{
    /// <inheritdoc />
    public override string ToString() => $"ComponentVerifyTicketPush(AppId={AppId}, CreateTime={CreateTime}, ticket=***)";
}

/// <summary>An account authorized the platform.</summary>
public sealed record AuthorizedPush(string AppId, long CreateTime, string RawXml, AuthorizationGrant Grant)
    : ComponentPush(AppId, CreateTime, AuthorizedType, RawXml);

/// <summary>An already authorized account changed what it grants.</summary>
public sealed record UpdateAuthorizedPush(string AppId, long CreateTime, string RawXml, AuthorizationGrant Grant)
    : ComponentPush(AppId, CreateTime, UpdateAuthorizedType, RawXml);

/// <summary>An account cancelled its authorization.</summary>
public sealed record UnauthorizedPush(string AppId, long CreateTime, string RawXml, string AuthorizerAppId)
    : ComponentPush(AppId, CreateTime, UnauthorizedType, RawXml);

/// <summary>Any other InfoType (fast registration, ICP filing, …): kept, never dropped.</summary>
public sealed record UnknownComponentPush(string AppId, long CreateTime, string InfoType, string RawXml, IReadOnlyDictionary<string, string> Fields)
    : ComponentPush(AppId, CreateTime, InfoType, RawXml);
