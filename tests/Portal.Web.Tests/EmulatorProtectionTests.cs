using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Testing;
using Portal.WeChat.Emulator.Model;

namespace Portal.Web.Tests;

/// <summary>Hole 3: no emulator in Production unless asked for; its control page and API only for Admin/Ops, with antiforgery.</summary>
public sealed class EmulatorProtectionTests(DefaultPortalFactory factory) : IClassFixture<DefaultPortalFactory>
{
    private sealed class ProductionFactory(IDictionary<string, string?>? settings) : PortalFactory(settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
        }
    }

    [Fact]
    public void Production_WithTheEmulator_RefusesToStartNamingTheSetting()
    {
        using var production = new ProductionFactory(null);
        var ex = Assert.ThrowsAny<Exception>(() => production.CreateClient());
        var message = StartFailure.MessageOf(ex, () => new Portal.Web.Features.WeChat.EmulatorInProductionValidator(
                new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" },
                StartFailure.Configuration(new Dictionary<string, string?>()))
            .Validate(null, new Portal.Web.Features.WeChat.WeChatOptions()).FailureMessage);
        Assert.Contains("WeChat:Mode", message);
        Assert.Contains("WeChat:Emulator:AllowInProduction", message);
    }

    [Fact]
    public async Task Production_WithTheEmulatorExplicitlyAllowed_Starts_AndStillGuardsItsAdmin()
    {
        using var demo = new ProductionFactory(new Dictionary<string, string?> { ["WeChat:Emulator:AllowInProduction"] = "true" });
        var client = demo.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/_emulator/admin/api/state")).StatusCode);
    }

    [Fact]
    public async Task AdminPageAndApi_NeedAdminOrOps()
    {
        var anonymous = factory.NewClient();
        var page = await anonymous.GetAsync("/_emulator/admin");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/login", page.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/_emulator/admin/api/state")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/_emulator/admin/api/tickets/stop", null)).StatusCode);

        var operatorClient = await factory.SignInAsync("operator1");
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.GetAsync("/_emulator/admin/api/state")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsync("/_emulator/admin/api/tickets/stop", null)).StatusCode);

        foreach (var user in new[] { "ops", "admin" })
        {
            var staff = await factory.SignInAsync(user);
            Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync("/_emulator/admin/api/state")).StatusCode);
            Assert.Contains("WeChat emulator", await staff.GetStringAsync("/_emulator/admin"));
        }

        Assert.True(factory.Services.GetRequiredService<EmulatorState>().TicketPushesEnabled);
    }

    [Fact]
    public async Task StateChangingCalls_NeedTheAntiforgeryToken_WhichTheControlPageCarries()
    {
        var state = factory.Services.GetRequiredService<EmulatorState>();
        var ops = await factory.SignInAsync("ops");
        Assert.Equal(HttpStatusCode.BadRequest, (await ops.PostAsync("/_emulator/admin/api/tickets/stop", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await ops.DeleteAsync("/_emulator/admin/api/faults")).StatusCode);
        Assert.True(state.TicketPushesEnabled);

        var html = await ops.GetStringAsync("/_emulator/admin");
        var token = TestClients.AntiforgeryToken(html);
        Assert.False(string.IsNullOrEmpty(token));
        var stop = await ops.PostAsync("/_emulator/admin/api/tickets/stop", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        Assert.False(state.TicketPushesEnabled);

        using var resume = new HttpRequestMessage(HttpMethod.Post, "/_emulator/admin/api/tickets/resume");
        resume.Headers.Add("RequestVerificationToken", token);
        Assert.Equal(HttpStatusCode.OK, (await ops.SendAsync(resume)).StatusCode);
        Assert.True(state.TicketPushesEnabled);
    }

    [Fact]
    public async Task WeChatFacingEmulatorParts_StayOpen()
    {
        var anonymous = factory.NewClient();
        var token = await anonymous.PostAsync("/_emulator/api/cgi-bin/component/api_component_token", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        Assert.Contains("\"errcode\":41002", await token.Content.ReadAsStringAsync());
        var page = await anonymous.GetAsync("/_emulator/mp/cgi-bin/componentloginpage?component_appid=x&pre_auth_code=y&redirect_uri=http%3A%2F%2F127.0.0.1%2F");
        Assert.NotEqual(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.NotEqual(HttpStatusCode.Redirect, page.StatusCode);
    }
}
