using System.Text.RegularExpressions;
using Harness.Conformance.Running;
using Harness.Conformance.Targets;
using Harness.Conformance.Tests.Support;

namespace Harness.Conformance.Tests;

/// <summary>What a tester sees with a partial profile, and what a failure shows of the HTTP exchange.</summary>
public sealed class ProfileTests
{
    private static readonly SuiteRunner Runner = new(new ScenarioRunner(Suite.Registry));

    [Fact]
    public async Task With_only_a_user_token_and_an_api_key_the_suite_runs_what_it_can_and_names_what_is_missing()
    {
        await using var target = new ReferenceBackendTarget(profile: p => p with { AdminJwt = null, AdminId = null, SmsSandbox = false });

        var run = await Runner.RunAsync(Features.InProcess, target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.All(run.Scenarios, s => Assert.True(s.Status is ScenarioStatus.Passed or ScenarioStatus.NotRun, s.Report()));
        Assert.True(run.Count(ScenarioStatus.Passed) >= 40, $"only {run.Count(ScenarioStatus.Passed)} scenarios ran as the profile's user");
        var newUser = run.Scenarios.Single(s => s.Scenario.Name == "A pre-check reports the shortfall when the balance does not cover the price");
        Assert.Equal("not run: needs smsSandbox (new users through the SMS sandbox); adminJwt", newUser.Message);
        var reSignIn = run.Scenarios.Single(s => s.Scenario.Name == "Signing in again ends the previous session");
        Assert.Equal(ScenarioStatus.NotRun, reSignIn.Status);
        Assert.Equal(ScenarioStatus.Passed, run.Scenarios.First(s => s.Scenario.Name == "Repeating a consumption returns the original result").Status);
    }

    [Fact]
    public async Task Without_any_user_the_user_scenarios_are_not_run()
    {
        await using var target = new ReferenceBackendTarget(profile: p => p with { UserJwt = null, AdminJwt = null, SmsSandbox = false });

        var run = await Runner.RunAsync(Features.InProcess, target, cancellationToken: TestContext.Current.CancellationToken);

        var tokens = run.Scenarios.First(s => s.Scenario.Name.StartsWith("Token usage is charged", StringComparison.Ordinal));
        Assert.Equal("not run: needs userJwt and userId, or adminJwt with smsSandbox", tokens.Message);
        Assert.Contains(run.Scenarios, s => s.Scenario.Name == "A token the target never issued is refused" && s.Passed);
    }

    [Fact]
    public async Task Without_the_new_api_keys_the_new_api_scenarios_are_not_run_and_say_what_they_need()
    {
        await using var target = new ReferenceBackendTarget(profile: p => p with { NewApiUrl = null });
        var scenarios = Features.InProcess.Where(s => s.Surface == "new-api").ToList();

        var run = await Runner.RunAsync(scenarios, target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.Scenarios.Count >= 30, $"only {run.Scenarios.Count} New-API scenarios");
        Assert.All(run.Scenarios, s => Assert.StartsWith("not run: needs newApiUrl, newApiAdminToken and newApiAdminId (the New-API surface and an administrator's access token)", s.Message, StringComparison.Ordinal));
        Assert.Contains(target.Profile.NewApiAdminToken, target.Profile.Secrets);
        Assert.Equal("Redeems beyond the critical rate limit are refused with HTTP 429 and an empty body", Runner.Order(scenarios).Last().Name);
    }

    [Fact]
    public async Task Without_a_hosted_checkout_paying_through_the_sandbox_the_hosted_checkout_scenarios_are_not_run_and_say_so()
    {
        // No sandbox: the Portaly app has no TapPay, and the profile says portalyHostedCheckout: false.
        await using var target = new ReferenceBackendTarget();
        var scenarios = Features.InProcess.Where(s => s.Tags.Contains("hosted-checkout")).ToList();

        var run = await Runner.RunAsync(scenarios, target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.Scenarios.Count >= 6, $"only {run.Scenarios.Count} hosted checkout scenarios");
        Assert.All(run.Scenarios, s => Assert.StartsWith("not run: needs portalyHostedCheckout: true with sandboxUrl", s.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Scenarios_that_move_the_clock_run_last_and_those_that_need_the_profiles_credentials_first_among_them()
    {
        var scenarios = Features.InProcess.Where(s => s.Surface == "finance").ToList();
        var runner = new ScenarioRunner(Suite.Registry);

        var order = Runner.Order(scenarios).ToList();

        var clock = order.Select((s, i) => (s, i)).Where(x => runner.NeedsOf(x.s).Contains(Binding.Need.ClockControl)).Select(x => x.i).ToList();
        Assert.True(clock.Count >= 6, $"only {clock.Count} scenarios move the clock");
        Assert.Equal(Enumerable.Range(order.Count - clock.Count, clock.Count), clock);
        Assert.Equal(scenarios.Count, order.Distinct().Count());
        int Position(string name) => order.FindIndex(s => s.Name == name);
        Assert.True(Position("A key is forgotten once its retention has passed") < Position("A token is refused after its expiry even while its session is in use"));
    }

    /// <summary>They carry a shared sandbox's clock months ahead, past the expiry of every channel order placed afterwards.</summary>
    [Fact]
    public void Scenarios_that_move_the_sandboxs_clock_run_after_every_other_but_the_rate_limit()
    {
        var order = Runner.Order(Features.InProcess).ToList();

        var moving = order.Select((s, i) => (s, i)).Where(x => x.s.Tags.Contains("moves-sandbox-clock")).Select(x => x.i).ToList();
        Assert.NotEmpty(moving);
        Assert.Equal(Enumerable.Range(order.Count - 1 - moving.Count, moving.Count), moving);
        Assert.Equal("Redeems beyond the critical rate limit are refused with HTTP 429 and an empty body", order[^1].Name);
    }

    [Fact]
    public void A_target_by_url_moves_its_clock_only_with_a_test_clock_in_the_profile()
    {
        using var without = new HttpTarget(new TargetProfile { BaseUrl = "http://localhost:8005" });
        using var with = new HttpTarget(new TargetProfile { BaseUrl = "http://localhost:8005", TestClockUrl = "http://localhost:8005/api/test/clock/advance" });

        Assert.False(without.Offers(Binding.Need.ClockControl));
        Assert.True(with.Offers(Binding.Need.ClockControl));
        Assert.StartsWith("testClockUrl", Binding.Needs.Describe(Binding.Need.ClockControl), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_step_shows_its_http_exchange_with_credentials_masked()
    {
        await using var target = new ReferenceBackendTarget();
        using var features = new Runner.Sample();
        var scenario = Assert.Single(features.Write("finance/wrong.feature", """
            @finance
            Feature: Wrong expectation
              Scenario: Expects the charge to be free
                Given a new user with 100 coins
                And the agent engine has an API key that may bill every user
                When the agent engine consumes a fixed charge of "report-export"
                Then the balance is 100 coins
            """).Scenarios);

        var result = await new ScenarioRunner(Suite.Registry).RunAsync(scenario, target, TestContext.Current.CancellationToken);

        Assert.Equal(ScenarioStatus.Failed, result.Status);
        Assert.Contains("balance: expected 100, got 50", result.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP exchange of this step:\nGET http://localhost/api/finance/balance\n  Authorization: Bearer eyJh…***", result.Message, StringComparison.Ordinal);
        Assert.Contains("→ HTTP 200 OK", result.Message, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("eyJ[A-Za-z0-9_-]{10,}"), result.Report());
        Assert.DoesNotContain(target.Profile.FinanceApiKey!, result.Report(), StringComparison.Ordinal);
    }
}
