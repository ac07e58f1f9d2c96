using Harness.Conformance.Binding;
using Harness.Conformance.Running;
using Harness.Conformance.Tests.Support;

namespace Harness.Conformance.Tests;

/// <summary>
/// Every scenario of the features the reference backend and the in-process provider sandbox serve, one test each, named
/// <c>Feature › Scenario [example]</c>, with each Gherkin tag as trait <c>tag</c> (so
/// <c>--filter-trait "tag=idempotency"</c> and <c>./run-harness.sh test --tags @idempotency</c> select them).
/// </summary>
public sealed class FeatureScenarios(FeatureScenarios.Backend backend) : IClassFixture<FeatureScenarios.Backend>
{
    private static readonly ScenarioRunner Runner = new(Suite.Registry);

    /// <summary>The critical rate limit of the New-API app the rate-limit scenario gets.</summary>
    private const int CriticalRateLimit = 5;

    public static IEnumerable<TheoryDataRow<string>> Scenarios() =>
        Features.InProcess.Select(scenario =>
        {
            // The pickle id (feature path and line) is the serializable argument; the name is for people.
            var row = new TheoryDataRow<string>(scenario.Id).WithTestDisplayName(scenario.DisplayName).WithTrait("feature", scenario.Feature.Name);
            foreach (var tag in scenario.Tags)
            {
                row.WithTrait("tag", tag);
            }

            return row;
        });

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario(string id)
    {
        var scenario = Features.All[id];
        ScenarioResult result;
        if (scenario.Tags.Contains("moves-sandbox-clock"))
        {
            // Days or months pass on the sandbox's clock: on the shared sandbox, the channels' orders of later scenarios would
            // already be past their time_expire there.
            await using var sandbox = await InProcessSandbox.StartAsync(TestContext.Current.CancellationToken);
            await using var own = new ReferenceBackendTarget(sandbox: sandbox);
            result = await Runner.RunAsync(scenario, own, TestContext.Current.CancellationToken);
        }
        else if (Runner.NeedsOf(scenario).Contains(Need.ClockControl))
        {
            // A scenario that lets hours or days pass gets a backend of its own: on the shared one, the clock
            // would carry the profile's tokens past their exp (7 days) for every scenario after it.
            await using var own = new ReferenceBackendTarget(sandbox: backend.Sandbox);
            result = await Runner.RunAsync(scenario, own, TestContext.Current.CancellationToken);
        }
        else if (Runner.NeedsOf(scenario).Contains(Need.PortalyClock))
        {
            // Moving the Portaly clock would expire the checkout sessions of the scenarios after it on the shared app.
            // The shared sandbox's TapPay is not moved by it: the hosted checkout's renewals charge there.
            await using var own = new ReferenceBackendTarget(sandbox: backend.Sandbox);
            result = await Runner.RunAsync(scenario, own, TestContext.Current.CancellationToken);
        }
        else if (Runner.NeedsOf(scenario).Contains(Need.NewApiRateLimit))
        {
            // The scenario that trips New-API's critical rate limit gets a New-API app of its own with a low limit: on the
            // shared one, every redeem after it would be refused for the rest of the window.
            await using var own = new ReferenceBackendTarget(newApiCriticalRateLimit: CriticalRateLimit);
            result = await Runner.RunAsync(scenario, own, TestContext.Current.CancellationToken);
        }
        else
        {
            result = await Runner.RunAsync(scenario, backend.Target, TestContext.Current.CancellationToken);
        }

        Assert.True(result.Passed, result.Report());
    }

    /// <summary>
    /// One backend and one provider sandbox for every scenario: each scenario signs up its own users and makes its
    /// own payments, and provider scenarios put back the settings and faults they change, so they stay independent.
    /// </summary>
    public sealed class Backend : IAsyncLifetime
    {
        private InProcessSandbox? _sandbox;
        private ReferenceBackendTarget? _target;

        public ReferenceBackendTarget Target => _target ?? throw new InvalidOperationException("The fixture has not started.");

        public InProcessSandbox Sandbox => _sandbox ?? throw new InvalidOperationException("The fixture has not started.");

        public async ValueTask InitializeAsync()
        {
            _sandbox = await InProcessSandbox.StartAsync(TestContext.Current.CancellationToken);
            _target = new ReferenceBackendTarget(sandbox: _sandbox);
        }

        public async ValueTask DisposeAsync()
        {
            if (_target is not null)
            {
                await _target.DisposeAsync();
            }

            if (_sandbox is not null)
            {
                await _sandbox.DisposeAsync();
            }
        }
    }
}
