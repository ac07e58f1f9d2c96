using System.Diagnostics;
using System.Globalization;
using Harness.Load.Audit;
using HdrHistogram;

namespace Harness.Load.Sandbox;

/// <summary>What the webhooks of a pay-and-deliver run came to, against what its pays call for.</summary>
/// <param name="Mode">How the receiver answered.</param>
/// <param name="PaidPayments">Pays answered "paid": each must bring its events.</param>
/// <param name="UncertainPayments">Pays without a definite answer: their events may or may not come.</param>
/// <param name="ExpectedEvents">Events the paid payments call for.</param>
/// <param name="ArrivedEvents">Distinct events that reached the receiver.</param>
/// <param name="MissingEvents">Expected events that did not arrive.</param>
/// <param name="DuplicateArrivals">Arrivals of an event id already received.</param>
/// <param name="Findings">What fails the audit: with a receiver that is not healthy, missing and repeated events are counted, not findings.</param>
public sealed record DeliveryAudit(
    ReceiverMode Mode,
    int PaidPayments,
    int UncertainPayments,
    int ExpectedEvents,
    int ArrivedEvents,
    int MissingEvents,
    int DuplicateArrivals,
    IReadOnlyList<AuditFinding> Findings)
{
    public bool Passed => Findings.Count == 0;

    /// <summary>Whether every expected event arrived (what the wait after the load waits for).</summary>
    public bool Complete => MissingEvents == 0;

    public string Verdict() => string.Create(
        CultureInfo.InvariantCulture,
        $"{(Passed ? "PASSED" : "FAILED")}: {PaidPayments:N0} payments paid ({UncertainPayments:N0} without a definite answer), {ExpectedEvents:N0} events expected, {ArrivedEvents:N0} arrived, {MissingEvents:N0} missing, {DuplicateArrivals:N0} received twice; receiver {Mode}{(Mode.RequiresArrival ? "" : ": arrival not required, missing events are not findings")}; {Findings.Count:N0} findings.");
}

/// <summary>
/// Checks the receiver's arrivals against the pays: a paid one-time Stripe checkout sends exactly
/// <c>checkout.session.completed</c> (about the session) then <c>payment_intent.succeeded</c> (about its
/// payment intent, which only the session names), each once to a healthy receiver and signed with the
/// webhook secret; no event may concern a payment the runner did not pay.
/// </summary>
public static class DeliveryAuditor
{
    public const string SessionCompleted = "checkout.session.completed";
    public const string IntentSucceeded = "payment_intent.succeeded";

    /// <summary>The audit of <paramref name="arrivals"/>; <paramref name="intents"/> names the payment intent of sessions whose completed event did not arrive, where it was looked up.</summary>
    public static DeliveryAudit Audit(IReadOnlyList<PayAttempt> pays, IReadOnlyList<WebhookArrival> arrivals, ReceiverMode mode, IReadOnlyDictionary<string, string>? intents = null)
    {
        var findings = new List<AuditFinding>();
        var byId = arrivals.Where(a => a.EventId is not null).GroupBy(a => a.EventId!, StringComparer.Ordinal).ToList();
        var repeated = byId.Where(g => g.Count() > 1).ToList();
        if (mode.RequiresArrival)
        {
            findings.AddRange(repeated.Select(g => new AuditFinding("event received twice", Invariant($"{g.Key} ({g.First().Type} about {g.First().ObjectId}) arrived {g.Count()} times"))));
        }

        findings.AddRange(arrivals.Where(a => a.EventId is null).Select(_ => new AuditFinding("not an event", "a request to the receiver whose body is not a Stripe event")));
        findings.AddRange(arrivals.Where(a => a.SignatureValid == false).Select(a => new AuditFinding("bad signature", Invariant($"{a.EventId} ({a.Type} about {a.ObjectId}): its Stripe-Signature does not match the body under the webhook secret"))));
        var events = byId.Select(g => g.First()).ToList();
        var paid = pays.Where(p => p.Outcome == PayOutcome.Paid).Select(p => p.PaymentId).ToHashSet(StringComparer.Ordinal);
        var maybePaid = pays.Where(p => p.Outcome == PayOutcome.Uncertain).Select(p => p.PaymentId).ToHashSet(StringComparer.Ordinal);
        var completed = events.Where(e => e.Type == SessionCompleted && e.ObjectId is not null).ToLookup(e => e.ObjectId!, StringComparer.Ordinal);
        var intentOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var session in paid.Concat(maybePaid))
        {
            if ((completed[session].FirstOrDefault()?.PaymentIntent ?? intents?.GetValueOrDefault(session)) is { } intent)
            {
                intentOf[session] = intent;
            }
        }

        var ourIntents = intentOf.Values.ToHashSet(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var ours = e.Type switch
            {
                SessionCompleted => e.ObjectId is not null && (paid.Contains(e.ObjectId) || maybePaid.Contains(e.ObjectId)),
                IntentSucceeded => e.ObjectId is not null && ourIntents.Contains(e.ObjectId),
                _ => false,
            };
            if (!ours)
            {
                findings.Add(e.Type is SessionCompleted or IntentSucceeded
                    ? new AuditFinding("event for a payment the runner never paid", Invariant($"{e.EventId} {e.Type} about {e.ObjectId}"))
                    : new AuditFinding("unexpected event", Invariant($"{e.EventId} {e.Type} about {e.ObjectId}: a paid one-time checkout sends {SessionCompleted} and {IntentSucceeded} only")));
            }
        }

        var intentEvents = events.Where(e => e.Type == IntentSucceeded && e.ObjectId is not null).Select(e => e.ObjectId!).ToHashSet(StringComparer.Ordinal);
        var missing = new List<AuditFinding>();
        foreach (var session in paid.Order(StringComparer.Ordinal))
        {
            if (!completed.Contains(session))
            {
                missing.Add(new AuditFinding("event missing", Invariant($"{SessionCompleted} of paid session {session}")));
            }

            if (!intentOf.TryGetValue(session, out var intent) || !intentEvents.Contains(intent))
            {
                missing.Add(new AuditFinding("event missing", Invariant($"{IntentSucceeded} of paid session {session} (payment intent {intent ?? "unknown"})")));
            }
        }

        if (mode.RequiresArrival)
        {
            findings.AddRange(missing);
        }

        return new DeliveryAudit(mode, paid.Count, maybePaid.Count, paid.Count * 2, events.Count, missing.Count, repeated.Sum(g => g.Count() - 1), findings);
    }

    /// <summary>
    /// Pay → webhook latency in microseconds: from just before each pay call was sent to the arrival of its
    /// <c>checkout.session.completed</c>, for the pays <paramref name="measured"/> accepts (the measured window, not the warm-up).
    /// </summary>
    public static LongHistogram PayToWebhook(IReadOnlyList<PayAttempt> pays, IReadOnlyList<WebhookArrival> arrivals, Func<long, bool> measured)
    {
        var histogram = new LongHistogram(Engine.StepStats.HighestLatency, 3);
        var firstCompleted = arrivals.Where(a => a.Type == SessionCompleted && a.ObjectId is not null)
            .GroupBy(a => a.ObjectId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(a => a.ArrivedTicks), StringComparer.Ordinal);
        foreach (var pay in pays.Where(p => p.Outcome == PayOutcome.Paid && measured(p.PayStartUnixMs)))
        {
            if (firstCompleted.TryGetValue(pay.PaymentId, out var arrived))
            {
                var microseconds = (arrived - pay.PayStartTicks) * 1_000_000 / Stopwatch.Frequency;
                histogram.RecordValue(Math.Clamp(microseconds, 1, Engine.StepStats.HighestLatency));
            }
        }

        return histogram;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
