using System.Globalization;
using Microsoft.Extensions.Localization;
using Portal.Web.Resources;

namespace Portal.Web.Features.Localization;

/// <summary>
/// The culture question the few non-component callers ask. Texts come from <see cref="IStringLocalizer{SharedResource}"/>.
/// </summary>
public static class UiCulture
{
    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
}
