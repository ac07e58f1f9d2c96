using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;
using Harness.Conformance.Running;
using Harness.Conformance.Targets;
using Harness.Conformance.Tests.Runner;
using Harness.Conformance.Tests.Support;

namespace Harness.Conformance.Tests.Portaly;

/// <summary>
/// The merchants "a Portaly merchant" reuses belong to the target they were made on: a target started after another
/// one stopped can listen on the same loopback port, and must not be handed keys it never issued.
/// </summary>
public sealed class PortalyMerchantPoolTests : IDisposable
{
    private readonly Sample _sample = new();

    public void Dispose() => _sample.Dispose();

    [Fact]
    public async Task A_second_target_at_the_same_url_gets_merchants_of_its_own()
    {
        var scenario = Assert.Single(_sample.Write("pool.feature", """
            @portaly
            Feature: Pool
              Scenario: A plan of a pooled merchant
                Given a Portaly merchant
                And the merchant has a monthly plan "basic" of 300
            """).Scenarios);
        var runner = new ScenarioRunner(Suite.Registry);
        var cancellationToken = TestContext.Current.CancellationToken;

        await using var first = new ReferenceBackendTarget();
        var onFirst = await runner.RunAsync(scenario, first, cancellationToken);
        Assert.True(onFirst.Passed, onFirst.Report());

        // Another Portaly app answers at the first one's address, as after a restart on a reused port.
        await using var second = new ReferenceBackendTarget();
        using var samePlace = new SameUrlTarget(first.Profile, second);
        var onSecond = await runner.RunAsync(scenario, samePlace, cancellationToken);

        Assert.True(onSecond.Passed, onSecond.Report());
    }

    [Fact]
    public async Task A_second_target_at_the_same_url_starts_with_the_whole_rate_budget()
    {
        var catalog = _sample.Write("budget.feature", """
            @portaly
            Feature: Budget
              Scenario: The profile's merchant writes its whole minute
                Given the profile's Portaly merchant
                When the merchant uses up its writes of the minute

              Scenario: The profile's merchant writes once
                Given the profile's Portaly merchant
                And the merchant has a monthly plan "basic" of 300
            """);
        var runner = new ScenarioRunner(Suite.Registry);
        var cancellationToken = TestContext.Current.CancellationToken;

        await using var first = new ReferenceBackendTarget();
        var usedUp = await runner.RunAsync(catalog.Scenarios[0], first, cancellationToken);
        Assert.True(usedUp.Passed, usedUp.Report());

        // The same demo key at the same address, but a new app whose limiter has counted nothing: the write goes at
        // once (waiting out the first app's minute would outlast the step's 60 seconds).
        await using var second = new ReferenceBackendTarget();
        using var samePlace = new SameUrlTarget(first.Profile, second);
        var onSecond = await runner.RunAsync(catalog.Scenarios[1], samePlace, cancellationToken);

        Assert.True(onSecond.Passed, onSecond.Report());
    }

    /// <summary>Presents the first target's profile (its Portaly URL) while every request reaches another app.</summary>
    private sealed class SameUrlTarget(TargetProfile profile, ReferenceBackendTarget actual) : IConformanceTarget, IDisposable
    {
        private readonly Redirect _handler = new(new Uri(profile.PortalyUrl!), new Uri(actual.Profile.PortalyUrl!), actual.Handler);

        public string Name => "another app at the same URL";

        public TargetProfile Profile { get; } = profile with
        {
            PortalyTestKey = actual.Profile.PortalyTestKey,
            PortalyAdminToken = actual.Profile.PortalyAdminToken,
        };

        public Uri BaseAddress => actual.BaseAddress;

        public HttpMessageHandler Handler => _handler;

        public bool Offers(Need need) => Profile.Offers(need);

        public bool Serves(Scenario scenario) => actual.Serves(scenario);

        public Task LetTimePassAsync(TimeSpan duration, CancellationToken cancellationToken) => actual.LetTimePassAsync(duration, cancellationToken);

        public void Dispose() => _handler.Dispose();
    }

    private sealed class Redirect(Uri from, Uri to, HttpMessageHandler actual) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _actual = new(actual, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } url && url.Authority == from.Authority)
            {
                request.RequestUri = new UriBuilder(url) { Host = to.Host, Port = to.Port }.Uri;
            }

            return _actual.SendAsync(request, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _actual.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
