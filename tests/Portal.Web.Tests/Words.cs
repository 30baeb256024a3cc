using System.Globalization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Web.Resources;

namespace Portal.Web.Tests;

/// <summary>The portal's resources in a given language, to check what a page would say for a typed outcome.</summary>
internal static class Words
{
    private static readonly IStringLocalizer Texts = new StringLocalizer<SharedResource>(
        new ResourceManagerStringLocalizerFactory(Microsoft.Extensions.Options.Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance));

    public static string In(string culture, Func<IStringLocalizer, string?> word)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return word(Texts) ?? "";
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
