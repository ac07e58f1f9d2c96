using System.Net.Http.Json;
using System.Text.Json;
using Harness.Conformance.Running;
using Harness.Conformance.Tests.Support;

namespace Harness.Conformance.Tests;

/// <summary>Provider scenarios share one sandbox (a tester's, too): each must leave the merchant settings and faults as it found them.</summary>
public sealed class ProviderIsolationTests
{
    [Fact]
    public async Task Provider_scenarios_put_back_the_settings_they_changed_and_remove_their_faults()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var sandbox = await InProcessSandbox.StartAsync(cancellation);
        await using var target = new ReferenceBackendTarget(sandbox: sandbox);
        using var control = new HttpClient { BaseAddress = new Uri(sandbox.ControlUrl) };
        var operatorsHook = new Dictionary<string, string> { ["webhook_url"] = "http://127.0.0.1:9/operators-own-hook" };
        (await control.PutAsJsonAsync("/control/providers/stripe/settings", operatorsHook, cancellation)).EnsureSuccessStatusCode();
        var before = await control.GetStringAsync(new Uri("/control/providers", UriKind.Relative), cancellation);
        var scenarios = Features.All.Scenarios.Where(s =>
            s.Name is "Events carry the api_version the merchant configured" or "The notify can be sent as a form POST" || s.Example?.Contains("tampered_signature", StringComparison.Ordinal) == true).ToList();

        var run = await new SuiteRunner(new ScenarioRunner(Suite.Registry)).RunAsync(scenarios, target, cancellationToken: cancellation);

        Assert.Equal(4, run.Scenarios.Count);
        Assert.All(run.Scenarios, s => Assert.True(s.Passed, s.Report()));
        Assert.Equal(before, await control.GetStringAsync(new Uri("/control/providers", UriKind.Relative), cancellation));
        var faults = JsonDocument.Parse(await control.GetStringAsync(new Uri("/control/faults", UriKind.Relative), cancellation)).RootElement;
        Assert.Equal(0, faults.GetArrayLength());
    }
}
