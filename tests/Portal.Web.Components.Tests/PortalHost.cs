using Portal.Testing;

namespace Portal.Web.Components.Tests;

/// <summary>
/// One real portal host (emulator mode, seeded demo users and stores, its own SQLite file) behind the component tests:
/// pages render against the real feature services, so tests see what each role would see.
/// </summary>
public sealed class PortalHost : IAsyncLifetime
{
    public PortalFactory Factory { get; } = new(null);

    public IServiceProvider Services => Factory.Services;

    public Task InitializeAsync()
    {
        _ = Factory.Services; // starts the host: migrations and the demo seed
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PortalHostCollection : ICollectionFixture<PortalHost>
{
    public const string Name = "portal host";
}
