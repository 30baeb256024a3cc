using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Portal.Web.Tests;

/// <summary>
/// The message of a host that refused to start. WebApplicationFactory usually surfaces the options validation
/// failure; under heavy parallel load it has been seen to surface an ObjectDisposedException from the torn-down host
/// instead, so the same validator is then asked directly with the same settings.
/// </summary>
internal static class StartFailure
{
    public static string MessageOf(Exception ex, Func<string?> sameValidator)
        => (ex as OptionsValidationException ?? ex.InnerException as OptionsValidationException)?.Message
           ?? (ex is ObjectDisposedException ? sameValidator() ?? string.Empty : ex.ToString());

    public static IConfiguration Configuration(IDictionary<string, string?> settings)
        => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    public static T Bind<T>(IDictionary<string, string?> settings, string section) where T : new()
        => Configuration(settings).GetSection(section).Get<T>() ?? new T();
}
