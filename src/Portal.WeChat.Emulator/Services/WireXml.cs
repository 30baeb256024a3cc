using System.Globalization;
using System.Text;

namespace Portal.WeChat.Emulator.Services;

/// <summary>The emulator's own XML writer, in WeChat's real layout (CDATA for text, bare numbers, one field a line).</summary>
public sealed class WireXml
{
    private readonly StringBuilder _builder = new("<xml>");

    public WireXml Text(string name, string value)
    {
        _builder.Append('<').Append(name).Append("><![CDATA[")
            .Append(value.Replace("]]>", "]]]]><![CDATA[>", StringComparison.Ordinal))
            .Append("]]></").Append(name).Append(">\n");
        return this;
    }

    public WireXml Number(string name, long value)
    {
        _builder.Append('<').Append(name).Append('>').Append(value.ToString(CultureInfo.InvariantCulture)).Append("</").Append(name).Append(">\n");
        return this;
    }

    public override string ToString() => _builder.ToString() + "</xml>";
}
