using System.Diagnostics;

namespace Portal.Testing;

/// <summary>The portal as its own process (Portal.Web.dll from the test output), for kill -9 and side-by-side instances.</summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PortalProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>The process id (for /proc: its memory).</summary>
    public int Id => _process.Id;

    /// <summary>The CPU the process has used so far, read now.</summary>
    public TimeSpan TotalProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Starts the portal on <paramref name="port"/> with <paramref name="settings"/> as command-line configuration and waits until it answers.</summary>
    public static async Task<PortalProcess> StartAsync(int port, IDictionary<string, string?> settings)
    {
        var url = $"http://127.0.0.1:{port}";
        var arguments = new List<string> { Path.Combine(AppContext.BaseDirectory, "Portal.Web.dll"), "--urls", url, "--contentRoot", RepoPaths.Root };
        arguments.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var portal = new PortalProcess(process, url);
        using var http = new HttpClient();
        await StandaloneEmulator.WaitUntilAsync(async () => (await http.GetAsync(url + "/healthz")).IsSuccessStatusCode, TimeSpan.FromSeconds(90));
        return portal;
    }

    /// <summary>kill -9: no shutdown, no finally blocks, leases and locks left as they were.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
