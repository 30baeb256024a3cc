using System.Globalization;
using System.Text;
using Portal.WeChat.Protocol.Crypto;

namespace Portal.WeChat.Protocol.Xml;

/// <summary>Builds passive replies to account messages: the plaintext message and its encrypted envelope (reference §1.2, §8).</summary>
public static class ReplyXml
{
    /// <summary>A plaintext text reply.</summary>
    public static string Text(string toUser, string fromUser, long createTime, string content)
    {
        var builder = new StringBuilder(256);
        builder.Append("<xml>");
        AppendCData(builder, "ToUserName", toUser);
        AppendCData(builder, "FromUserName", fromUser);
        builder.Append("<CreateTime>").Append(createTime.ToString(CultureInfo.InvariantCulture)).Append("</CreateTime>");
        AppendCData(builder, "MsgType", "text");
        AppendCData(builder, "Content", content);
        builder.Append("</xml>");
        return builder.ToString();
    }

    /// <summary>Encrypts a plaintext reply and wraps it as <c>Encrypt, MsgSignature, TimeStamp, Nonce</c>.</summary>
    public static string Encrypted(MessageCrypto crypto, string plainXml, string timestamp, string nonce, ReadOnlySpan<byte> random16 = default)
    {
        ArgumentNullException.ThrowIfNull(crypto);
        var message = crypto.Encrypt(plainXml, timestamp, nonce, random16);

        var builder = new StringBuilder(message.Encrypt.Length + 200);
        builder.Append("<xml>");
        AppendCData(builder, "Encrypt", message.Encrypt);
        AppendCData(builder, "MsgSignature", message.MsgSignature);
        builder.Append("<TimeStamp>").Append(message.TimeStamp).Append("</TimeStamp>");
        AppendCData(builder, "Nonce", message.Nonce);
        builder.Append("</xml>");
        return builder.ToString();
    }

    /// <summary>Appends <c>&lt;name&gt;&lt;![CDATA[value]]&gt;&lt;/name&gt;</c>, splitting any <c>]]&gt;</c> inside the value.</summary>
    public static void AppendCData(StringBuilder builder, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append('<').Append(name).Append("><![CDATA[")
            .Append(value.Replace("]]>", "]]]]><![CDATA[>", StringComparison.Ordinal))
            .Append("]]></").Append(name).Append('>');
    }
}
