using System.Net;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Testing;
using Portal.WeChat.Client;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Tests;

public class HostTests : IClassFixture<DefaultPortalFactory>
{
    private readonly PortalFactory _factory;

    public HostTests(DefaultPortalFactory factory) => _factory = factory;

    [Fact]
    public async Task Home_RendersProductLayoutWithNavigation()
    {
        var html = await _factory.CreateClient().GetStringAsync("/");
        var document = new HtmlParser().ParseDocument(html);

        Assert.Equal("商户授权门户", document.QuerySelector("h1")!.TextContent.Trim());
        var nav = document.QuerySelectorAll("nav[data-nav] a[data-nav-link]").Select(a => (a.GetAttribute("href"), a.TextContent.Trim())).ToList();
        // Signed out: only what an operator could open; admin and ops entries appear by role (AdminTests).
        Assert.Equal(new (string?, string)[] { ("", "首页"), ("stores", "门店") }, nav);
        // The stock .NET 10 script (fingerprinted by MapStaticAssets) and the reconnection dialog.
        Assert.Matches(@"^_framework/blazor\.web\.[a-z0-9]+\.js$", document.QuerySelector("script[src^='_framework/blazor.web']")!.GetAttribute("src"));
        Assert.NotNull(document.QuerySelector("dialog#components-reconnect-modal"));
        Assert.Equal("zh-CN", document.DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task Healthz_Answers200()
    {
        var response = await _factory.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RootWwwroot_IsServed()
    {
        var css = await _factory.CreateClient().GetStringAsync("/css/app.css");
        Assert.Contains(".portal-appbar", css);
        var mud = await _factory.CreateClient().GetAsync("/_content/MudBlazor/MudBlazor.min.js");
        Assert.Equal(HttpStatusCode.OK, mud.StatusCode);
    }

    [Fact]
    public void RootAppSettings_IsRead()
    {
        var configuration = _factory.Services.GetRequiredService<IConfiguration>();
        Assert.Equal("http://127.0.0.1:5080", configuration["Urls"]);
        Assert.Equal("https://api.weixin.qq.com", configuration["WeChat:ApiBaseUrl"]);
    }

    [Fact]
    public async Task BlazorScript_IsTheStockNet10Asset()
    {
        var response = await _factory.CreateClient().GetAsync("/_framework/blazor.web.js");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        // .NET 10's script knows the reconnection events ReconnectModal listens to; 9.0's did not.
        Assert.Contains("components-reconnect-state-changed", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void EmulatorMode_GeneratesUncommittedCredentialsAndPointsEveryBaseUrlAtTheEmulator()
    {
        var wechat = _factory.Services.GetRequiredService<IOptions<WeChatOptions>>().Value;
        Assert.Equal(WeChatMode.Emulator, wechat.Mode);
        Assert.Equal(_factory.BaseUrl + "/_emulator/api", wechat.ApiBaseUrl);
        Assert.Equal(_factory.BaseUrl + "/_emulator/mp", wechat.AuthPageBaseUrl);
        Assert.Equal(_factory.BaseUrl + "/_emulator/open", wechat.MobileAuthBaseUrl);
        Assert.Equal(32, wechat.ComponentAppSecret.Length);
        Assert.Equal(43, wechat.EncodingAesKey.Length);
        Assert.DoesNotContain(wechat.ComponentAppSecret, File.ReadAllText(Path.Combine(RepoPaths.Root, "appsettings.json")));
        Assert.DoesNotContain(wechat.ComponentAppSecret, wechat.ToString());

        var client = _factory.Services.GetRequiredService<IOptions<WeChatClientOptions>>().Value;
        Assert.Equal(wechat.ApiBaseUrl, client.ApiBaseUrl);
        Assert.Equal(wechat.ComponentAppSecret, client.ComponentAppSecret);
    }

    [Fact]
    public async Task CultureSwitch_RemembersEnglishAndRefusesOpenRedirects()
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.GetAsync("/culture/en?returnUrl=%2F%2Fevil.example.com");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Culture", StringComparison.Ordinal));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        var html = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
        var document = new HtmlParser().ParseDocument(html);
        Assert.Equal("en", document.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Merchant Onboarding Portal", document.QuerySelector("h1")!.TextContent.Trim());
    }

    [Fact]
    public async Task EmulatorMode_MountsTheEmulatorUnderItsPrefix()
    {
        var client = _factory.CreateClient();
        var admin = await (await _factory.SignInAsync("ops")).GetStringAsync("/_emulator/admin");
        Assert.Contains("WeChat emulator", admin);
        Assert.Contains(_factory.BaseUrl + "/wechat/component/events", admin);

        var token = await client.PostAsync("/_emulator/api/cgi-bin/component/api_component_token", new StringContent("{}"));
        Assert.Contains("\"errcode\":41002", await token.Content.ReadAsStringAsync());
    }
}
