using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Testing;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Data;

namespace Portal.Web.Tests;

/// <summary>Hole 10 (parts): private data files, a CSV guard that neutralises formulas only, a deterministic store per authorizer.</summary>
public sealed class DataHardeningTests(DefaultPortalFactory factory) : IClassFixture<DefaultPortalFactory>
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Theory]
    [InlineData("-1", "-1")]
    [InlineData("+1", "+1")]
    [InlineData("-12.5", "-12.5")]
    [InlineData("1e5", "1e5")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("@SUM(A1:A2)", "'@SUM(A1:A2)")]
    [InlineData("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0")]
    [InlineData("+HYPERLINK(\"http://x\")", "\"'+HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("-", "'-")]
    [InlineData("\tx", "'\tx")]
    [InlineData("晨光咖啡", "晨光咖啡")]
    [InlineData("a,b", "\"a,b\"")]
    public void CsvCell_NeutralisesFormulas_NotNumbers(string value, string expected)
        => Assert.Equal(expected, AuthorizerDirectory.Cell(value));

    [Fact]
    public async Task AnAuthorizerWithTwoBindings_ShowsItsLiveNewestStore_InTheListAndTheDetail()
    {
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var suffix = Random.Shared.Next(0, 1 << 24).ToString("x6", CultureInfo.InvariantCulture);
        var appId = "wxcccccccccc" + suffix;
        var now = DateTimeOffset.UtcNow;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var authorizer = new Authorizer { AppId = appId, UserName = "gh_two" + suffix, NickName = "Two " + suffix, IsAuthorized = true };
            // Inserted so that an unordered query meets the stale rows first: a newer revoked row and an older live one.
            var old = new Shop { Name = "旧门店" + suffix, CreatedAt = now };
            var live = new Shop { Name = "现门店" + suffix, CreatedAt = now };
            var stale = new Shop { Name = "更早门店" + suffix, CreatedAt = now };
            db.AddRange(authorizer, old, live, stale);
            await db.SaveChangesAsync();
            db.Bindings.Add(new Binding { ShopId = old.Id, AuthorizerId = authorizer.Id, State = BindingState.Revoked, UpdatedAt = now.AddMinutes(5) });
            db.Bindings.Add(new Binding { ShopId = stale.Id, AuthorizerId = authorizer.Id, State = BindingState.Active, UpdatedAt = now.AddDays(-3) });
            db.Bindings.Add(new Binding { ShopId = live.Id, AuthorizerId = authorizer.Id, State = BindingState.PermissionsMissing, UpdatedAt = now });
            await db.SaveChangesAsync();
        }

        var directory = factory.Services.GetRequiredService<AuthorizerDirectory>();
        var row = (await directory.PageAsync(new AuthorizerFilter(Search: appId), AuthorizerSort.Id, false, 0, 10, CancellationToken.None)).Rows.Single();
        Assert.Equal(("现门店" + suffix, BindingState.PermissionsMissing), (row.ShopName, row.State));
        var detail = await directory.DetailAsync(appId, CancellationToken.None);
        Assert.Equal("现门店" + suffix, detail!.ShopName);
        Assert.Equal(BindingState.PermissionsMissing, detail.Binding!.State);
    }

    [Fact]
    public async Task DataFilesAndFolders_AreReadableByThePortalsUserOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A file left world-readable by an older version is tightened at start.
        var directory = Path.Combine(Path.GetTempPath(), "portal-tests", "perm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var legacy = Path.Combine(directory, "legacy.txt");
        await File.WriteAllTextAsync(legacy, "x");
        File.SetUnixFileMode(legacy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));

        using (var own = new PortalFactory(null, dataDirectory: directory))
        {
            own.Services.GetRequiredService<TokenProtector>().Protect("make a key");
            await own.WaitForAsync(async db => await db.Shops.AnyAsync() ? "seeded" : null);

            var entries = new DirectoryInfo(directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Append(new DirectoryInfo(directory)).ToList();
            Assert.Contains(entries, e => e.Name == "portal.db");
            Assert.Contains(entries, e => e.Name == "keys");
            Assert.Contains(entries, e => e.FullName.Contains("/keys/", StringComparison.Ordinal) && e.Name.EndsWith(".xml", StringComparison.Ordinal));
            foreach (var entry in entries)
            {
                var mode = File.GetUnixFileMode(entry.FullName);
                Assert.True((mode & GroupOrOther) == 0, $"{entry.FullName} is {Convert.ToString((int)mode, 8)}");
            }
        }

        Directory.Delete(directory, recursive: true);
    }
}
