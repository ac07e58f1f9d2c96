using Harness.Conformance.Running;
using Harness.Conformance.Tests.Support;
using Harness.Finance.Payments;
using Harness.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Conformance.Tests.Faults;

/// <summary>
/// The recharge features must fail on a backend that applies notifications wrongly: each seeded fault below makes
/// the scenarios written for that rule fail, as failures (with the provider sandbox, so none is "not run").
/// </summary>
public sealed class RechargeFaultTests
{
    [Fact]
    public Task Ignoring_the_replay_window_fails_the_stale_notification_scenarios() => AssertFails(
        ReplayWindowIgnored.Install,
        "A notification with a stale timestamp is refused and credits nothing on wechat",
        "A notification with a stale timestamp is refused and credits nothing on alipay");

    [Fact]
    public Task Crediting_every_notification_fails_the_duplicate_scenarios() => AssertFails(
        FaultyChannel.Install((inner, sp) => new CreditOnEveryNotification(inner, sp.GetRequiredService<PaymentOrders>(), sp.GetRequiredService<ILedger>())),
        "A duplicate of the sandbox's notification credits once on wechat",
        "A duplicate of the sandbox's notification credits once on alipay",
        "The same valid notification twice credits once on wechat",
        "The same valid notification twice credits once on alipay",
        "A late notification for a paid recharge credits nothing more on alipay",
        "Concurrent notifications credit once on wechat",
        "Notifications out of order credit once on alipay");

    [Fact]
    public Task Not_checking_the_amount_fails_the_wrong_amount_scenarios() => AssertFails(
        FaultyChannel.Install((inner, sp) => new AmountNotChecked(inner, sp.GetRequiredService<PaymentOrders>())),
        "A validly signed notification for another amount is acknowledged and credits nothing on wechat",
        "A validly signed notification for another amount is acknowledged and credits nothing on alipay");

    [Fact]
    public Task Never_asking_the_channel_fails_the_lost_notification_scenarios() => AssertFails(
        FaultyChannel.Install((inner, _) => new ChannelNeverAsked(inner)),
        "A dropped notification is recovered by the status query, and the late one credits nothing more on wechat",
        "A dropped notification is recovered by the status query, and the late one credits nothing more on alipay");

    /// <summary>Runs the recharge scenarios named (an outline's example by its name with the values filled in) against the faulty backend.</summary>
    private static async Task AssertFails(Action<IServiceCollection> fault, params string[] expectedFailures)
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var sandbox = await InProcessSandbox.StartAsync(cancellation);
        await using var target = new ReferenceBackendTarget(fault, sandbox: sandbox);
        var selection = Features.InProcess.Where(s => s.Tags.Contains("recharge") && expectedFailures.Contains(s.Name)).ToList();
        Assert.Equal(expectedFailures.Length, selection.Count);

        var run = await new SuiteRunner(new ScenarioRunner(Suite.Registry)).RunAsync(selection, target, cancellationToken: cancellation);

        var failed = run.Scenarios.Where(s => s.Status == ScenarioStatus.Failed).Select(s => s.Scenario.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(expectedFailures, name => Assert.True(failed.Contains(name), $"'{name}' passed against the faulty backend"));
        Assert.DoesNotContain(run.Scenarios, s => s.Status is ScenarioStatus.Undefined or ScenarioStatus.Ambiguous or ScenarioStatus.NotRun);
    }
}
