using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using MudBlazor;
using Portal.Testing;
using Portal.Web.Resources;

namespace Portal.Web.Components.Tests;

/// <summary>One localization mechanism, complete in both languages, and MudBlazor's own texts in Chinese.</summary>
public sealed partial class LocalizationTests
{
    private static readonly ResourceManager Portal = new("Portal.Web.Resources.SharedResource", typeof(SharedResource).Assembly);

    private static Dictionary<string, string> Set(ResourceManager manager, CultureInfo culture)
        => manager.GetResourceSet(culture, createIfNotExists: true, tryParents: false)!
            .Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);

    private static string[] Placeholders(string format) => [.. Placeholder().Matches(format).Select(m => m.Groups[1].Value).Distinct().Order()];

    [Fact]
    public void PortalTexts_HaveTheSameKeysAndPlaceholdersInChineseAndEnglish()
    {
        var chinese = Set(Portal, CultureInfo.InvariantCulture);
        var english = Set(Portal, CultureInfo.GetCultureInfo("en"));
        Assert.Empty(chinese.Keys.Except(english.Keys));
        Assert.Empty(english.Keys.Except(chinese.Keys));
        var differing = chinese.Keys.Where(k => !Placeholders(chinese[k]).SequenceEqual(Placeholders(english[k]))).ToList();
        Assert.Empty(differing);
    }

    [Fact]
    public void EveryLiteralKeyInTheMarkup_IsInTheResources()
    {
        var chinese = Set(Portal, CultureInfo.InvariantCulture);
        var source = Path.Combine(RepoPaths.Root, "src", "Portal.Web");
        var used = Directory.EnumerateFiles(source, "*.razor", SearchOption.AllDirectories)
            .SelectMany(f => LiteralKey().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Key: m.Groups[1].Value)))
            .ToList();
        Assert.NotEmpty(used);
        Assert.Empty(used.Where(u => !chinese.ContainsKey(u.Key)).Select(u => $"{u.File}: {u.Key}"));
    }

    [Fact]
    public void EveryKeyInTheResources_IsUsed()
    {
        // A key is used when the source names it as a literal, or names its family ("failure." + code) as a literal prefix.
        var source = Path.Combine(RepoPaths.Root, "src", "Portal.Web");
        var literals = Directory.EnumerateFiles(source, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal)) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => StringLiteral().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        var families = literals.Where(l => l.EndsWith('.') && l.Length > 1).ToList();
        var unused = Set(Portal, CultureInfo.InvariantCulture).Keys
            .Where(k => !literals.Contains(k) && !families.Any(f => k.StartsWith(f, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Empty(unused);
    }

    [Fact]
    public void EnglishTexts_HaveNoChineseAndChineseTextsAreNotEnglishCopies()
    {
        var chinese = Set(Portal, CultureInfo.InvariantCulture);
        var english = Set(Portal, CultureInfo.GetCultureInfo("en"));
        // English may name Chinese only where the language switch offers it.
        Assert.Empty(english.Where(e => Cjk().IsMatch(e.Value) && e.Key != "nav.language").Select(e => e.Key));
        Assert.Equal("English", chinese["nav.language"]);
    }

    [Fact]
    public void MudLocalizer_CoversEveryMudBlazorKey_WithTheSamePlaceholders()
    {
        var mud = Set(new ResourceManager("MudBlazor.Resources.LanguageResource", typeof(MudButton).Assembly), CultureInfo.InvariantCulture);
        var ours = Set(new ResourceManager("Portal.Web.Resources.MudBlazorResource", typeof(SharedResource).Assembly), CultureInfo.InvariantCulture);
        Assert.Equal(mud.Keys.Order(), ours.Keys.Order());
        Assert.DoesNotContain(mud.Keys, k => !Placeholders(mud[k]).SequenceEqual(Placeholders(ours[k])));
    }

    [Fact]
    public void MudLocalizer_AnswersInChinese_AndLeavesEnglishToMudBlazor()
    {
        var localizer = new Portal.Web.Features.Localization.PortalMudLocalizer(
            new Microsoft.Extensions.Localization.StringLocalizer<MudBlazorResource>(
                new Microsoft.Extensions.Localization.ResourceManagerStringLocalizerFactory(
                    Microsoft.Extensions.Options.Options.Create(new Microsoft.Extensions.Localization.LocalizationOptions()),
                    Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)));
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("zh-CN");
            Assert.Equal("第 1-10 条，共 42 条", localizer["MudDataGridPager_InfoFormat", 1, 10, 42].Value);
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
            Assert.True(localizer["MudDataGridPager_InfoFormat"].ResourceNotFound);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    [GeneratedRegex(@"\{(\d+)(?:[,:][^}]*)?\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\bT\[""([A-Za-z0-9_.\-]+)""\s*[\],]")]
    private static partial Regex LiteralKey();

    [GeneratedRegex(@"""([A-Za-z0-9_.\-]+)""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Cjk();
}
