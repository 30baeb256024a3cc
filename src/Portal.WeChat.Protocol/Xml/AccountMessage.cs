namespace Portal.WeChat.Protocol.Xml;

/// <summary>A decrypted message or event of an authorized account (reference §8). All fields are kept.</summary>
public sealed record AccountMessage(IReadOnlyDictionary<string, string> Fields, string RawXml)
{
    /// <summary>The account's original id (gh_…).</summary>
    public string ToUserName => Get("ToUserName") ?? string.Empty;
    /// <summary>The sender's openid.</summary>
    public string FromUserName => Get("FromUserName") ?? string.Empty;
    /// <summary>Unix seconds.</summary>
    public long CreateTime => long.TryParse(Get("CreateTime"), out var t) ? t : 0;
    /// <summary><c>text</c>, <c>event</c>, <c>image</c>, …</summary>
    public string MsgType => Get("MsgType") ?? string.Empty;
    /// <summary>The text of a text message.</summary>
    public string? Content => Get("Content");
    /// <summary>The event name of an event.</summary>
    public string? Event => Get("Event");
    /// <summary>The message id, absent on events.</summary>
    public string? MsgId => Get("MsgId");

    /// <summary>A field by element name.</summary>
    public string? Get(string name) => Fields.TryGetValue(name, out var value) ? value : null;

    /// <summary>Parses decrypted message XML.</summary>
    public static AccountMessage Parse(string xml)
    {
        var root = SafeXml.ParseRoot(xml);
        SafeXml.Required(root, "ToUserName");
        SafeXml.Required(root, "MsgType");
        return new AccountMessage(SafeXml.Fields(root), xml);
    }
}
