using System.Xml;
using System.Xml.Linq;
using Portal.WeChat.Protocol.Crypto;

namespace Portal.WeChat.Protocol.Xml;

/// <summary>
/// The only way the protocol library reads XML: DTDs prohibited, no resolver, a size cap.
/// XXE and entity-expansion payloads fail with -40002 before any entity is looked at.
/// </summary>
public static class SafeXml
{
    /// <summary>Default cap on a document's characters (WeChat's pushes are well under 8 KiB).</summary>
    public const int DefaultMaxCharacters = 256 * 1024;

    /// <summary>Parses a document whose root must be <c>&lt;xml&gt;</c>.</summary>
    /// <exception cref="WeChatCryptoException">With <see cref="WeChatCryptoErrorCode.ParseXmlError"/>.</exception>
    public static XElement ParseRoot(string? xml, int maxCharacters = DefaultMaxCharacters)
    {
        if (string.IsNullOrWhiteSpace(xml))
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.ParseXmlError, "the XML is empty");
        }

        if (xml.Length > maxCharacters)
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.ParseXmlError, $"the XML is larger than {maxCharacters} characters");
        }

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = maxCharacters,
            MaxCharactersFromEntities = 1024,
            IgnoreProcessingInstructions = true,
            IgnoreComments = true,
            CloseInput = true,
        };

        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            document = XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException ex)
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.ParseXmlError, $"the XML is malformed or not allowed: {ex.Message}", ex);
        }

        var root = document.Root;
        if (root is null || root.Name.LocalName != "xml")
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.ParseXmlError, "the root element must be <xml>");
        }

        return root;
    }

    /// <summary>The text of a direct child element, or null when absent.</summary>
    public static string? Child(XElement parent, string name) => parent.Element(name)?.Value;

    /// <summary>The text of a required child element.</summary>
    public static string Required(XElement parent, string name)
    {
        var value = Child(parent, name);
        if (string.IsNullOrEmpty(value))
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.ParseXmlError, $"<{name}> is missing");
        }

        return value;
    }

    /// <summary>A required child element holding whole seconds.</summary>
    public static long RequiredInt64(XElement parent, string name)
    {
        var text = Required(parent, name);
        if (!long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new WeChatCryptoException(WeChatCryptoErrorCode.ParseXmlError, $"<{name}> is not a number");
        }

        return value;
    }

    /// <summary>Every direct child as name → text (the last one wins on repeated names).</summary>
    public static IReadOnlyDictionary<string, string> Fields(XElement parent)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var element in parent.Elements())
        {
            fields[element.Name.LocalName] = element.HasElements ? element.ToString(SaveOptions.DisableFormatting) : element.Value;
        }

        return fields;
    }
}
