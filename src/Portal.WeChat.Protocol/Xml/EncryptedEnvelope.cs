using Portal.WeChat.Protocol.Crypto;

namespace Portal.WeChat.Protocol.Xml;

/// <summary>Which outer shape an encrypted POST body has (reference §1.2).</summary>
public enum EnvelopeKind
{
    /// <summary>A component push: <c>&lt;AppId&gt;</c> + <c>&lt;Encrypt&gt;</c>.</summary>
    ComponentPush,

    /// <summary>A message or event of an authorized account: <c>&lt;ToUserName&gt;</c> + <c>&lt;Encrypt&gt;</c>.</summary>
    AccountMessage,
}

/// <summary>The outer, unencrypted XML that WeChat posts.</summary>
/// <param name="Kind">Which of the two shapes it is.</param>
/// <param name="Recipient">The component appid (push) or the account's original id gh_… (message).</param>
/// <param name="Encrypt">The base64 ciphertext, exactly as received.</param>
public sealed record EncryptedEnvelope(EnvelopeKind Kind, string Recipient, string Encrypt)
{
    /// <summary>Parses a component push envelope (<c>AppId</c> + <c>Encrypt</c>).</summary>
    public static EncryptedEnvelope ParseComponentPush(string? xml, int maxCharacters = SafeXml.DefaultMaxCharacters)
    {
        var root = SafeXml.ParseRoot(xml, maxCharacters);
        return new EncryptedEnvelope(EnvelopeKind.ComponentPush, SafeXml.Required(root, "AppId"), SafeXml.Required(root, "Encrypt"));
    }

    /// <summary>Parses an account message envelope (<c>ToUserName</c> + <c>Encrypt</c>).</summary>
    public static EncryptedEnvelope ParseAccountMessage(string? xml, int maxCharacters = SafeXml.DefaultMaxCharacters)
    {
        var root = SafeXml.ParseRoot(xml, maxCharacters);
        return new EncryptedEnvelope(EnvelopeKind.AccountMessage, SafeXml.Required(root, "ToUserName"), SafeXml.Required(root, "Encrypt"));
    }

    /// <summary>Parses either shape, telling them apart by the element present.</summary>
    public static EncryptedEnvelope Parse(string? xml, int maxCharacters = SafeXml.DefaultMaxCharacters)
    {
        var root = SafeXml.ParseRoot(xml, maxCharacters);
        var encrypt = SafeXml.Required(root, "Encrypt");
        if (SafeXml.Child(root, "AppId") is { Length: > 0 } appId)
        {
            return new EncryptedEnvelope(EnvelopeKind.ComponentPush, appId, encrypt);
        }

        if (SafeXml.Child(root, "ToUserName") is { Length: > 0 } toUser)
        {
            return new EncryptedEnvelope(EnvelopeKind.AccountMessage, toUser, encrypt);
        }

        throw new WeChatCryptoException(WeChatCryptoErrorCode.ParseXmlError, "the envelope has neither <AppId> nor <ToUserName>");
    }
}
