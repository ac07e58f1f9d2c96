using System.Text;
using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;

namespace Harness.Conformance.Running;

public enum ScenarioStatus
{
    Passed,
    Failed,

    /// <summary>A step has no definition; the message holds a skeleton to paste.</summary>
    Undefined,

    /// <summary>A step matches more than one definition.</summary>
    Ambiguous,

    /// <summary>The target or profile lacks something a step needs; nothing was sent.</summary>
    NotRun,
}

public enum StepStatus
{
    Passed,
    Failed,
    Undefined,
    Ambiguous,

    /// <summary>Not executed: an earlier step failed, or the scenario did not run.</summary>
    Skipped,
}

public sealed record StepResult(ScenarioStep Step, StepStatus Status, TimeSpan Duration, StepMatch? Match, string? Error);

public sealed record ScenarioResult(
    Scenario Scenario,
    ScenarioStatus Status,
    IReadOnlyList<StepResult> Steps,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    string? Message)
{
    public bool Passed => Status == ScenarioStatus.Passed;

    /// <summary>Readable account of the run: each step with its outcome, then the failure with its HTTP exchange.</summary>
    public string Report()
    {
        var text = new StringBuilder();
        text.Append(Scenario.DisplayName).Append(" (").Append(Scenario.Id).Append("): ").AppendLine(Describe(Status));
        foreach (var step in Steps)
        {
            text.Append("  ").Append(Mark(step.Status)).Append(' ').Append(step.Step.Keyword).Append(' ').AppendLine(step.Step.Text);
        }

        if (Message is not null)
        {
            text.AppendLine().AppendLine(Message);
        }

        return text.ToString();
    }

    public static string Describe(ScenarioStatus status) => status switch
    {
        ScenarioStatus.Passed => "passed",
        ScenarioStatus.Failed => "failed",
        ScenarioStatus.Undefined => "undefined step",
        ScenarioStatus.Ambiguous => "ambiguous step",
        _ => "not run",
    };

    private static string Mark(StepStatus status) => status switch
    {
        StepStatus.Passed => "✓",
        StepStatus.Failed => "✗",
        StepStatus.Undefined => "?",
        StepStatus.Ambiguous => "‼",
        _ => "-",
    };
}
