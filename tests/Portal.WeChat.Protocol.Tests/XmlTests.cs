using Portal.WeChat.Protocol.Crypto;
using Portal.WeChat.Protocol.Xml;

namespace Portal.WeChat.Protocol.Tests;

public class XmlTests
{
    private static WeChatCryptoErrorCode CodeOf(Action action) => Assert.Throws<WeChatCryptoException>(action).Code;

    [Fact]
    public void ComponentPush_V1Ticket_ParsesTicket()
    {
        var push = Assert.IsType<ComponentVerifyTicketPush>(ComponentPush.Parse(PublishedVectors.V1Plaintext));
        Assert.Equal("wxbbd3f07e2945cf2a", push.AppId);
        Assert.Equal(1436881222, push.CreateTime);
        Assert.Equal("ticket@@@hXh2446N-P9OOZqW4EeuPO9zFXEnAz5Vzc0JaWczBkIqcw2javRF0C_VVdwVYrEwyw1xHOiui7gB0WqKaYPMUQ", push.ComponentVerifyTicket);
        Assert.DoesNotContain("ticket@@@", push.ToString());
    }

    [Fact]
    public void ComponentPush_V2Unauthorized_ParsesAuthorizer()
    {
        var push = Assert.IsType<UnauthorizedPush>(ComponentPush.Parse(PublishedVectors.V2.Plaintext!));
        Assert.Equal("wx570bc396a51b8ff8", push.AuthorizerAppId);
        Assert.Equal(ComponentPush.UnauthorizedType, push.InfoType);
    }

    [Theory]
    [InlineData("authorized", typeof(AuthorizedPush))]
    [InlineData("updateauthorized", typeof(UpdateAuthorizedPush))]
    public void ComponentPush_Authorization_ParsesGrant(string infoType, Type expected)
    {
        var xml = $"""
            <xml><AppId><![CDATA[wxcomponent]]></AppId><CreateTime>1413192760</CreateTime><InfoType><![CDATA[{infoType}]]></InfoType>
            <AuthorizerAppid><![CDATA[wx570bc396a51b8ff8]]></AuthorizerAppid><AuthorizationCode><![CDATA[queryauthcode@@@abc]]></AuthorizationCode>
            <AuthorizationCodeExpiredTime>1413196360</AuthorizationCodeExpiredTime><PreAuthCode><![CDATA[preauthcode@@@xyz]]></PreAuthCode></xml>
            """;
        var push = ComponentPush.Parse(xml);
        Assert.IsType(expected, push);
        var grant = push switch
        {
            AuthorizedPush a => a.Grant,
            UpdateAuthorizedPush u => u.Grant,
            _ => throw new InvalidOperationException(),
        };
        Assert.Equal(new AuthorizationGrant("wx570bc396a51b8ff8", "queryauthcode@@@abc", 1413196360, "preauthcode@@@xyz"), grant);
    }

    [Fact]
    public void ComponentPush_UnknownInfoType_IsKeptWholeWithItsFields()
    {
        var xml = "<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>notify_third_fasteregister</InfoType><appid>wxnew</appid><status>0</status><info><name>x</name></info></xml>";
        var push = Assert.IsType<UnknownComponentPush>(ComponentPush.Parse(xml));
        Assert.Equal("notify_third_fasteregister", push.InfoType);
        Assert.Equal(xml, push.RawXml);
        Assert.Equal("wxnew", push.Fields["appid"]);
        Assert.Equal("<info><name>x</name></info>", push.Fields["info"]);
    }

    [Theory]
    [InlineData("<xml><CreateTime>1</CreateTime><InfoType>component_verify_ticket</InfoType></xml>")]
    [InlineData("<xml><AppId>a</AppId><CreateTime>x</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>t</ComponentVerifyTicket></xml>")]
    [InlineData("<xml><AppId>a</AppId><CreateTime>1</CreateTime><InfoType>authorized</InfoType><AuthorizerAppid>b</AuthorizerAppid></xml>")]
    [InlineData("<notxml/>")]
    [InlineData("<xml><AppId>a</AppId>")]
    [InlineData("")]
    public void ComponentPush_Malformed_IsRejectedWithParseError(string xml)
    {
        Assert.Equal(WeChatCryptoErrorCode.ParseXmlError, CodeOf(() => ComponentPush.Parse(xml)));
    }

    [Fact]
    public void SafeXml_ExternalEntity_IsRejected()
    {
        var xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <xml><AppId>&xxe;</AppId><Encrypt>abc</Encrypt></xml>
            """;
        Assert.Equal(WeChatCryptoErrorCode.ParseXmlError, CodeOf(() => EncryptedEnvelope.ParseComponentPush(xxe)));
    }

    [Fact]
    public void SafeXml_BillionLaughs_IsRejected()
    {
        var bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
             <!ENTITY lol "lol">
             <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
             <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
             <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
             <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            ]>
            <xml><AppId>&lol9;</AppId><Encrypt>abc</Encrypt></xml>
            """;
        var ex = Assert.Throws<WeChatCryptoException>(() => EncryptedEnvelope.ParseComponentPush(bomb));
        Assert.Equal(WeChatCryptoErrorCode.ParseXmlError, ex.Code);
        Assert.Contains("DTD", ex.Message);
    }

    [Fact]
    public void SafeXml_OverSizeCap_IsRejected()
    {
        var big = "<xml><AppId>a</AppId><Encrypt>" + new string('A', 300_000) + "</Encrypt></xml>";
        Assert.Equal(WeChatCryptoErrorCode.ParseXmlError, CodeOf(() => EncryptedEnvelope.ParseComponentPush(big)));
    }

    [Fact]
    public void Envelope_ComponentPushAndAccountMessage_AreToldApart()
    {
        var push = EncryptedEnvelope.Parse("<xml>\n    <AppId><![CDATA[wxbbd3f07e2945cf2a]]></AppId>\n    <Encrypt><![CDATA[abc+/=]]></Encrypt>\n</xml>");
        Assert.Equal(EnvelopeKind.ComponentPush, push.Kind);
        Assert.Equal("wxbbd3f07e2945cf2a", push.Recipient);
        Assert.Equal("abc+/=", push.Encrypt);

        var message = EncryptedEnvelope.ParseAccountMessage("<xml><ToUserName><![CDATA[gh_a96a4a619366]]></ToUserName><Encrypt><![CDATA[xyz]]></Encrypt></xml>");
        Assert.Equal(EnvelopeKind.AccountMessage, message.Kind);
        Assert.Equal("gh_a96a4a619366", message.Recipient);

        Assert.Equal(WeChatCryptoErrorCode.ParseXmlError, CodeOf(() => EncryptedEnvelope.ParseComponentPush("<xml><ToUserName>gh</ToUserName><Encrypt>x</Encrypt></xml>")));
        Assert.Equal(WeChatCryptoErrorCode.ParseXmlError, CodeOf(() => EncryptedEnvelope.Parse("<xml><Encrypt>x</Encrypt></xml>")));
    }

    [Fact]
    public void ReplyXml_Text_EscapesCDataTerminatorAndRoundTrips()
    {
        var xml = ReplyXml.Text("openid1", "gh_3c884a361561", 1411525903, "a]]>b");
        var message = AccountMessage.Parse(xml);
        Assert.Equal("a]]>b", message.Content);
        Assert.Equal("openid1", message.ToUserName);
        Assert.Equal("gh_3c884a361561", message.FromUserName);
        Assert.Equal("text", message.MsgType);
    }

    [Fact]
    public void ReplyXml_Encrypted_DecryptsWithTheSameCredentials()
    {
        var crypto = new MessageCrypto("token", EncodingAesKey.Parse(PublishedVectors.V1.EncodingAesKey), "wxcomponent");
        var plain = ReplyXml.Text("openid1", "gh_1", 1, "TESTCOMPONENT_MSG_TYPE_TEXT_callback");
        var reply = SafeXml.ParseRoot(ReplyXml.Encrypted(crypto, plain, "1700000000", "12345"));

        var decrypted = crypto.VerifyAndDecrypt(reply.Element("MsgSignature")!.Value, reply.Element("TimeStamp")!.Value, reply.Element("Nonce")!.Value, reply.Element("Encrypt")!.Value);
        Assert.Equal(plain, decrypted);
    }
}
