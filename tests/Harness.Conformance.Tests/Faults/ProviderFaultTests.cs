using System.Net.Http.Json;
using Harness.Conformance.Running;
using Harness.Conformance.Tests.Support;

namespace Harness.Conformance.Tests.Faults;

/// <summary>
/// The provider features must fail on a provider that signs its callbacks wrongly. The seeded fault here is the
/// sandbox's own standing <c>tampered_signature</c> fault for one provider: the scenarios that verify that
/// provider's notifications must fail, as failures.
/// </summary>
public sealed class ProviderFaultTests
{
    [Theory]
    [InlineData("wechatpay", "Paying sends a signed notification whose resource decrypts to the transaction", "does not verify with the platform certificate")]
    [InlineData("alipay", "Paying sends a signed form notify and the query reports the trade paid", "verif")]
    [InlineData("epay", "Paying sends a signed GET notify and a signed return redirect", "sign (MD5 of the sorted parameters and the key)")]
    public async Task Notifications_with_a_tampered_signature_fail_the_scenario_that_verifies_them(string provider, string scenario, string failure)
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var sandbox = await InProcessSandbox.StartAsync(cancellation);
        await using var target = new ReferenceBackendTarget(sandbox: sandbox);
        using var control = new HttpClient { BaseAddress = new Uri(sandbox.ControlUrl) };
        (await control.PostAsJsonAsync("/control/faults", new { kind = "tampered_signature", provider }, cancellation)).EnsureSuccessStatusCode();
        var scenarios = Features.All.Scenarios.Where(s => s.Name == scenario).ToList();
        Assert.Single(scenarios);

        var run = await new SuiteRunner(new ScenarioRunner(Suite.Registry)).RunAsync(scenarios, target, cancellationToken: cancellation);

        var result = Assert.Single(run.Scenarios);
        Assert.False(result.Passed, result.Report());
        Assert.Contains(failure, result.Report(), StringComparison.Ordinal);
    }
}
