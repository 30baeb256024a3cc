using Microsoft.Extensions.Options;
using Portal.WeChat.Client;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Infrastructure;

public static class ConfigurationExtensions
{
    /// <summary>Binds and validates the <c>WeChat</c> and <c>Portal</c> sections; a bad setting stops start-up naming its path.</summary>
    public static IHostApplicationBuilder AddPortalConfiguration(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PortalOptions>, PortalOptionsValidator>();

        builder.Services.AddOptions<WeChatOptions>().BindConfiguration(WeChatOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IPostConfigureOptions<WeChatOptions>, EmulatorDefaults>();
        builder.Services.AddSingleton<IValidateOptions<WeChatOptions>, WeChatOptionsValidator>();

        builder.Services.AddWeChatComponentClient();
        builder.Services.AddSingleton<IPostConfigureOptions<WeChatClientOptions>, WeChatClientOptionsFromPortal>();
        builder.Services.AddOptions<WeChatClientOptions>().ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>The data directory as an absolute path, created if missing, private to the portal's user (0700/0600).</summary>
    public static string ResolveDataDirectory(this IHostEnvironment environment, PortalOptions options)
    {
        var path = Path.IsPathRooted(options.DataDirectory) ? options.DataDirectory : Path.Combine(environment.ContentRootPath, options.DataDirectory);
        DataDirectoryPermissions.Secure(path);
        return path;
    }
}
