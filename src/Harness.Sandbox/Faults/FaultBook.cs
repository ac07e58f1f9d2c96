using Harness.Security;

namespace Harness.Sandbox.Faults;

/// <summary>
/// The scripted faults in force. Rules are matched in the order they were added and consumed one firing at a
/// time under a lock, so a script of faults plays out the same way on every run.
/// </summary>
public sealed class FaultBook
{
    private readonly List<FaultRule> _rules = [];

    public FaultRule Add(FaultRule rule)
    {
        rule.Id = "flt_" + Secrets.RandomHex(8);
        rule.Fired = 0;
        lock (_rules)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    public IReadOnlyList<FaultRule> List()
    {
        lock (_rules)
        {
            return [.. _rules];
        }
    }

    public bool Remove(string id)
    {
        lock (_rules)
        {
            return _rules.RemoveAll(r => r.Id == id) > 0;
        }
    }

    public void Clear()
    {
        lock (_rules)
        {
            _rules.Clear();
        }
    }

    /// <summary>
    /// Fires the first live rule of <paramref name="kind"/> for this provider whose payment scope matches; a rule
    /// without a payment scope matches everything. Exhausted rules stay listed (with Remaining = 0) as a record.
    /// </summary>
    public FaultRule? Take(FaultKind kind, string provider, Func<string, bool> matchesPayment)
    {
        lock (_rules)
        {
            var rule = _rules.FirstOrDefault(r =>
                r.Kind == kind
                && r.Remaining is null or > 0
                && (r.Provider is null || string.Equals(r.Provider, provider, StringComparison.OrdinalIgnoreCase))
                && (r.PaymentId is null || matchesPayment(r.PaymentId)));
            if (rule is null)
            {
                return null;
            }

            rule.Remaining--;
            rule.Fired++;
            return rule;
        }
    }

    /// <summary>The faults that shape one batch of callbacks about <paramref name="paymentId"/>.</summary>
    public DeliveryFaults TakeDeliveryFaults(string provider, string paymentId)
    {
        bool Matches(string scope) => string.Equals(scope, paymentId, StringComparison.Ordinal);
        return new DeliveryFaults(
            Duplicate: Take(FaultKind.Duplicate, provider, Matches) is not null,
            OutOfOrder: Take(FaultKind.OutOfOrder, provider, Matches) is not null,
            Delay: Take(FaultKind.Delayed, provider, Matches) is { } delayed ? TimeSpan.FromSeconds(delayed.Seconds ?? 60) : TimeSpan.Zero,
            TamperedSignature: Take(FaultKind.TamperedSignature, provider, Matches) is not null,
            StaleBy: Take(FaultKind.StaleTimestamp, provider, Matches) is { } stale ? TimeSpan.FromSeconds(stale.Seconds ?? 600) : TimeSpan.Zero,
            WrongAmount: Take(FaultKind.WrongAmount, provider, Matches) is not null,
            Dropped: Take(FaultKind.Dropped, provider, Matches) is not null);
    }
}

/// <summary>How one batch of callbacks deviates from a correct delivery.</summary>
public sealed record DeliveryFaults(bool Duplicate, bool OutOfOrder, TimeSpan Delay, bool TamperedSignature, TimeSpan StaleBy, bool WrongAmount, bool Dropped)
{
    public static readonly DeliveryFaults None = new(false, false, TimeSpan.Zero, false, TimeSpan.Zero, false, false);
}
