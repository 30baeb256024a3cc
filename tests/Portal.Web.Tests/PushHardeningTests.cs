using System.Globalization;
using System.Net;
using System.Text;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.WeChat.Protocol.Crypto;
using Portal.Web.Features.Data;
using Portal.Web.Features.Pushes;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Tests;

/// <summary>Holes 4 and 5: the replay key ignores signature case; outside input never causes a 5xx; authentic but unreadable pushes are kept as poison items.</summary>
public sealed class PushHardeningTests(DefaultPortalFactory factory) : IClassFixture<DefaultPortalFactory>
{
    private WeChatOptions Options => factory.Services.GetRequiredService<IOptions<WeChatOptions>>().Value;

    private MessageCrypto Crypto => new(Options.Token, EncodingAesKey.Parse(Options.EncodingAesKey), Options.ComponentAppId);

    private static string Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private string TicketXml(string ticket, string createTime)
        => $"<xml><AppId><![CDATA[{Options.ComponentAppId}]]></AppId><CreateTime>{createTime}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>";

    private (string Query, string Body, string MsgSignature) Sign(string plainXml, string envelopeElement, string envelopeValue, string? timestamp = null)
    {
        timestamp ??= Now;
        var nonce = MessageCrypto.NewNonce();
        var encrypted = Crypto.Encrypt(plainXml, timestamp, nonce);
        var query = $"signature={Crypto.ComputeUrlSignature(timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}&encrypt_type=aes&msg_signature={encrypted.MsgSignature}";
        return (query, $"<xml><{envelopeElement}><![CDATA[{envelopeValue}]]></{envelopeElement}><Encrypt><![CDATA[{encrypted.Encrypt}]]></Encrypt></xml>", encrypted.MsgSignature);
    }

    private async Task<HttpStatusCode> PostAsync(string path, string query, string body)
        => (await factory.CreateClient().PostAsync($"{path}?{query}", new StringContent(body, Encoding.UTF8, "text/xml"))).StatusCode;

    private async Task<(HttpStatusCode, string)> PostReadAsync(string path, string query, string body)
    {
        var response = await factory.CreateClient().PostAsync($"{path}?{query}", new StringContent(body, Encoding.UTF8, "text/xml"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<PortalDbContext> DbAsync() => await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    private async Task<(string AppId, string UserName)> KnownAccountAsync()
    {
        var suffix = Random.Shared.Next(0, 1 << 24).ToString("x6", CultureInfo.InvariantCulture);
        await using var db = await DbAsync();
        db.Authorizers.Add(new Authorizer { AppId = "wxbbbbbbbbbb" + suffix, UserName = "gh_poison" + suffix, NickName = "P" + suffix, Kind = AuthorizerKind.OfficialAccount, IsAuthorized = true });
        await db.SaveChangesAsync();
        return ("wxbbbbbbbbbb" + suffix, "gh_poison" + suffix);
    }

    [Fact]
    public async Task SamePushWithAnUpperCasedSignature_IsAReplay_OnBothUrls()
    {
        var (query, body, signature) = Sign(TicketXml("ticket@@@case", "1"), "AppId", Options.ComponentAppId);
        Assert.Equal(HttpStatusCode.OK, await PostAsync("/wechat/component/events", query, body));
        var upper = query.Replace(signature, signature.ToUpperInvariant(), StringComparison.Ordinal);
        Assert.NotEqual(query, upper);
        Assert.Equal(HttpStatusCode.Conflict, await PostAsync("/wechat/component/events", upper, body));

        var (appId, user) = await KnownAccountAsync();
        var message = $"<xml><ToUserName><![CDATA[{user}]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>{Now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>77</MsgId></xml>";
        var m = Sign(message, "ToUserName", user);
        Assert.Equal(HttpStatusCode.OK, await PostAsync($"/wechat/accounts/{appId}/events", m.Query, m.Body));
        Assert.Equal(HttpStatusCode.Conflict, await PostAsync($"/wechat/accounts/{appId}/events", m.Query.Replace(m.MsgSignature, m.MsgSignature.ToUpperInvariant(), StringComparison.Ordinal), m.Body));
    }

    [Theory]
    [InlineData("99999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("99999999999999999999999")]
    [InlineData("-1")]
    [InlineData("1e9")]
    public async Task AbsurdTimestamp_Is400_OnBothUrls(string timestamp)
    {
        var (query, body, _) = Sign(TicketXml("ticket@@@ts", "1"), "AppId", Options.ComponentAppId, timestamp);
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync("/wechat/component/events", query, body));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync("/wechat/accounts/wx1234567890abcdef/events", query, body));
    }

    [Theory]
    [InlineData("/%5Cevil.com")]
    [InlineData("//evil.com")]
    [InlineData("/%5C%5Cevil.com")]
    [InlineData("https://evil.com")]
    [InlineData("/%09/evil.com")]
    public async Task CultureSwitch_WithAForeignReturnUrl_RedirectsHome(string returnUrl)
    {
        var response = await factory.NewClient().GetAsync("/culture/en?returnUrl=" + returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task CultureSwitch_WithALocalReturnUrl_GoesBack()
    {
        var response = await factory.NewClient().GetAsync("/culture/en?returnUrl=%2Fstores%3Fx%3D1");
        Assert.Equal("/stores?x=1", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task AuthenticPushes_ThePortalCannotUnderstand_AreKeptAsPoison_AnsweredSuccess_AndShownToOps()
    {
        var protector = factory.Services.GetRequiredService<TokenProtector>();
        var cases = new[]
        {
            TicketXml("ticket@@@poison-time", "99999999999999"),
            $"<xml><AppId><![CDATA[{Options.ComponentAppId}]]></AppId><Nothing/></xml>",
            "<xml><AppId>not closed",
        };
        foreach (var xml in cases)
        {
            var (query, body, _) = Sign(xml, "AppId", Options.ComponentAppId);
            Assert.Equal((HttpStatusCode.OK, "success"), await PostReadAsync("/wechat/component/events", query, body));
        }

        var (appId, user) = await KnownAccountAsync();
        var messageXml = $"<xml><ToUserName><![CDATA[{user}]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>99999999999999</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[poison]]></Content><MsgId>78</MsgId></xml>";
        var m = Sign(messageXml, "ToUserName", user);
        Assert.Equal((HttpStatusCode.OK, "success"), await PostReadAsync($"/wechat/accounts/{appId}/events", m.Query, m.Body));

        await using (var db = await DbAsync())
        {
            var poison = await db.Inbox.Where(i => i.Status == InboxStatus.Poison).ToListAsync();
            foreach (var xml in cases.Append(messageXml))
            {
                var item = Assert.Single(poison, p => protector.Unprotect(p.PayloadProtected) == xml);
                Assert.DoesNotContain("poison", item.PayloadProtected);
            }

            Assert.Equal(appId, poison.Single(p => protector.Unprotect(p.PayloadProtected) == messageXml).AuthorizerAppId);
            Assert.False(await db.AccountMessages.AnyAsync(a => a.AuthorizerAppId == appId));
        }

        // The processor never picks them up.
        var processor = factory.Services.GetRequiredService<InboxProcessor>();
        while (await processor.ProcessNextAsync(CancellationToken.None))
        {
        }

        await using (var db = await DbAsync())
        {
            Assert.Equal(4, await db.Inbox.CountAsync(i => i.Status == InboxStatus.Poison));
        }

        var ops = await factory.SignInAsync("ops");
        var page = new HtmlParser().ParseDocument(await ops.GetStringAsync("/operations/pushes"));
        Assert.Equal("无法识别的推送", page.QuerySelector("h1")!.TextContent.Trim());
        var rows = page.QuerySelectorAll("[data-count] tbody tr");
        Assert.Equal(4, rows.Length);
        Assert.Contains(rows, r => r.QuerySelector("[data-reason]")?.GetAttribute("data-reason") == "CreateTime" && r.TextContent.Contains(appId, StringComparison.Ordinal));
        Assert.Contains(rows, r => r.QuerySelector("[data-reason]")?.GetAttribute("data-reason") == "Malformed");
        Assert.DoesNotContain("ticket@@@", page.DocumentElement.OuterHtml);

        await ops.GetAsync("/culture/en?returnUrl=/");
        var english = new HtmlParser().ParseDocument(await ops.GetStringAsync("/operations/pushes"));
        Assert.Equal("Pushes that could not be understood", english.QuerySelector("h1")!.TextContent.Trim());

        var operatorClient = await factory.SignInAsync("operator1");
        var refused = await operatorClient.GetAsync("/operations/pushes");
        Assert.True(refused.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Forbidden);
        if (refused.StatusCode == HttpStatusCode.Redirect)
        {
            Assert.StartsWith("/account/denied", refused.Headers.Location!.PathAndQuery);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await factory.NewClient().GetAsync("/operations/pushes")).StatusCode);
    }

    [Fact]
    public async Task AForgedPushThatWouldBePoison_IsRefusedAndNotStored()
    {
        await using var before = await DbAsync();
        var count = await before.Inbox.CountAsync();
        var (query, body, _) = Sign("<xml><Nothing/></xml>", "AppId", Options.ComponentAppId);
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync("/wechat/component/events", query.Replace("msg_signature=", "msg_signature=f", StringComparison.Ordinal), body));
        await using var after = await DbAsync();
        Assert.Equal(count, await after.Inbox.CountAsync());
    }
}
