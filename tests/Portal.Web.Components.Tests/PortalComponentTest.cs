using System.Globalization;
using System.Security.Claims;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Testing;
using Portal.Web.Features.Localization;

namespace Portal.Web.Components.Tests;

/// <summary>
/// A bUnit context for the portal's components: MudBlazor's services and providers, the portal's localization, the
/// real feature services of <see cref="PortalHost"/>, and a signed-in user with the claims the real sign-in gives.
/// </summary>
[Collection(PortalHostCollection.Name)]
public abstract class PortalComponentTest : BunitContext, IAsyncLifetime
{
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

    protected PortalComponentTest(PortalHost host)
    {
        Host = host;
        UseCulture("zh-CN");
        JSInterop.Mode = JSRuntimeMode.Loose;
        // Pages read through the real services and database: give them more than bUnit's default second.
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        Services.AddMudServices();
        Services.AddLocalization();
        Services.AddTransient<MudLocalizer, PortalMudLocalizer>();
        Services.AddFallbackServiceProvider(host.Services);
        // bUnit's container has its own options infrastructure (AddLocalization brings it): read the host's settings.
        Services.AddSingleton(host);
        Services.AddSingleton(typeof(Microsoft.Extensions.Options.IOptions<>), typeof(HostOptions<>));
        Services.AddSingleton(typeof(Microsoft.Extensions.Options.IOptionsMonitor<>), typeof(HostOptionsMonitor<>));
        Auth = AddAuthorization();
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected PortalHost Host { get; }

    protected BunitAuthorizationContext Auth { get; }

    /// <summary>The snackbar host rendered by <see cref="RenderProviders"/>.</summary>
    protected IRenderedComponent<MudSnackbarProvider>? Snackbars { get; private set; }

    /// <summary>Signs in a seeded user ("operator1", "admin", "ops") with the claims the portal's sign-in gives.</summary>
    protected async Task<ClaimsPrincipal> SignInAsync(string userName)
    {
        var principal = await Host.Factory.PrincipalAsync(userName);
        Auth.SetAuthorized(userName);
        Auth.SetRoles([.. principal.FindAll(ClaimTypes.Role).Select(c => c.Value)]);
        Auth.SetClaims([.. principal.Claims.Where(c => c.Type != ClaimTypes.Name && c.Type != ClaimTypes.Role)]);
        return principal;
    }

    protected static void UseCulture(string name)
    {
        var culture = CultureInfo.GetCultureInfo(name);
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
    }

    /// <summary>Renders MudBlazor's popover and dialog hosts, which selects, menus and dialogs need.</summary>
    protected IRenderedComponent<MudDialogProvider> RenderProviders()
    {
        Render<MudPopoverProvider>();
        Snackbars = Render<MudSnackbarProvider>();
        return Render<MudDialogProvider>();
    }

    /// <summary>Renders a component under the cascading values the app's router supplies.</summary>
    protected IRenderedComponent<TComponent> RenderPage<TComponent>(Action<ComponentParameterCollectionBuilder<TComponent>>? parameters = null, string? userAgent = null)
        where TComponent : IComponent
        => Render<TComponent>(p =>
        {
            p.AddCascadingValue("ClientIp", "127.0.0.1");
            p.AddCascadingValue("UserAgent", userAgent ?? "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0");
            parameters?.Invoke(p);
        });

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        CultureInfo.CurrentCulture = _culture;
        CultureInfo.CurrentUICulture = _uiCulture;
        await base.DisposeAsync();
    }
}

/// <summary>The host's configured options, for components rendered in bUnit's own container.</summary>
public sealed class HostOptions<T>(PortalHost host) : Microsoft.Extensions.Options.IOptions<T>
    where T : class
{
    public T Value => host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<T>>().Value;
}

/// <summary>The host's options monitors, for components rendered in bUnit's own container.</summary>
public sealed class HostOptionsMonitor<T>(PortalHost host) : Microsoft.Extensions.Options.IOptionsMonitor<T>
    where T : class
{
    private Microsoft.Extensions.Options.IOptionsMonitor<T> Inner => host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<T>>();

    public T CurrentValue => Inner.CurrentValue;

    public T Get(string? name) => Inner.Get(name);

    public IDisposable? OnChange(Action<T, string?> listener) => Inner.OnChange(listener);
}
