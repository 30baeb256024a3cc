using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Testing;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Audit;

namespace Portal.E2E.Tests;

/// <summary>A right taken away ends on a page that is already open: at the next privileged action and at the next revalidation.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StaleCircuitTests(BrowserFixture browser) : IAsyncLifetime
{
    private PortalFactory _portal = default!;
    private IBrowserContext _context = default!;

    /// <summary>Revalidation far away: only the service's own check can refuse.</summary>
    private const string Slow = "00:10:00";

    private const string Fast = "00:00:02";

    public async Task InitializeAsync()
        => _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });

    public async Task DisposeAsync()
    {
        await _context.CloseAsync();
        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }
    }

    private async Task<PortalPage> OpenKeysAsOpsAsync(string revalidationInterval)
    {
        _portal = new PortalFactory(new Dictionary<string, string?> { ["Portal:SessionRevalidationInterval"] = revalidationInterval }, kestrel: true);
        _portal.StartServer();
        await _portal.WaitForTicketAsync();
        var portal = new PortalPage(await _context.NewPageAsync(), _portal.BaseUrl);
        await new OnboardingPages(portal).SignInAsync("ops");
        await portal.OpenAsync("/operations");
        await portal.Page.GetByRole(AriaRole.Tab, new() { Name = "API 密钥" }).ClickAsync();
        return portal;
    }

    [Fact]
    public async Task OpsUserDisabledWhileTheConsoleIsOpen_CannotCreateAnApiKeyFromIt()
    {
        var portal = await OpenKeysAsOpsAsync(Slow);
        var panel = portal.Page.Locator("[data-panel='api-keys']");
        await panel.Locator("input[name=key-name]").FillAsync("billing");
        await panel.Locator("input[name=key-component]").CheckAsync();

        await DisableAsync("ops");
        await panel.Locator(".portal-create-key").ClickAsync();

        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("没有执行此操作的权限");
        await Assertions.Expect(panel.Locator(".portal-key-secret")).ToHaveCountAsync(0);
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.False(await db.ApiKeys.AnyAsync());
    }

    [Fact]
    public async Task OpsUserDisabledWhileTheConsoleIsOpen_LosesThePageAtTheNextRevalidation()
    {
        var portal = await OpenKeysAsOpsAsync(Fast);
        await DisableAsync("ops");
        await portal.Page.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal), new() { Timeout = 20_000 });
    }

    private async Task DisableAsync(string userName)
    {
        using var scope = _portal.Services.CreateScope();
        var factory = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.IUserClaimsPrincipalFactory<Portal.Data.Entities.PortalUser>>();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Portal.Data.Entities.PortalUser>>();
        var admin = Actor.From(await factory.CreateAsync((await users.FindByNameAsync("admin"))!), "127.0.0.1");
        var target = (await users.FindByNameAsync(userName))!;
        await _portal.Services.GetRequiredService<UserAdminService>().SetDisabledAsync(admin, target.Id, true, CancellationToken.None);
    }
}
