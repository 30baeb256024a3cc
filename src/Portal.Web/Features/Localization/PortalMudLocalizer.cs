using System.Globalization;
using Microsoft.Extensions.Localization;
using MudBlazor;
using Portal.Web.Resources;

namespace Portal.Web.Features.Localization;

/// <summary>
/// MudBlazor's built-in texts (pager, dialogs, pickers) in Chinese; in English it declines, and MudBlazor uses its own
/// English. The keys and placeholders equal MudBlazor's (MudLocalizerTests keeps them equal).
/// </summary>
public sealed class PortalMudLocalizer(IStringLocalizer<MudBlazorResource> chinese) : MudLocalizer
{
    public override LocalizedString this[string key]
        => IsChinese ? chinese[key] : new LocalizedString(key, key, resourceNotFound: true);

    public override LocalizedString this[string key, params object[] arguments]
        => IsChinese ? chinese[key, arguments] : new LocalizedString(key, key, resourceNotFound: true);

    private static bool IsChinese => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "zh";
}
