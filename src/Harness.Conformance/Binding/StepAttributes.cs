namespace Harness.Conformance.Binding;

/// <summary>
/// Binds a method to step text. The pattern is a Cucumber expression (<c>the user has {int} coins</c>) or,
/// when it starts with <c>^</c> or ends with <c>$</c>, a regular expression whose groups are the arguments.
/// The keyword does not matter for matching (as in Cucumber); it documents intent.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public abstract class StepAttribute(string pattern) : Attribute
{
    public string Pattern { get; } = pattern;

    public abstract string Keyword { get; }
}

public sealed class GivenAttribute(string pattern) : StepAttribute(pattern)
{
    public override string Keyword => "Given";
}

public sealed class WhenAttribute(string pattern) : StepAttribute(pattern)
{
    public override string Keyword => "When";
}

public sealed class ThenAttribute(string pattern) : StepAttribute(pattern)
{
    public override string Keyword => "Then";
}

/// <summary>Marks a class whose methods hold step definitions or parameter types; it is created once per scenario.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StepsAttribute : Attribute;

/// <summary>
/// A custom parameter type for Cucumber expressions: <c>{name}</c> matches <paramref name="regex"/> and is
/// converted by the static method carrying this attribute (one string argument, returns the type).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ParameterTypeAttribute(string name, string regex) : Attribute
{
    public string Name { get; } = name;

    public string Regex { get; } = regex;
}

/// <summary>What a step needs from the target; a scenario with an unmet need is reported as not run.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NeedsAttribute(params Need[] needs) : Attribute
{
    public IReadOnlyList<Need> Needs { get; } = needs;
}
