using Microsoft.Extensions.Logging;
using Portal.Web.Features.KeepAlive.Hangfire;

namespace Portal.Web.Tests;

/// <summary>
/// Hangfire's log provider is process-wide; a host that stopped (its logger factory disposed) must not break another
/// host's Hangfire server in the same process — with Hangfire's stock provider the next server's constructor threw
/// ObjectDisposedException and that host never picked up a job ("run now" stayed enqueued).
/// </summary>
public sealed class HangfireLoggingTests
{
    [Fact]
    public void AfterItsHostStopped_TheProviderDropsMessagesInsteadOfThrowing()
    {
        var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug));
        var provider = new HostLogProvider(factory);
        var before = provider.GetLogger("Hangfire.Server.Worker");
        Assert.True(before.Log(Hangfire.Logging.LogLevel.Info, () => "alive"));

        factory.Dispose();
        Assert.Throws<ObjectDisposedException>(() => new Hangfire.AspNetCore.AspNetCoreLogProvider(factory).GetLogger("Hangfire.Server.BackgroundServerProcess"));
        var after = provider.GetLogger("Hangfire.Server.BackgroundServerProcess");
        Assert.False(after.Log(Hangfire.Logging.LogLevel.Info, () => "after the host stopped"));
        Assert.False(after.Log(Hangfire.Logging.LogLevel.Error, null));
    }
}
