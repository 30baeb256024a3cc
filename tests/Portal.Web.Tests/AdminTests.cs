using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Entities;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Component;
using Portal.Web.Features.Identity;

namespace Portal.Web.Tests;

/// <summary>Authorizer pages, CSV export and user management, with their authorization.</summary>
public sealed class AdminTests(DefaultOnboardingHarness h) : IClassFixture<DefaultOnboardingHarness>
{
    private static readonly string[] AdminPages = ["/authorizers", "/authorizers/matrix", "/settings", "/operations/readiness", "/admin/users"];

    private async Task<string> BoundAccountAsync()
    {
        var invite = await h.InviteAsync("晨光咖啡·滨江店");
        var redirect = await h.AuthorizeAsync(invite, "wx1a2b3c4d5e6f7002");
        var (status, _) = await h.CallbackAsync(redirect);
        Assert.Equal(HttpStatusCode.OK, status);
        return "wx1a2b3c4d5e6f7002";
    }

    [Fact]
    public async Task AdminPages_RenderForAnAdmin_AndAreRefusedToAnOperator()
    {
        var appId = await BoundAccountAsync();
        using var admin = await h.SignedInClientAsync("admin");
        foreach (var path in AdminPages.Append($"/authorizers/{appId}"))
        {
            var response = await admin.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        }

        var home = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await admin.GetStringAsync("/"));
        Assert.Equal(["", "stores", "authorizers", "authorizers/matrix", "operations", "operations/pushes", "operations/readiness", "settings", "admin/users"],
            home.QuerySelectorAll("nav[data-nav] a[data-nav-link]").Select(a => a.GetAttribute("href")!).ToArray());
        Assert.Equal("staff", home.QuerySelector("[data-dashboard]")!.GetAttribute("data-dashboard"));

        var detail = WebUtility.HtmlDecode(await admin.GetStringAsync($"/authorizers/{appId}"));
        Assert.Contains("晨光咖啡", detail);
        Assert.Contains("消息管理权限", detail);     // set 1, Chinese name
        Assert.Contains("Message management", detail); // and English name
        Assert.Contains("晨光咖啡·滨江店", detail);   // bound shop
        var settings = WebUtility.HtmlDecode(await admin.GetStringAsync("/settings"));
        Assert.Contains("Onboarding:RequiredPermissionSets:OfficialAccount", settings);
        Assert.Contains("Onboarding:RequiredPermissionSets:MiniProgram", settings);

        using var operator1 = await h.SignedInClientAsync("operator1");
        var operatorHome = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await operator1.GetStringAsync("/"));
        Assert.Equal(["", "stores"], operatorHome.QuerySelectorAll("nav[data-nav] a[data-nav-link]").Select(a => a.GetAttribute("href")!).ToArray());
        Assert.Equal("operator", operatorHome.QuerySelector("[data-dashboard]")!.GetAttribute("data-dashboard"));
        Assert.Equal("4", operatorHome.QuerySelector("[data-metric='shops'] [data-value]")!.TextContent.Trim()); // operator1's four stores
        var needsAction = operatorHome.QuerySelectorAll("[data-needs-action] [data-shop]").Select(li => li.TextContent).ToList();
        Assert.Contains(needsAction, t => t.Contains("好味道餐厅·人民广场店", StringComparison.Ordinal)); // own, unbound
        Assert.DoesNotContain(needsAction, t => t.Contains("城东书店", StringComparison.Ordinal));        // operator2's
        Assert.DoesNotContain(needsAction, t => t.Contains("晨光咖啡·滨江店", StringComparison.Ordinal)); // bound, nothing to do
        foreach (var path in AdminPages.Append($"/authorizers/{appId}").Append("/admin/authorizers.csv"))
        {
            var response = await operator1.GetAsync(path);
            Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Forbidden, $"{path}: {response.StatusCode}");
            Assert.DoesNotContain("晨光咖啡", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
            if (response.StatusCode == HttpStatusCode.Redirect)
            {
                Assert.Contains("/account/denied", response.Headers.Location!.ToString());
            }
        }

        // Ops may look at authorizers and readiness, but not manage users.
        using var ops = await h.SignedInClientAsync("ops");
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/operations/readiness")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await ops.GetAsync("/admin/users")).StatusCode);
    }

    [Fact]
    public async Task CsvExport_ContainsExactlyTheFilteredView_QuotedAndSafeForSpreadsheets()
    {
        await using (var db = await h.DbAsync())
        {
            db.Authorizers.Add(new Authorizer { AppId = "wxcsv0000000000001", NickName = "=HYPERLINK(\"x\")CSVTEST", Kind = AuthorizerKind.OfficialAccount, PrincipalName = "甲公司, 上海", IsAuthorized = true, Permissions = [new() { SetId = 1 }, new() { SetId = 2 }] });
            db.Authorizers.Add(new Authorizer { AppId = "wxcsv0000000000002", NickName = "CSVTEST 完整小程序", Kind = AuthorizerKind.MiniProgram, IsAuthorized = true, Permissions = [new() { SetId = 17 }, new() { SetId = 18 }, new() { SetId = 19 }, new() { SetId = 20 }, new() { SetId = 25 }, new() { SetId = 30 }, new() { SetId = 31 }, new() { SetId = 32 }, new() { SetId = 34 }, new() { SetId = 35 }, new() { SetId = 36 }, new() { SetId = 37 }, new() { SetId = 40 }, new() { SetId = 41 }, new() { SetId = 45 }, new() { SetId = 48 }, new() { SetId = 49 }, new() { SetId = 51 }, new() { SetId = 52 }, new() { SetId = 57 }, new() { SetId = 65 }, new() { SetId = 67 }, new() { SetId = 70 }, new() { SetId = 71 }, new() { SetId = 73 }] });
            db.Authorizers.Add(new Authorizer { AppId = "wxcsv0000000000003", NickName = "CSVTEST banned", Kind = AuthorizerKind.OfficialAccount, AccountStatus = 16, IsAuthorized = true });
            await db.SaveChangesAsync();
        }

        var required = h.Portal.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Portal.Web.Features.Onboarding.OnboardingOptions>>().Value.RequiredPermissionSets;
        using var admin = await h.SignedInClientAsync("admin");
        var response = await admin.GetAsync("/admin/authorizers.csv?search=CSVTEST&kind=OfficialAccount&missing=true");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/csv", response.Content.Headers.ContentType!.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length > 1
            ? Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            : Encoding.UTF8.GetString(bytes[3..]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length); // header + the two official accounts (both miss required sets); the mini program is filtered out
        Assert.StartsWith("AppID,名称,类型,主体", lines[0]);
        var first = lines.Single(l => l.StartsWith("wxcsv0000000000001", StringComparison.Ordinal));
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")CSVTEST\"", first);   // formula neutralised and quoted
        Assert.Contains("\"甲公司, 上海\"", first);
        Assert.Contains(",公众号,", first);                               // values in the reader's language, not enum names
        Assert.Contains(",1 2,", first);                                  // granted sets
        Assert.EndsWith(string.Join(' ', required.OfficialAccount.Except([1, 2]).Order()), first); // missing required sets
        var banned = lines.Single(l => l.StartsWith("wxcsv0000000000003", StringComparison.Ordinal));
        Assert.Contains(",16,", banned);

        // The status filter narrows further; English headers follow the UI language.
        admin.DefaultRequestHeaders.Add("Cookie", ".AspNetCore.Culture=c%3Den%7Cuic%3Den");
        var english = await admin.GetStringAsync("/admin/authorizers.csv?search=CSVTEST&status=16");
        var englishLines = english.TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, englishLines.Length);
        Assert.StartsWith("AppID,Name,Kind,Principal", englishLines[0]);
        Assert.Contains(",Official account,", englishLines[1]);
        Assert.StartsWith("wxcsv0000000000003", englishLines[1]);
    }

    [Fact]
    public async Task CsvExport_OfMoreRowsThanOneBatch_HasEveryRowOnce()
    {
        await using (var db = await h.DbAsync())
        {
            db.Authorizers.AddRange(Enumerable.Range(0, 1001).Select(i => new Authorizer { AppId = $"wxbulk{i:D12}", NickName = "CSVBULK " + i, Kind = AuthorizerKind.OfficialAccount, IsAuthorized = true }));
            await db.SaveChangesAsync();
        }

        using var admin = await h.SignedInClientAsync("admin");
        var lines = (await admin.GetStringAsync("/admin/authorizers.csv?search=CSVBULK")).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1002, lines.Length);
        Assert.Equal(1001, lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().Count());
    }

    [Fact]
    public async Task UserManagement_IsForAdminsOnly_Audited_AndDisablingEndsSignIn()
    {
        using var scope = h.Portal.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdminService>();
        var admin = await h.ActorAsync("admin");
        var ops = await h.ActorAsync("ops");
        var shop = await h.ShopIdAsync("城东书店");
        var input = new UserInput("operator9", "九号运营", "Portal-new-2026", [Roles.Operator], [shop]);

        var refused = await Assert.ThrowsAsync<PortalException>(() => users.CreateAsync(ops, input, CancellationToken.None));
        Assert.Equal("forbidden", refused.Code);
        var operator1 = await h.ActorAsync("operator1");
        await Assert.ThrowsAsync<PortalException>(() => users.ListAsync(operator1, CancellationToken.None));

        var id = await users.CreateAsync(admin, input, CancellationToken.None);
        var listed = (await users.ListAsync(admin, CancellationToken.None)).Single(u => u.Id == id);
        Assert.Equal([Roles.Operator], listed.Roles);
        Assert.Equal([shop], listed.ShopIds);

        using (var signedIn = await h.SignedInClientAsync("operator9", "Portal-new-2026"))
        {
            Assert.Contains("城东书店", WebUtility.HtmlDecode(await signedIn.GetStringAsync($"/stores/{shop}")));
        }

        var duplicate = await Assert.ThrowsAsync<PortalException>(() => users.CreateAsync(admin, input, CancellationToken.None));
        Assert.Equal((FailureCode.UserInvalid, "DuplicateUserName"), (duplicate.Failure, Assert.Single(duplicate.Arguments)));
        Assert.Contains("用户名已被使用", Words.In("zh-CN", t => Portal.Web.Features.Localization.ErrorText.Failure(t, duplicate)));
        var weak = await Assert.ThrowsAsync<PortalException>(() => users.CreateAsync(admin, input with { UserName = "operator10", Password = "short" }, CancellationToken.None));
        Assert.Contains("PasswordTooShort", weak.Arguments);
        Assert.Contains("密码至少 10 个字符", Words.In("zh-CN", t => Portal.Web.Features.Localization.ErrorText.Failure(t, weak)));
        Assert.Contains("at least 10 characters", Words.In("en", t => Portal.Web.Features.Localization.ErrorText.Failure(t, weak)));

        await users.SetDisabledAsync(admin, id, true, CancellationToken.None);
        var login = await LoginStatusAsync("operator9", "Portal-new-2026");
        Assert.NotEqual(HttpStatusCode.Redirect, login);

        var self = await Assert.ThrowsAsync<PortalException>(async () => await users.SetDisabledAsync(admin, (await users.ListAsync(admin, CancellationToken.None)).Single(u => u.UserName == "admin").Id, true, CancellationToken.None));
        Assert.Equal("user_self_disable", self.Code);

        await using var db = await h.DbAsync();
        var audit = await db.Audit.Where(a => a.Target == "operator9").Select(a => a.Action).ToListAsync();
        Assert.Contains("user.create", audit);
        Assert.Contains("user.disable", audit);
    }

    [Fact]
    public async Task InitialAdmin_IsCreatedWhenNoAdminExists_AndCanOpenUserManagement()
    {
        var fresh = OnboardingHarness.Create(new Dictionary<string, string?>
        {
            ["Portal:Demo:Seed"] = "false",
            ["Portal:InitialAdmin:UserName"] = "root",
            ["Portal:InitialAdmin:Password"] = "Root-initial-2026",
        });
        await fresh.InitializeAsync();
        try
        {
            using var root = await fresh.SignedInClientAsync("root", "Root-initial-2026");
            Assert.Equal(HttpStatusCode.OK, (await root.GetAsync("/admin/users")).StatusCode);
            await using var db = await fresh.DbAsync();
            Assert.Equal(["root"], await db.Users.Select(u => u.UserName!).ToListAsync());
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    private async Task<HttpStatusCode> LoginStatusAsync(string userName, string password)
    {
        try
        {
            using var client = await h.SignedInClientAsync(userName, password);
            return HttpStatusCode.Redirect;
        }
        catch (Xunit.Sdk.XunitException)
        {
            return HttpStatusCode.OK;
        }
    }
}
