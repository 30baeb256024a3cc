using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Portal.Testing;

/// <summary>
/// The WeChat emulator in its own process (as in README "The WeChat emulator"), so that it outlives portal restarts
/// and crashes. <see cref="PortalSettings"/> points a portal at it.
/// </summary>
public sealed class StandaloneEmulator : IAsyncDisposable
{
    public const string ComponentAppId = "wx0123456789abcdef";
    private const string Secret = "standalone-secret-0123456789abcdef";
    private const string Token = "standalonetoken";
    private const string AesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    private readonly Process _process;

    private StandaloneEmulator(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        Admin = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string BaseUrl { get; }

    public HttpClient Admin { get; }

    /// <summary>Starts the emulator; it pushes tickets to <paramref name="portalUrl"/> only when asked to.</summary>
    public static async Task<StandaloneEmulator> StartAsync(string portalUrl)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var process = Process.Start(new ProcessStartInfo("dotnet", [
            Path.Combine(AppContext.BaseDirectory, "Portal.WeChat.Emulator.dll"), "--urls", url,
            "--Emulator:ComponentAppId=" + ComponentAppId, "--Emulator:ComponentAppSecret=" + Secret, "--Emulator:Token=" + Token,
            "--Emulator:EncodingAesKey=" + AesKey, "--Emulator:EventUrl=" + portalUrl.TrimEnd('/') + "/wechat/component/events",
            "--Emulator:AutoPushTickets=false", "--Logging:LogLevel:Default=Warning",
        ]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var emulator = new StandaloneEmulator(process, url);
        await WaitUntilAsync(async () => (await emulator.Admin.GetAsync("/healthz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60));
        return emulator;
    }

    /// <summary>Portal settings that use this emulator instead of the mounted one.</summary>
    public Dictionary<string, string?> PortalSettings() => new()
    {
        ["WeChat:Mode"] = "Emulator",
        ["WeChat:EmulatorBaseUrl"] = BaseUrl,
        ["WeChat:ComponentAppId"] = ComponentAppId,
        ["WeChat:ComponentAppSecret"] = Secret,
        ["WeChat:Token"] = Token,
        ["WeChat:EncodingAesKey"] = AesKey,
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>Creates <paramref name="count"/> authorizations; their appids and refresh tokens.</summary>
    public async Task<IReadOnlyList<(string AppId, string RefreshToken)>> SeedAuthorizationsAsync(int count, string prefix)
    {
        using var response = await Admin.PostAsync($"/admin/api/authorizations/bulk?count={count}&prefix={prefix}", null);
        response.EnsureSuccessStatusCode();
        var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return items.EnumerateArray().Select(i => (i.GetProperty("authorizer_appid").GetString()!, i.GetProperty("refresh_token").GetString()!)).ToList();
    }

    public async Task PostAsync(string path, IDictionary<string, string>? form = null)
    {
        using var response = await Admin.PostAsync(path, new FormUrlEncodedContent(form ?? new Dictionary<string, string>()));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>api_authorizer_token calls answered so far, per authorizer appid (successful ones only).</summary>
    public async Task<Dictionary<string, int>> SuccessfulRefreshesAsync()
    {
        var calls = await Admin.GetFromJsonAsync<JsonElement>("/admin/api/calls?api=api_authorizer_token");
        return calls.EnumerateArray()
            .Where(c => c.GetProperty("errCode").GetInt32() == 0)
            .GroupBy(c => c.GetProperty("parameters").GetProperty("authorizer_appid").GetString()!)
            .ToDictionary(g => g.Key, g => g.Count());
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the condition did not hold in time");
            }

            await Task.Delay(100);
        }
    }
}
