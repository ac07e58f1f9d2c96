using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Harness.Conformance.Gherkin;

namespace Harness.Conformance.Binding;

/// <summary>A method bound to a step pattern.</summary>
public sealed class StepDefinition(string id, MethodInfo method, StepAttribute attribute, StepExpression expression, IReadOnlyList<Need> needs)
{
    public string Id { get; } = id;

    public MethodInfo Method { get; } = method;

    public string Keyword { get; } = attribute.Keyword;

    public StepExpression Expression { get; } = expression;

    public IReadOnlyList<Need> Needs { get; } = needs;

    public string Location => $"{Method.DeclaringType!.Name}.{Method.Name}";

    public override string ToString() => $"[{Keyword}(\"{Expression.Source}\")] {Location}";
}

/// <summary>A step text matched to a definition, with the converted arguments ready for the call.</summary>
public sealed record StepMatch(StepDefinition Definition, IReadOnlyList<MatchedArgument> Arguments);

/// <summary>The outcome of looking up one step: exactly one match, none (undefined) or several (ambiguous).</summary>
public sealed record StepLookup(ScenarioStep Step, IReadOnlyList<StepMatch> Matches)
{
    public StepMatch? Only => Matches.Count == 1 ? Matches[0] : null;
}

/// <summary>
/// Every step definition and parameter type of the given assemblies (classes marked <see cref="StepsAttribute"/>).
/// Definitions are shared by all features: a step text means the same thing everywhere.
/// </summary>
public sealed class StepRegistry
{
    private StepRegistry(IReadOnlyList<StepDefinition> definitions, IReadOnlyDictionary<string, ParameterType> parameterTypes)
    {
        Definitions = definitions;
        ParameterTypes = parameterTypes;
    }

    public IReadOnlyList<StepDefinition> Definitions { get; }

    public IReadOnlyDictionary<string, ParameterType> ParameterTypes { get; }

    public static StepRegistry FromAssemblies(params Assembly[] assemblies)
    {
        var classes = assemblies.Distinct().SelectMany(a => a.GetTypes())
            .Where(t => t.GetCustomAttribute<StepsAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
        var parameterTypes = new Dictionary<string, ParameterType>(StringComparer.Ordinal);
        foreach (var method in classes.SelectMany(c => c.GetMethods(BindingFlags.Public | BindingFlags.Static)))
        {
            if (method.GetCustomAttribute<ParameterTypeAttribute>() is { } attribute)
            {
                var convert = (Func<string, object?>)(text => Invoke(method, null, [text]));
                parameterTypes.Add(attribute.Name, new ParameterType(attribute.Name, attribute.Regex, method.ReturnType, convert));
            }
        }

        var definitions = new List<StepDefinition>();
        foreach (var method in classes.SelectMany(c => c.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)))
        {
            var needs = method.GetCustomAttribute<NeedsAttribute>()?.Needs ?? [];
            foreach (var attribute in method.GetCustomAttributes<StepAttribute>())
            {
                var expression = StepExpression.Compile(attribute.Pattern, parameterTypes);
                definitions.Add(new StepDefinition((definitions.Count + 1).ToString(CultureInfo.InvariantCulture), method, attribute, expression, needs));
            }
        }

        return new StepRegistry(definitions, parameterTypes);
    }

    public StepLookup Find(ScenarioStep step) =>
        new(step, [.. Definitions.Select(d => d.Expression.Match(step.Text) is { } args ? new StepMatch(d, args) : null).OfType<StepMatch>()]);

    /// <summary>The method arguments of a match: converted captures, then the doc string or data table.</summary>
    public object?[] Arguments(StepMatch match, ScenarioStep step)
    {
        var parameters = match.Definition.Method.GetParameters();
        var values = new List<object?>();
        for (var i = 0; i < match.Arguments.Count; i++)
        {
            values.Add(Convert(match.Arguments[i], parameters[i].ParameterType));
        }

        if (step.DocString is { } doc)
        {
            values.Add(doc.Content);
        }
        else if (step.Table is { } table)
        {
            values.Add(new StepTable(table));
        }

        return values.Count == parameters.Length
            ? [.. values]
            : throw new InvalidOperationException(
                $"{match.Definition.Location} takes {parameters.Length} parameter(s) but the step supplies {values.Count} (captures, then doc string or table).");
    }

    public static object? Invoke(MethodInfo method, object? target, object?[] arguments)
    {
        try
        {
            return method.Invoke(target, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    /// <summary>A definition to paste for an undefined step: literals become <c>{int}</c> and <c>{string}</c>.</summary>
    public static string Snippet(ScenarioStep step)
    {
        var parameters = new List<string>();
        var pattern = Regex.Replace(step.Text, "\"[^\"]*\"|-?\\b\\d+\\b", m =>
        {
            var isString = m.Value.StartsWith('"');
            parameters.Add((isString ? "string " : "int ") + (isString ? "text" : "number") + parameters.Count.ToString(CultureInfo.InvariantCulture));
            return isString ? "{string}" : "{int}";
        });
        if (step.DocString is not null)
        {
            parameters.Add("string docString");
        }
        else if (step.Table is not null)
        {
            parameters.Add("StepTable table");
        }

        var keyword = step.Keyword is "Given" or "When" or "Then" ? step.Keyword : "Given";
        var name = new StringBuilder();
        foreach (var word in Regex.Matches(Regex.Replace(pattern, @"\{\w+\}", " "), "[A-Za-z0-9]+").Select(m => m.Value))
        {
            name.Append(char.ToUpperInvariant(word[0])).Append(word[1..]);
        }

        return $"[{keyword}(\"{pattern.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\")]\n"
            + $"public Task {(name.Length > 0 ? name.ToString() : "Step")}({string.Join(", ", parameters)})\n"
            + "{\n    throw new NotImplementedException();\n}";
    }

    private object? Convert(MatchedArgument argument, Type target)
    {
        if (argument.Text is null)
        {
            return null;
        }

        if (argument.Type is { } type && target.IsAssignableFrom(type.Type))
        {
            return type.Convert(argument.Text);
        }

        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        if (ParameterTypes.Values.FirstOrDefault(p => p.Type == underlying) is { } custom)
        {
            return custom.Convert(argument.Text);
        }

        var text = argument.Type?.Name == "string" ? argument.Text[1..^1] : argument.Text;
        return underlying == typeof(string) ? text
            : underlying.IsEnum ? Enum.Parse(underlying, text, ignoreCase: true)
            : System.Convert.ChangeType(text, underlying, CultureInfo.InvariantCulture);
    }
}
