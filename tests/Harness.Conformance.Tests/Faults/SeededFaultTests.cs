using Harness.Conformance.Running;
using Harness.Conformance.Tests.Support;
using Harness.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Conformance.Tests.Faults;

/// <summary>
/// A suite that passes on a broken implementation is worthless: each seeded fault must make the scenarios
/// written for that behaviour fail (and fail as failures, not as unbound or skipped steps).
/// </summary>
public sealed class SeededFaultTests
{
    [Fact]
    public Task Ignoring_idempotency_keys_fails_the_idempotency_scenarios() => AssertFails(
        inner => new IdempotencyIgnored(inner),
        "@idempotency",
        "Repeating a consumption returns the original result",
        "Repeating a consumption charges nothing more",
        "Repeating a consumption adds no second record",
        "Reusing a key for a different request is a conflict and charges nothing",
        "The agent engine and the user share the user's keys",
        "Concurrent duplicates charge once");

    [Fact]
    public Task Ignoring_the_balance_fails_the_insufficient_balance_scenarios() => AssertFails(
        inner => new BalanceCheckIgnored(inner),
        "@balance",
        "A consumption above the balance is refused and charges nothing",
        "A refused consumption leaves no record",
        "A user without coins cannot consume",
        "The agent engine is refused for a user's insufficient balance too",
        "A key refused for insufficient balance can be used again after a recharge");

    [Fact]
    public Task Omitting_records_fails_the_records_scenarios() => AssertFails(
        inner => new RecordsOmitted(inner),
        "@finance and not @recharge",
        "Both record routes list the user's consumptions, newest first",
        "A record shows what was charged and why",
        "Records are paginated",
        "Records can be filtered by consumption type",
        "Records can be filtered by service",
        "Records can be limited to a time range, the end excluded",
        "Consumptions through the agent engine appear in the user's records",
        "Repeating a consumption adds no second record");

    [Fact]
    public Task Ignoring_what_a_key_was_for_fails_the_conflict_scenarios() => AssertFails(
        inner => new FingerprintIgnored(inner),
        "@idempotency",
        "Reusing a key for a different request is a conflict and charges nothing",
        "Reusing a key with a change to any field that sets the charge is a conflict");

    [Fact]
    public Task Ignoring_the_summary_filters_fails_the_summary_scenarios() => AssertFails(
        inner => new SummaryFiltersIgnored(inner),
        "@finance and not @recharge",
        "The summary counts only the consumptions inside the time range",
        "The summary can be narrowed to one service",
        "The summary can be narrowed to one consumption type",
        "A summary from a start time counts that moment and what follows",
        "A summary up to an end time leaves that moment out",
        "The summary's filters apply together");

    /// <summary>A backend that keeps keys for ever: configuration, not code, and the suite still notices.</summary>
    [Fact]
    public Task Keeping_keys_for_ever_fails_the_retention_scenario() => AssertFails(
        services => services.Configure<Harness.Finance.FinanceOptions>(o => o.IdempotencyRetention = TimeSpan.FromDays(3650)),
        "@idempotency",
        "A key is forgotten once its retention has passed");

    private static Task AssertFails(Func<ILedger, ILedger> fault, string tags, params string[] expectedFailures) =>
        AssertFails(FaultyLedger.Install(fault), tags, expectedFailures);

    private static async Task AssertFails(Action<IServiceCollection> fault, string tags, params string[] expectedFailures)
    {
        await using var target = new ReferenceBackendTarget(fault);
        var selection = Features.InProcess.Where(s => TagExpression.Parse(tags).Matches(s.Tags));

        var run = await new SuiteRunner(new ScenarioRunner(Suite.Registry)).RunAsync(selection, target, cancellationToken: TestContext.Current.CancellationToken);

        var failed = run.Scenarios.Where(s => s.Status == ScenarioStatus.Failed).Select(s => s.Scenario.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(expectedFailures, name => Assert.True(failed.Contains(name), $"'{name}' passed against the faulty backend"));
        Assert.DoesNotContain(run.Scenarios, s => s.Status is ScenarioStatus.Undefined or ScenarioStatus.Ambiguous or ScenarioStatus.NotRun);
    }
}
