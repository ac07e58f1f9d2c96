using Harness.Conformance.Running;
using Harness.Conformance.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Conformance.Tests.Faults;

/// <summary>
/// The Portaly features must fail on a Portaly app that signs or stamps its callbacks wrongly, mixes live and test,
/// ignores a code's per-customer cap, calls back twice, renews after a cancellation or discounts past a code's cycles:
/// each seeded fault (<see cref="PortalyFaults"/>) makes the scenarios written for that rule fail, as failures. The
/// clean reference passes them all (the test command).
/// </summary>
public sealed class PortalyFaultTests
{
    private const string CompletedOnce = "A completed checkout calls back once with the session's terms";

    [Fact]
    public Task Signing_over_keys_in_code_point_order_fails_the_callback_whose_metadata_sorts_otherwise() => AssertFails(
        PortalyFaults.OrdinalKeyOrder,
        "@portaly and @callbacks",
        CompletedOnce);

    [Fact]
    public Task A_stale_timestamp_fails_every_callback_scenario() => AssertFails(
        PortalyFaults.StaleTimestamp,
        "@portaly and @callbacks",
        CompletedOnce,
        "Completing a checkout again answers it again and calls back no more",
        "Asked again, the checkout callback comes again with the same payload, freshly signed",
        "A recurring plan's checkout also reports the subscription active",
        "A live checkout calls back in live mode, signed with the live key's secret");

    [Fact]
    public Task A_callback_in_the_wrong_mode_fails_the_callback_scenarios() => AssertFails(
        PortalyFaults.CallbackModeSwapped,
        "@portaly and @callbacks",
        CompletedOnce,
        "A live checkout calls back in live mode, signed with the live key's secret");

    [Fact]
    public Task A_test_session_readable_by_the_live_key_fails_the_mode_separation_scenario() => AssertFails(
        PortalyFaults.ModesMixed,
        "@portaly and @auth",
        "A test key's checkout session is invisible to the live key of the same merchant");

    [Fact]
    public Task Ignoring_the_per_customer_cap_fails_its_scenario() => AssertFails(
        PortalyFaults.PerCustomerCapIgnored,
        "@portaly and @checkout",
        "A code's per-customer cap refuses a verified email at creation and an unverified one at payment");

    [Fact]
    public Task Delivering_the_checkout_callback_twice_fails_the_at_most_once_scenarios() => AssertFails(
        PortalyFaults.CheckoutCallbackTwice,
        "@portaly and @callbacks",
        CompletedOnce,
        "Completing a checkout again answers it again and calls back no more",
        "A live checkout calls back in live mode, signed with the live key's secret");

    [Fact]
    public Task A_renewal_after_the_cancellation_took_effect_fails_the_period_end_scenario() => AssertFails(
        PortalyFaults.RenewalAfterCancel,
        "@portaly and @subscriptions",
        "At the period end a cancelled subscription ends without a charge and cannot be resumed");

    [Fact]
    public Task A_discount_applied_past_its_cycles_fails_the_renewals_scenario() => AssertFails(
        PortalyFaults.DiscountPastItsCycles,
        "@portaly and @hosted-checkout",
        "Renewals charge the kept card each period, a two-cycle code on the first charge and the first renewal only");

    private static async Task AssertFails(Action<IServiceCollection> fault, string tags, params string[] expectedFailures)
    {
        // The hosted checkout pays through the sandbox's TapPay: a sandbox of the test's own.
        await using var sandbox = await InProcessSandbox.StartAsync(TestContext.Current.CancellationToken);
        await using var target = new ReferenceBackendTarget(configurePortalyServices: fault, sandbox: sandbox);
        var selection = Features.InProcess.Where(s => TagExpression.Parse(tags).Matches(s.Tags));

        var run = await new SuiteRunner(new ScenarioRunner(Suite.Registry)).RunAsync(selection, target, cancellationToken: TestContext.Current.CancellationToken);

        var failed = run.Scenarios.Where(s => s.Status == ScenarioStatus.Failed).Select(s => s.Scenario.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(expectedFailures, name => Assert.True(failed.Contains(name), $"'{name}' passed against the faulty Portaly app; failed: {string.Join(" | ", failed)}"));
        Assert.DoesNotContain(run.Scenarios, s => s.Status is ScenarioStatus.Undefined or ScenarioStatus.Ambiguous or ScenarioStatus.NotRun);
    }
}
