using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.WeChat.Emulator.Endpoints;
using Portal.WeChat.Emulator.Model;
using Portal.WeChat.Emulator.Services;
using Portal.WeChat.Protocol.Crypto;

namespace Portal.WeChat.Emulator;

public static class EmulatorServiceCollectionExtensions
{
    /// <summary>Adds the emulator's state, push sender, ticket pusher and release-test runner; the caller binds the options.</summary>
    public static OptionsBuilder<EmulatorOptions> AddWeChatEmulator(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EmulatorMount>();
        services.AddSingleton<EmulatorState>();
        services.AddSingleton<AuthorizationPageSessions>();
        services.AddSingleton<PushSender>();
        services.AddSingleton<ReleaseTestRunner>();
        services.AddSingleton<TicketPushService>();
        services.AddHostedService(sp => sp.GetRequiredService<TicketPushService>());
        services.AddHttpClient(PushSender.HttpClientName).RemoveAllLoggers();
        return services.AddOptions<EmulatorOptions>()
            .Validate(o => !string.IsNullOrEmpty(o.ComponentAppSecret), "Emulator:ComponentAppSecret must be set")
            .Validate(o => o.Token.Length is >= 3 and <= 32, "Emulator:Token must be 3 to 32 characters")
            .Validate(o => EncodingAesKey.TryValidate(o.EncodingAesKey, out _), "Emulator:EncodingAesKey must be 43 characters of A-Z, a-z and 0-9");
    }

    /// <summary>Maps WeChat's paths under <paramref name="prefix"/>: /api/cgi-bin/…, /mp/…, /open/…, and /admin.</summary>
    public static RouteGroupBuilder MapWeChatEmulator(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        var mount = endpoints.ServiceProvider.GetRequiredService<EmulatorMount>();
        mount.Prefix = prefix.TrimEnd('/');
        mount.IsMapped = true;
        var group = endpoints.MapGroup(prefix);
        group.MapEmulatorApi();
        group.MapAuthorizationPage();
        group.MapEmulatorAdmin();
        return group;
    }
}
