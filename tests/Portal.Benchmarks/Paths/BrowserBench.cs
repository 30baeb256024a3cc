using Portal.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace Portal.Benchmarks;

/// <summary>
/// What the browser paths (<c>lists</c>, <c>pages</c>) share: the portal as its own process on a real Kestrel port, with the
/// repository's appsettings.json and wwwroot as in the offline run; Debian's Chromium through Playwright (never a downloaded
/// browser, as in tests/Portal.E2E.Tests); a real sign-in; and the time until the layout's interactivity marker says the page
/// is live.
/// </summary>
public sealed class BrowserPortal : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DemoPassword = "Portal-demo-2026";

    private readonly Process _process;
    private readonly IPlaywright _playwright;
    private readonly string? _postgresServer;

    private BrowserPortal(Process process, string baseUrl, string dataDirectory, string? database, string? postgresServer, IPlaywright playwright, IBrowser browser)
    {
        _process = process;
        BaseUrl = baseUrl;
        DataDirectory = dataDirectory;
        Database = database;
        _postgresServer = postgresServer;
        _playwright = playwright;
        Browser = browser;
    }

    public string BaseUrl { get; }

    public string DataDirectory { get; }

    /// <summary>The PostgreSQL database's name, or null on SQLite (then the file is <see cref="SqlitePath"/>).</summary>
    public string? Database { get; }

    public string SqlitePath => Directory.GetFiles(DataDirectory, "portal.db", SearchOption.AllDirectories).FirstOrDefault()
        ?? throw new InvalidOperationException("no portal.db under " + DataDirectory);

    public string? PostgresConnection => Database is null ? null : new Npgsql.NpgsqlConnectionStringBuilder(_postgresServer) { Database = Database }.ConnectionString;

    public IBrowser Browser { get; }

    public static string RepoRoot { get; } = FindRoot();

    /// <summary>Starts the portal (the default offline run: emulator mode, demo seed; settings override it) and Chromium.</summary>
    public static async Task<BrowserPortal> StartAsync(BenchOptions options, IDictionary<string, string> settings)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium package (./test.sh does).");
        }

        var port = StandaloneEmulator.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-benchmark", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        string? database = null;
        var all = new Dictionary<string, string>(settings)
        {
            ["Portal:DataDirectory"] = dataDirectory,
            ["Portal:PublicBaseUrl"] = url,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (options.Provider == "PostgreSql")
        {
            if (string.IsNullOrEmpty(options.PostgresConnection))
            {
                throw new InvalidOperationException("--provider PostgreSql needs PORTAL_TEST_PG or --postgres (source scripts/pg-cluster.sh && pg_cluster_start)");
            }

            database = "portal_bench_" + Guid.NewGuid().ToString("N")[..12];
            await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(options.PostgresConnection) { Database = "postgres", Pooling = false }.ConnectionString);
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
            all["Portal:Database:Provider"] = "PostgreSql";
            all["ConnectionStrings:Portal"] = new Npgsql.NpgsqlConnectionStringBuilder(options.PostgresConnection) { Database = database }.ConnectionString;
        }

        // As deployed: its own process, the repository's content root, a non-Development environment (the production
        // pipeline: exception handler, static assets, CSP; "Testing" only so that the demo seed may run).
        var arguments = new List<string> { Path.Combine(AppContext.BaseDirectory, "Portal.Web.dll"), "--urls", url, "--contentRoot", RepoRoot };
        arguments.AddRange(all.Select(s => $"--{s.Key}={s.Value}"));
        var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        // --portal-log FILE: the portal's console output, with each SQL command and its duration (to see where a list's time goes).
        var log = options.Arg("--portal-log", "");
        if (log.Length > 0)
        {
            start.ArgumentList.Add("--Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=Information");
            start.ArgumentList.Add("--Logging:Console:FormatterName=simple");
            // A timestamp on each entry: the gaps between a page's commands are where its time goes outside the database.
            start.ArgumentList.Add("--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss.fff ");
        }

        var writer = log.Length > 0 ? new StreamWriter(log, append: false) { AutoFlush = true } : null;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (writer is not null && e.Data is not null)
            {
                lock (writer)
                {
                    writer.WriteLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (var http = new HttpClient())
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                try
                {
                    if ((await http.GetAsync(url + "/healthz")).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }

                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException("the portal did not start");
                }

                await Task.Delay(100);
            }
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        return new BrowserPortal(process, url, dataDirectory, database, options.PostgresConnection, playwright, browser);
    }

    /// <summary>A desktop-sized page, signed in as <paramref name="userName"/> through the login form (null: anonymous).</summary>
    public async Task<IPage> NewPageAsync(string? userName)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        if (userName is not null)
        {
            await page.GotoAsync(BaseUrl + "/account/login");
            await page.GetByLabel(new System.Text.RegularExpressions.Regex("用户名|User name")).FillAsync(userName);
            await page.GetByLabel(new System.Text.RegularExpressions.Regex("密码|Password")).FillAsync(DemoPassword);
            await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^(登录|Sign in)$") }).ClickAsync();
            await page.WaitForURLAsync(BaseUrl + "/");
        }

        return page;
    }

    /// <summary>The walk's definition of interactive: the layout's marker (<c>data-interactive='true'</c>) is set once the circuit renders.</summary>
    public const string InteractiveSelector = "[data-portal-layout][data-interactive='true']";

    /// <summary>Opens <paramref name="path"/> and waits until the layout is interactive and, when given, <paramref name="ready"/> (a JS predicate) holds; the milliseconds it took.</summary>
    public async Task<double> OpenAsync(IPage page, string path, string? ready = null)
    {
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(BaseUrl + path, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        await page.Locator(InteractiveSelector).WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        if (ready is not null)
        {
            await page.WaitForFunctionAsync(ready, null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (Database is not null)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(_postgresServer) { Database = "postgres", Pooling = false }.ConnectionString);
            await admin.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static double Median(IReadOnlyCollection<double> values) => Percentile(values, 0.5);

    /// <summary>Nearest-rank percentile (p99 of a few samples is their maximum).</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static string Ms(double value) => value.ToString("0", CultureInfo.InvariantCulture);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
    }
}
