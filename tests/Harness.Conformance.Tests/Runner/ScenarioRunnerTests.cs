using Harness.Conformance.Running;
using Harness.Conformance.Targets;

namespace Harness.Conformance.Tests.Runner;

public sealed class ScenarioRunnerTests : IDisposable
{
    private readonly Sample _sample = new();

    public void Dispose() => _sample.Dispose();

    [Fact]
    public async Task Binds_typed_parameters_custom_types_optional_text_regex_groups_doc_strings_and_tables()
    {
        var scenario = Single("""
            Given a basket with 2 apples
            When I add "a pear" to the basket
            And I add 3 items called plum
            And I add 1 item
            And I write the note:
              ```
              fragile
              ```
            Then the basket holds 7 items
            And the basket is:
              | item   |
              | Apple  |
              | Apple  |
              | a pear |
              | plum   |
              | plum   |
              | plum   |
              | item   |
            And the note reads "fragile"
            """);

        var result = await Sample.RunAsync(scenario);

        Assert.True(result.Passed, result.Report());
    }

    [Fact]
    public async Task A_failing_step_fails_the_scenario_says_why_and_skips_the_rest()
    {
        var result = await Sample.RunAsync(Single("""
            Given a basket with 1 pear
            Then the basket holds 2 items
            And the basket holds 1 item
            """));

        Assert.Equal(ScenarioStatus.Failed, result.Status);
        Assert.Equal([StepStatus.Passed, StepStatus.Failed, StepStatus.Skipped], result.Steps.Select(s => s.Status));
        Assert.Contains("Step failed: Then the basket holds 2 items (sample.feature:4)", result.Message, StringComparison.Ordinal);
        Assert.Contains("items in the basket: expected 2, got 1", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_undefined_step_fails_with_a_definition_to_paste()
    {
        var result = await Sample.RunAsync(Single("""
            Given a basket with 1 pear
            When I weigh "the pears" 3 times with:
              | unit |
              | kg   |
            """));

        Assert.Equal(ScenarioStatus.Undefined, result.Status);
        Assert.Equal([StepStatus.Skipped, StepStatus.Undefined], result.Steps.Select(s => s.Status));
        Assert.Contains(
            "[When(\"I weigh {string} {int} times with:\")]\npublic Task IWeighTimesWith(string text0, int number1, StepTable table)",
            result.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ambiguous_step_fails_and_names_every_match()
    {
        var result = await Sample.RunAsync(Single("Given a step defined twice"));

        Assert.Equal(ScenarioStatus.Ambiguous, result.Status);
        Assert.Contains("SampleSteps.First", result.Message, StringComparison.Ordinal);
        Assert.Contains("SampleSteps.Second", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scenario_whose_needs_the_profile_lacks_is_not_run_and_says_what_is_missing()
    {
        var scenario = Single("""
            Given a step that needs the admin
            Then the basket holds 0 items
            """);

        var withoutAdmin = await Sample.RunAsync(scenario, new TargetProfile { FinanceApiKey = "hk_x_y" });
        var withAdmin = await Sample.RunAsync(scenario, new TargetProfile { FinanceApiKey = "hk_x_y", AdminJwt = "jwt" });

        Assert.Equal(ScenarioStatus.NotRun, withoutAdmin.Status);
        Assert.Equal("not run: needs adminJwt", withoutAdmin.Message);
        Assert.All(withoutAdmin.Steps, s => Assert.Equal(StepStatus.Skipped, s.Status));
        Assert.True(withAdmin.Passed, withAdmin.Report());
    }

    private Gherkin.Scenario Single(string steps)
    {
        var indented = string.Join('\n', steps.Split('\n').Select(line => "    " + line));
        return Assert.Single(_sample.Write("sample.feature", $"Feature: Sample\n  Scenario: Sample\n{indented}\n").Scenarios);
    }
}
