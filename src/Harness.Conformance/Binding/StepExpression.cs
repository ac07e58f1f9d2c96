using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Harness.Conformance.Binding;

/// <summary>A custom or built-in parameter type: the regex it matches and how its text becomes a value.</summary>
public sealed record ParameterType(string Name, string Regex, Type Type, Func<string, object?> Convert);

/// <summary>
/// A step pattern compiled to an anchored regex. Cucumber expressions support <c>{int}</c>, <c>{long}</c>,
/// <c>{float}</c>, <c>{word}</c>, <c>{string}</c>, <c>{}</c>, custom <c>{name}</c> types, optional text
/// <c>coin(s)</c> and alternatives <c>is/are</c>. Patterns starting with <c>^</c> or ending with <c>$</c> are regexes.
/// </summary>
public sealed class StepExpression
{
    private readonly Regex _regex;
    private readonly IReadOnlyList<ParameterType?> _groups;

    private StepExpression(string source, bool isRegex, Regex regex, IReadOnlyList<ParameterType?> groups)
    {
        Source = source;
        IsRegex = isRegex;
        _regex = regex;
        _groups = groups;
    }

    public string Source { get; }

    public bool IsRegex { get; }

    public int ParameterCount => _groups.Count;

    public static IReadOnlyDictionary<string, ParameterType> BuiltInTypes { get; } = new Dictionary<string, ParameterType>(StringComparer.Ordinal)
    {
        ["int"] = new("int", @"-?\d+", typeof(int), s => int.Parse(s, CultureInfo.InvariantCulture)),
        ["long"] = new("long", @"-?\d+", typeof(long), s => long.Parse(s, CultureInfo.InvariantCulture)),
        ["float"] = new("float", @"-?\d*\.?\d+", typeof(double), s => double.Parse(s, CultureInfo.InvariantCulture)),
        ["word"] = new("word", @"[^\s]+", typeof(string), s => s),
        ["string"] = new("string", "\"[^\"]*\"|'[^']*'", typeof(string), s => s[1..^1]),
        [""] = new("", ".*", typeof(string), s => s),
    };

    public static StepExpression Compile(string pattern, IReadOnlyDictionary<string, ParameterType> customTypes)
    {
        if (pattern.StartsWith('^') || pattern.EndsWith('$'))
        {
            var regex = new Regex(Anchor(pattern), RegexOptions.CultureInvariant);
            return new StepExpression(pattern, true, regex, new ParameterType?[regex.GetGroupNumbers().Length - 1]);
        }

        var builder = new StringBuilder("^");
        var groups = new List<ParameterType?>();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\' when i + 1 < pattern.Length:
                    builder.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '{':
                    var end = pattern.IndexOf('}', i);
                    if (end < 0)
                    {
                        throw new FormatException($"Unclosed '{{' in step pattern '{pattern}'.");
                    }

                    var name = pattern[(i + 1)..end];
                    var type = customTypes.GetValueOrDefault(name) ?? BuiltInTypes.GetValueOrDefault(name)
                        ?? throw new FormatException($"Unknown parameter type {{{name}}} in step pattern '{pattern}'.");
                    builder.Append('(').Append(type.Regex).Append(')');
                    groups.Add(type);
                    i = end;
                    break;
                case '(':
                    var close = pattern.IndexOf(')', i);
                    if (close < 0)
                    {
                        throw new FormatException($"Unclosed '(' in step pattern '{pattern}'.");
                    }

                    builder.Append("(?:").Append(Regex.Escape(pattern[(i + 1)..close])).Append(")?");
                    i = close;
                    break;
                default:
                    builder.Append(Alternative(pattern, ref i));
                    break;
            }
        }

        return new StepExpression(pattern, false, new Regex(builder.Append('$').ToString(), RegexOptions.CultureInvariant), groups);
    }

    /// <summary>The matched argument texts (null for an optional regex group that did not take part), or null when the text does not match.</summary>
    public IReadOnlyList<MatchedArgument>? Match(string text)
    {
        var match = _regex.Match(text);
        if (!match.Success)
        {
            return null;
        }

        return [.. Enumerable.Range(1, _groups.Count).Select(g => new MatchedArgument(
            match.Groups[g].Success ? match.Groups[g].Value : null,
            match.Groups[g].Success ? match.Groups[g].Index : -1,
            _groups[g - 1]))];
    }

    private static string Anchor(string pattern) => (pattern.StartsWith('^') ? "" : "^") + pattern + (pattern.EndsWith('$') ? "" : "$");

    /// <summary>A literal run; <c>a/b</c> between word characters becomes an alternative.</summary>
    private static string Alternative(string pattern, ref int i)
    {
        if (!char.IsLetterOrDigit(pattern[i]))
        {
            return Regex.Escape(pattern[i].ToString());
        }

        var start = i;
        while (i + 1 < pattern.Length && (char.IsLetterOrDigit(pattern[i + 1]) || pattern[i + 1] is '/' or '-' or '\''))
        {
            i++;
        }

        var word = pattern[start..(i + 1)];
        return word.Contains('/', StringComparison.Ordinal)
            ? "(?:" + string.Join('|', word.Split('/').Select(Regex.Escape)) + ")"
            : Regex.Escape(word);
    }
}

/// <summary>One captured argument: its text, where it starts in the step text, and its parameter type (null for regex groups).</summary>
public sealed record MatchedArgument(string? Text, int Start, ParameterType? Type);
