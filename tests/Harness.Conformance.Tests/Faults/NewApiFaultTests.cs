using Harness.Conformance.Running;
using Harness.Conformance.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Conformance.Tests.Faults;

/// <summary>
/// The New-API features must fail on a New-API app that credits twice or trusts what it should check: each seeded
/// fault (<see cref="NewApiFaults"/>) makes the scenarios written for that rule fail, as failures.
/// </summary>
public sealed class NewApiFaultTests
{
    /// <summary>The admin routes of new-api-auth.feature's outline, each an example of its own.</summary>
    private static readonly string[] AdminRoutes =
    [
        "GET /api/redemption/", "GET /api/redemption/search?keyword=a", "GET /api/redemption/1", "POST /api/redemption/", "PUT /api/redemption/",
        "DELETE /api/redemption/invalid", "DELETE /api/redemption/1", "POST /api/user/", "GET /api/user/search?keyword=a", "POST /api/user/manage",
    ];

    [Fact]
    public Task A_code_two_users_can_both_redeem_fails_the_race_scenario() => AssertFails(
        NewApiFaults.CodeNotSingleUse,
        "@new-api and @redeem and not @rate-limit",
        "Two users redeeming one code at the same time: one gets it, the quota is credited once");

    [Fact]
    public Task Redeeming_two_codes_at_once_fails_the_processing_scenario() => AssertFails(
        NewApiFaults.UserRedeemsAtOnce,
        "@new-api and @redeem and not @rate-limit",
        "A second redeem by the same user while one is in progress is told to try again");

    /// <summary>Epay, Stripe and Creem complete orders alike: copies at once of each provider's callback meet the fault.</summary>
    [Fact]
    public Task Crediting_each_completion_at_once_fails_the_concurrent_scenarios() => AssertFails(
        NewApiFaults.CompletionNotOnce,
        "@new-api and @topup and not @e2e",
        withSandbox: true,
        "Two admins completing one order at once both succeed and the quota is credited once",
        "Five copies of the notify at once for a pending order credit it once",
        "Five copies of the event at once for a pending order credit it once",
        "Five copies of the webhook at once for a pending order credit it once");

    [Fact]
    public Task Crediting_each_repeated_notify_fails_the_repeat_scenarios() => AssertFails(
        NewApiFaults.PaidOrderReadAsPending,
        "@new-api and @topup and not (@stripe or @creem or @e2e)",
        "The same notify again, as a form POST and five copies at once is acknowledged each time and credited once",
        "Two admins completing one order at once both succeed and the quota is credited once");

    [Fact]
    public Task Accepting_any_sign_fails_the_tampered_notify_scenario() => AssertFails(
        NewApiFaults.SignNotChecked,
        "@new-api and @topup and not (@stripe or @creem or @e2e)",
        "A notify with a tampered sign is refused and credits nothing");

    [Fact]
    public Task Ignoring_the_paid_amount_fails_the_other_amount_scenario() => AssertFails(
        NewApiFaults.AmountNotChecked,
        "@new-api and @topup and not (@stripe or @creem or @e2e)",
        "A validly signed notify for another amount than the order's is refused and credits nothing");

    /// <summary>The Stripe and Creem orders are placed on the in-process sandbox, which the played webhooks never reach.</summary>
    [Fact]
    public Task Accepting_any_webhook_signature_fails_the_tampered_foreign_unsigned_and_stale_webhook_scenarios() => AssertFails(
        NewApiFaults.WebhookSignatureNotChecked,
        "@new-api and (@stripe or @creem) and not @e2e",
        withSandbox: true,
        "A body altered after signing is refused with 400 and credits nothing",
        "An event signed with another secret or not signed at all is refused with 400 and credits nothing",
        "An event signed ten minutes ago is stale and refused with 400, and credits nothing",
        "A body altered after signing is refused with 401 and credits nothing",
        "A webhook signed with another secret or not signed is refused with 401 and credits nothing");

    [Fact]
    public Task Letting_users_into_admin_routes_fails_the_lack_of_rights_scenarios() => AssertFails(
        NewApiFaults.AdminGuardDropped,
        "@new-api and (@auth or @topup) and not (@stripe or @creem or @e2e)",
        [
            .. AdminRoutes.Select(route => route + " checks credentials in upstream's order"),
            "A common user cannot make users or ban them",
            "Manual completion refuses an unknown order and a common user",
        ]);

    private static Task AssertFails(Action<IServiceCollection> fault, string tags, params string[] expectedFailures) =>
        AssertFails(fault, tags, withSandbox: false, expectedFailures);

    private static async Task AssertFails(Action<IServiceCollection> fault, string tags, bool withSandbox, params string[] expectedFailures)
    {
        await using var sandbox = withSandbox ? await InProcessSandbox.StartAsync(TestContext.Current.CancellationToken) : null;
        await using var target = new ReferenceBackendTarget(sandbox: sandbox, configureNewApiServices: fault);
        var selection = Features.InProcess.Where(s => TagExpression.Parse(tags).Matches(s.Tags));

        var run = await new SuiteRunner(new ScenarioRunner(Suite.Registry)).RunAsync(selection, target, cancellationToken: TestContext.Current.CancellationToken);

        var failed = run.Scenarios.Where(s => s.Status == ScenarioStatus.Failed).Select(s => s.Scenario.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(expectedFailures, name => Assert.True(failed.Contains(name), $"'{name}' passed against the faulty New-API app; failed: {string.Join(" | ", failed)}"));
        Assert.DoesNotContain(run.Scenarios, s => s.Status is ScenarioStatus.Undefined or ScenarioStatus.Ambiguous or ScenarioStatus.NotRun);
    }
}
