using System.Text;
using System.Text.RegularExpressions;
using Portal.Testing;

namespace Portal.Web.Components.Tests;

/// <summary>
/// Words are the UI's: no service or endpoint under <c>src/Portal.Web/Features</c> holds a Chinese string or an
/// English sentence meant for people. The UI words typed outcomes from the resources (<c>Features/Localization</c>,
/// the pages). Ops-facing English stays allowed where people never see it on a page: log templates, start-up
/// configuration errors, the JSON <c>message</c> of machine endpoints, the alert webhook's detail and audit details.
/// </summary>
public sealed partial class ServiceTextConventionTests
{
    // Demo data (shop and person names) is data, not UI text; start-up configuration errors name keys for ops.
    private static readonly string[] ExemptFiles = ["Identity/DemoSeeder.cs", "Data/DatabaseSettings.cs"];

    // The statement a literal sits in, when it is one of these, is for ops or machines, never for a page.
    private static readonly string[] OpsContexts =
    [
        "[LoggerMessage", "ValidateOptionsResult.Fail", "OptionsValidationException", ".Validate(", "failures.Add(",
        "InvalidOperationException", "ArgumentException", "message = ", "alerts.RaiseAsync(", "audit.Add(",
        "Meter.CreateHistogram", "Meter.CreateCounter",
    ];

    private static IEnumerable<(string File, int Line, string Text, string Statement)> ServiceLiterals()
    {
        var features = Path.Combine(RepoPaths.Root, "src", "Portal.Web", "Features");
        foreach (var file in Directory.EnumerateFiles(features, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(features, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.StartsWith("Localization/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            foreach (var (line, start, literal) in Literals(text))
            {
                var from = Math.Max(text.LastIndexOfAny([';', '{', '}'], Math.Max(0, start - 1)), 0);
                yield return (relative, line, literal, text[from..start]);
            }
        }
    }

    [Fact]
    public void Services_HoldNoChineseText()
    {
        var found = ServiceLiterals()
            .Where(l => Cjk().IsMatch(l.Text) && !ExemptFiles.Contains(l.File))
            .Select(l => $"{l.File}:{l.Line} \"{l.Text}\"")
            .ToList();
        Assert.Empty(found);
    }

    [Fact]
    public void Services_HoldNoEnglishSentencesForPeople()
    {
        var found = ServiceLiterals()
            .Where(l => IsSentence(l.Text) && !ExemptFiles.Contains(l.File) && !OpsContexts.Any(c => l.Statement.Contains(c, StringComparison.Ordinal)))
            .Select(l => $"{l.File}:{l.Line} \"{l.Text}\"")
            .ToList();
        Assert.Empty(found);
    }

    [Fact]
    public void TheCheck_FindsWhatItLooksFor()
    {
        const string sample = "var a = \"已过期\"; // \"注释\"\nthrow new PortalException(\"The invitation has expired. Ask again.\");\nvar b = @\"x\"\"y\"; var c = 'q';";
        var literals = Literals(sample).Select(l => l.Text).ToList();
        Assert.Equal(["已过期", "The invitation has expired. Ask again.", "x\"y"], literals);
        Assert.True(IsSentence("The invitation has expired. Ask again."));
        Assert.False(IsSentence("api_component_token"));
        Assert.False(IsSentence("{Api}: errcode {ErrCode}"));
        Assert.False(IsSentence("AuthPageBaseUrl"));
    }

    /// <summary>Four words or more, starting with a capital or ending like a sentence, once interpolation holes are gone.</summary>
    private static bool IsSentence(string literal)
    {
        var plain = Hole().Replace(literal, "x").Trim();
        return plain.Split(' ', StringSplitOptions.RemoveEmptyEntries).Count(w => Word().IsMatch(w)) >= 4 && (char.IsUpper(plain.FirstOrDefault()) || plain.EndsWith('.') || plain.EndsWith('!') || plain.EndsWith('?'));
    }

    /// <summary>String literals of C# source (regular, verbatim, interpolated, raw), comments and char literals skipped.</summary>
    private static IEnumerable<(int Line, int Start, string Text)> Literals(string text)
    {
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                var end = text.IndexOf('\n', i);
                i = end < 0 ? text.Length : end;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + 2;
                line += text.AsSpan(i, end - i).Count('\n');
                i = end;
            }
            else if (c == '\'' && CharLiteral().Match(text, i) is { Success: true, Index: var at } ch && at == i)
            {
                i += ch.Length;
            }
            else if (c == '"' && text.AsSpan(i).StartsWith("\"\"\""))
            {
                var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end;
                var body = text[(i + 3)..end];
                yield return (line, i, body);
                line += body.Count(x => x == '\n');
                i = Math.Min(text.Length, end + 3);
            }
            else if (c == '"')
            {
                var verbatim = i > 0 && (text[i - 1] == '@' || (i > 1 && text[i - 1] == '$' && text[i - 2] == '@'));
                var body = new StringBuilder();
                var k = i + 1;
                while (k < text.Length)
                {
                    var x = text[k];
                    if (verbatim && x == '"' && k + 1 < text.Length && text[k + 1] == '"')
                    {
                        body.Append('"');
                        k += 2;
                        continue;
                    }

                    if (!verbatim && x == '\\' && k + 1 < text.Length)
                    {
                        body.Append(text[k + 1] == '"' ? "\"" : text.Substring(k, 2));
                        k += 2;
                        continue;
                    }

                    if (x == '"' || (!verbatim && x == '\n'))
                    {
                        break;
                    }

                    body.Append(x);
                    k++;
                }

                var literal = body.ToString();
                yield return (line, i, literal);
                line += literal.Count(x => x == '\n');
                i = k + 1;
            }
            else
            {
                i++;
            }
        }
    }

    [GeneratedRegex(@"'(\\.|[^\\'])'")]
    private static partial Regex CharLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Hole();

    [GeneratedRegex(@"^[(""']?[A-Za-z][a-z']*[,.;:!?)""']*$")]
    private static partial Regex Word();

    [GeneratedRegex(@"[\u3000-\u303F\u4E00-\u9FFF\uFF00-\uFFEF]")]
    private static partial Regex Cjk();
}
