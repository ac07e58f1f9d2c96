using System.Collections.Concurrent;

namespace Harness.Load.Sandbox;

/// <summary>What the pay call of one payment got back.</summary>
public enum PayOutcome
{
    /// <summary>200 with the payment paid: its events must arrive.</summary>
    Paid,

    /// <summary>No definite answer (timeout, connection lost, 5xx): it may or may not have been paid.</summary>
    Uncertain,

    /// <summary>A definite refusal: nothing was paid, no event may arrive.</summary>
    Refused,
}

/// <summary>One payment the runner tried to pay, with when the pay call left (for the pay → webhook latency).</summary>
/// <param name="PaymentId">The Checkout Session id.</param>
/// <param name="PayStartTicks">Stopwatch timestamp just before the pay call was sent.</param>
/// <param name="PayStartUnixMs">The same instant on the wall clock, to tell the measured window from the warm-up.</param>
/// <param name="Outcome">What the pay call got back.</param>
public sealed record PayAttempt(string PaymentId, long PayStartTicks, long PayStartUnixMs, PayOutcome Outcome);

/// <summary>Every pay the pay-and-deliver scenario made, for the delivery audit. Thread-safe.</summary>
public sealed class PaymentJournal
{
    private readonly ConcurrentDictionary<string, PayAttempt> _attempts = new(StringComparer.Ordinal);

    public void Record(PayAttempt attempt) => _attempts[attempt.PaymentId] = attempt;

    public IReadOnlyList<PayAttempt> Snapshot() => [.. _attempts.Values];

    public int Count => _attempts.Count;
}
