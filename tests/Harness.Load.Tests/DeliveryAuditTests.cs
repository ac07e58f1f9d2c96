using System.Diagnostics;
using Harness.Load.Sandbox;

namespace Harness.Load.Tests;

/// <summary>The delivery audit against fabricated arrivals: what one paid one-time checkout must bring, exactly once.</summary>
public sealed class DeliveryAuditTests
{
    private static readonly ReceiverMode Slow = new(ReceiverBehaviour.Slow, TimeSpan.FromSeconds(2));

    [Fact]
    public void Every_paid_payment_with_its_two_events_once_passes()
    {
        var audit = DeliveryAuditor.Audit([Paid("cs_1"), Paid("cs_2")], [.. Events("cs_1", "pi_1", "a"), .. Events("cs_2", "pi_2", "b")], ReceiverMode.Healthy);

        Assert.True(audit.Passed, string.Join(Environment.NewLine, audit.Findings));
        Assert.True(audit.Complete);
        Assert.Equal((2, 4, 4, 0, 0), (audit.PaidPayments, audit.ExpectedEvents, audit.ArrivedEvents, audit.MissingEvents, audit.DuplicateArrivals));
    }

    [Fact]
    public void An_event_received_twice_is_a_finding()
    {
        var events = Events("cs_1", "pi_1", "a");

        var audit = DeliveryAuditor.Audit([Paid("cs_1")], [.. events, events[1]], ReceiverMode.Healthy);

        var finding = Assert.Single(audit.Findings);
        Assert.Equal("event received twice", finding.Kind);
        Assert.Contains("evt_a2 (payment_intent.succeeded about pi_1) arrived 2 times", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(1, audit.DuplicateArrivals);
    }

    [Fact]
    public void A_missing_event_is_a_finding_and_the_intent_of_a_session_whose_completed_event_is_missing_comes_from_the_lookup()
    {
        var events = Events("cs_1", "pi_1", "a");

        var lostIntent = DeliveryAuditor.Audit([Paid("cs_1")], [events[0]], ReceiverMode.Healthy);
        var lostCompleted = DeliveryAuditor.Audit([Paid("cs_1")], [events[1]], ReceiverMode.Healthy, new Dictionary<string, string> { ["cs_1"] = "pi_1" });

        Assert.Equal("event missing", Assert.Single(lostIntent.Findings).Kind);
        Assert.Contains("payment_intent.succeeded of paid session cs_1 (payment intent pi_1)", lostIntent.Findings[0].Detail, StringComparison.Ordinal);
        Assert.Contains("checkout.session.completed of paid session cs_1", Assert.Single(lostCompleted.Findings).Detail, StringComparison.Ordinal);
        Assert.False(lostIntent.Complete);
        Assert.Equal(1, lostCompleted.MissingEvents);
    }

    [Fact]
    public void Events_for_a_payment_the_runner_never_paid_are_findings_and_a_refused_pay_is_not_paid()
    {
        var refused = new PayAttempt("cs_2", 0, 0, PayOutcome.Refused);

        var audit = DeliveryAuditor.Audit([Paid("cs_1"), refused], [.. Events("cs_1", "pi_1", "a"), .. Events("cs_2", "pi_2", "b"), Arrival("evt_c", "checkout.session.expired", "cs_1")], ReceiverMode.Healthy);

        Assert.Equal(["event for a payment the runner never paid", "event for a payment the runner never paid", "unexpected event"], audit.Findings.Select(f => f.Kind).Order(StringComparer.Ordinal));
        Assert.Equal(1, audit.PaidPayments);
    }

    [Fact]
    public void An_uncertain_pay_may_bring_its_events_or_not()
    {
        var uncertain = new PayAttempt("cs_2", 0, 0, PayOutcome.Uncertain);

        var arrived = DeliveryAuditor.Audit([Paid("cs_1"), uncertain], [.. Events("cs_1", "pi_1", "a"), .. Events("cs_2", "pi_2", "b")], ReceiverMode.Healthy);
        var lost = DeliveryAuditor.Audit([Paid("cs_1"), uncertain], Events("cs_1", "pi_1", "a"), ReceiverMode.Healthy);

        Assert.True(arrived.Passed, string.Join(Environment.NewLine, arrived.Findings));
        Assert.True(lost.Passed, string.Join(Environment.NewLine, lost.Findings));
        Assert.Equal(1, arrived.UncertainPayments);
    }

    [Fact]
    public void A_receiver_that_is_not_healthy_counts_missing_and_repeated_events_without_failing()
    {
        var events = Events("cs_1", "pi_1", "a");

        var audit = DeliveryAuditor.Audit([Paid("cs_1"), Paid("cs_2")], [events[0], events[0]], Slow);

        Assert.True(audit.Passed, string.Join(Environment.NewLine, audit.Findings));
        Assert.Equal((3, 1), (audit.MissingEvents, audit.DuplicateArrivals));
        Assert.Contains("arrival not required", audit.Verdict(), StringComparison.Ordinal);
    }

    [Fact]
    public void Pay_to_webhook_latency_runs_from_the_pay_to_the_first_completed_event_of_the_measured_pays()
    {
        var second = Stopwatch.Frequency;
        var pays = new[] { new PayAttempt("cs_1", 0, 1_000, PayOutcome.Paid), new PayAttempt("cs_2", 0, 5, PayOutcome.Paid) };
        var arrivals = new[]
        {
            new WebhookArrival("evt_1", DeliveryAuditor.SessionCompleted, "cs_1", "pi_1", second / 4, 0),
            new WebhookArrival("evt_2", DeliveryAuditor.SessionCompleted, "cs_2", "pi_2", second, 0),
        };

        var latency = DeliveryAuditor.PayToWebhook(pays, arrivals, unixMs => unixMs >= 1_000);

        Assert.Equal(1, latency.TotalCount);
        Assert.InRange(latency.GetValueAtPercentile(50), 249_000, 251_000); // µs: cs_2 was paid in the warm-up
    }

    private static PayAttempt Paid(string session) => new(session, 0, 0, PayOutcome.Paid);

    /// <summary>What a paid one-time checkout sends: the session's completed event naming its intent, then the intent's.</summary>
    private static WebhookArrival[] Events(string session, string intent, string tag) =>
        [Arrival($"evt_{tag}1", DeliveryAuditor.SessionCompleted, session, intent), Arrival($"evt_{tag}2", DeliveryAuditor.IntentSucceeded, intent)];

    private static WebhookArrival Arrival(string id, string type, string objectId, string? intent = null) => new(id, type, objectId, intent, 0, 0);
}
