using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.WeChat.Client.Tests;

/// <summary>The real client, handlers and DI wiring over a <see cref="RecordingTransport"/>.</summary>
public sealed class ClientHarness : IDisposable
{
    private readonly ServiceProvider _provider;

    public ClientHarness(RecordingTransport transport, int maxRetries = 3)
    {
        Transport = transport;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WeChat:ApiBaseUrl"] = "https://api.example.test",
            ["WeChat:ComponentAppId"] = "wxcomponent0000001",
            ["WeChat:ComponentAppSecret"] = "component-secret-value",
            ["WeChat:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WeChat:RetryBaseDelay"] = "00:00:00.001",
        }).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddWeChatComponentClient().ConfigurePrimaryHttpMessageHandler(() => transport);
        _provider = services.BuildServiceProvider();
    }

    public RecordingTransport Transport { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public ComponentApiClient Client => _provider.GetRequiredService<ComponentApiClient>();

    public void Dispose() => _provider.Dispose();
}

public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public List<string> Lines { get; } = [];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner.Lines)
            {
                owner.Lines.Add($"{category} {formatter(state, exception)} {exception}");
            }
        }
    }
}
