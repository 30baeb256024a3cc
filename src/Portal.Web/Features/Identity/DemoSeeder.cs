using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Features.Identity;

/// <summary>Demo data for the offline run: settings under <c>Portal:Demo</c>.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Portal:Demo";

    /// <summary>Seed demo users and shops (never in the Production environment, whatever this says).</summary>
    public bool Seed { get; set; } = true;

    /// <summary>The demo users' password.</summary>
    public string Password { get; set; } = "Portal-demo-2026";
}

/// <summary>
/// The first administrator of a real deployment (<c>Portal:InitialAdmin</c>): created at start-up when both values are
/// set and no active admin exists yet, so a Production install can be signed into and users managed from the UI.
/// </summary>
public sealed class InitialAdminOptions
{
    public const string SectionName = "Portal:InitialAdmin";

    public string? UserName { get; set; }

    /// <summary>Give it as an environment variable and remove it after the first sign-in.</summary>
    public string? Password { get; set; }
}

/// <summary>
/// Seeds the roles always, and — outside Production — demo users for each role and a handful of demo shops,
/// once (an existing user is left alone).
/// </summary>
public sealed class DemoSeeder(IServiceProvider services, IHostEnvironment environment, IOptions<DemoOptions> options, IOptions<InitialAdminOptions> initialAdmin, TimeProvider time) : IHostedService
{
    public static readonly (string UserName, string DisplayName, string Role, int[] Shops)[] Users =
    [
        ("operator1", "张店长", Roles.Operator, [1, 2, 3, 4]),
        ("operator2", "李店长", Roles.Operator, [5, 6, 7, 8]),
        ("admin", "王管理员", Roles.Admin, []),
        ("ops", "赵运维", Roles.Ops, []),
    ];

    public static readonly (string Name, string City)[] Shops =
    [
        ("好味道餐厅·人民广场店", "上海"), ("好味道餐厅·徐家汇店", "上海"), ("晨光咖啡·西湖店", "杭州"), ("晨光咖啡·滨江店", "杭州"),
        ("城东书店", "南京"), ("城东书店·新街口店", "南京"), ("花间花店", "苏州"), ("老街面馆", "成都"),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Instances starting together (one database) seed one after the other: the second finds everything there.
        var leases = services.GetRequiredService<Data.LeaseStore>();
        string? owner;
        while ((owner = await leases.TryAcquireAsync("seed", TimeSpan.FromMinutes(1), cancellationToken)) is null)
        {
            await Task.Delay(200, cancellationToken);
        }

        try
        {
            await SeedAsync(cancellationToken);
        }
        finally
        {
            await leases.ReleaseAsync("seed", owner);
        }
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        using var scope = services.CreateScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        await EnsureInitialAdminAsync(scope.ServiceProvider);
        if (environment.IsProduction() || !options.Value.Seed)
        {
            return;
        }

        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        if (!await db.Shops.AnyAsync(cancellationToken))
        {
            foreach (var (name, city) in Shops)
            {
                db.Shops.Add(new Shop { Name = name, City = city, CreatedAt = time.GetUtcNow(), Binding = new Binding { State = BindingState.Unbound, UpdatedAt = time.GetUtcNow() } });
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        foreach (var (userName, displayName, role, shops) in Users)
        {
            if (await users.FindByNameAsync(userName) is not null)
            {
                continue;
            }

            var user = new PortalUser { UserName = userName, DisplayName = displayName };
            var created = await users.CreateAsync(user, options.Value.Password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException("Portal:Demo:Password is not accepted: " + string.Join("; ", created.Errors.Select(e => e.Description)));
            }

            await users.AddToRoleAsync(user, role);
            var shopIds = await db.Shops.OrderBy(s => s.Id).Select(s => s.Id).ToListAsync(cancellationToken);
            foreach (var index in shops.Where(i => i <= shopIds.Count))
            {
                db.OperatorShops.Add(new OperatorShop { UserId = user.Id, ShopId = shopIds[index - 1] });
            }

            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private async Task EnsureInitialAdminAsync(IServiceProvider provider)
    {
        var (name, password) = (initialAdmin.Value.UserName, initialAdmin.Value.Password);
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrEmpty(password))
        {
            return;
        }

        var users = provider.GetRequiredService<UserManager<PortalUser>>();
        if ((await users.GetUsersInRoleAsync(Roles.Admin)).Any(u => !u.IsDisabled))
        {
            return;
        }

        var user = await users.FindByNameAsync(name);
        if (user is null)
        {
            user = new PortalUser { UserName = name, DisplayName = name, LockoutEnabled = true };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException("Portal:InitialAdmin:Password is not accepted: " + string.Join("; ", created.Errors.Select(e => e.Description)));
            }
        }

        user.IsDisabled = false;
        await users.UpdateAsync(user);
        await users.AddToRoleAsync(user, Roles.Admin);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
