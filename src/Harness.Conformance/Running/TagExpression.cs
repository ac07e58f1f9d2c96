namespace Harness.Conformance.Running;

/// <summary>
/// Cucumber tag expressions: <c>@a</c>, <c>not</c>, <c>and</c>, <c>or</c> and parentheses
/// (e.g. <c>@finance and not (@concurrency or @slow)</c>). An empty expression selects everything.
/// </summary>
public sealed class TagExpression
{
    private readonly Func<ISet<string>, bool> _evaluate;

    private TagExpression(string source, Func<ISet<string>, bool> evaluate)
    {
        Source = source;
        _evaluate = evaluate;
    }

    public string Source { get; }

    public static TagExpression Everything { get; } = new("", _ => true);

    public static TagExpression Parse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return Everything;
        }

        var tokens = expression.Replace("(", " ( ", StringComparison.Ordinal).Replace(")", " ) ", StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var position = 0;
        var evaluate = Or(tokens, ref position);
        return position == tokens.Length
            ? new TagExpression(expression, evaluate)
            : throw new FormatException($"Unexpected '{tokens[position]}' in tag expression '{expression}'.");
    }

    /// <summary>Whether a scenario with these tags (with or without <c>@</c>) is selected.</summary>
    public bool Matches(IEnumerable<string> tags) =>
        _evaluate(new HashSet<string>(tags.Select(t => t.TrimStart('@')), StringComparer.Ordinal));

    public override string ToString() => Source;

    private static Func<ISet<string>, bool> Or(string[] tokens, ref int position)
    {
        var left = And(tokens, ref position);
        while (position < tokens.Length && tokens[position] == "or")
        {
            position++;
            var (a, b) = (left, And(tokens, ref position));
            left = tags => a(tags) || b(tags);
        }

        return left;
    }

    private static Func<ISet<string>, bool> And(string[] tokens, ref int position)
    {
        var left = Not(tokens, ref position);
        while (position < tokens.Length && tokens[position] == "and")
        {
            position++;
            var (a, b) = (left, Not(tokens, ref position));
            left = tags => a(tags) && b(tags);
        }

        return left;
    }

    private static Func<ISet<string>, bool> Not(string[] tokens, ref int position)
    {
        if (position >= tokens.Length)
        {
            throw new FormatException("Tag expression ends too early.");
        }

        var token = tokens[position++];
        switch (token)
        {
            case "not":
                var inner = Not(tokens, ref position);
                return tags => !inner(tags);
            case "(":
                var group = Or(tokens, ref position);
                if (position >= tokens.Length || tokens[position++] != ")")
                {
                    throw new FormatException("Missing ')' in tag expression.");
                }

                return group;
            case var tag when tag.StartsWith('@') && tag.Length > 1:
                var name = tag[1..];
                return tags => tags.Contains(name);
            default:
                throw new FormatException($"Unexpected '{token}' in tag expression: tags start with '@'.");
        }
    }
}
