using System.Globalization;

namespace Portal.Web.Features.Localization;

/// <summary>Looks up <see cref="Texts"/> for the current UI culture (Chinese unless it is English).</summary>
public sealed class UiText
{
    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    public string this[string key] => Get(key, IsEnglish);

    public static string Get(string key, bool english)
    {
        if (!Texts.All.TryGetValue(key, out var text))
        {
            throw new KeyNotFoundException($"UI text '{key}' is missing from Texts.All");
        }

        return english ? text.En : text.Zh;
    }
}
