using Microsoft.Extensions.DependencyInjection;
using Portal.WeChat.Client.Http;

namespace Portal.WeChat.Client;

/// <summary>Registers <see cref="ComponentApiClient"/>.</summary>
public static class WeChatClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds the typed client with the retry handler outside the logging handler (each attempt is logged); options come from the <c>WeChat</c> section
    /// (the caller binds and validates them). Returns the builder so the transport can be replaced in tests.
    /// </summary>
    public static IHttpClientBuilder AddWeChatComponentClient(this IServiceCollection services)
    {
        services.AddOptions<WeChatClientOptions>().BindConfiguration(WeChatClientOptions.SectionName);
        services.AddTransient<WeChatLoggingHandler>();
        services.AddTransient<WeChatRetryHandler>();
        return services.AddHttpClient<ComponentApiClient>(client => client.Timeout = TimeSpan.FromSeconds(60))
            .RemoveAllLoggers()
            .AddHttpMessageHandler<WeChatRetryHandler>()
            .AddHttpMessageHandler<WeChatLoggingHandler>();
    }
}
