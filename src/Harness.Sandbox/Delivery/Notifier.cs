using Harness.Callbacks;
using Harness.Sandbox.Faults;

namespace Harness.Sandbox.Delivery;

/// <summary>
/// A provider's delivery rules: when it retries, what counts as "received", and how long the receiver has to answer
/// one attempt where the provider states a deadline (null: <see cref="SandboxOptions.CallbackTimeout"/>).
/// </summary>
public sealed record DeliveryPolicy(IReadOnlyList<TimeSpan> RetryDelays, CallbackAcknowledgement Acknowledgement, TimeSpan? AttemptTimeout = null);

/// <summary>
/// Hands a provider's callbacks to the dispatcher with the scripted faults applied. The provider renders and
/// signs each callback (so it can honour wrong-amount, tampered-signature and stale-timestamp faults in its own
/// format); ordering, delay and duplication are applied here, the same way for every provider.
/// </summary>
public sealed class Notifier(CallbackDispatcher dispatcher, FaultBook faults)
{
    /// <summary>Queues the callbacks one action produced, about one payment, under the provider's delivery policy.</summary>
    /// <param name="provider">The sending provider (fault scope and log source).</param>
    /// <param name="paymentId">The payment they are about (fault scope and log subject).</param>
    /// <param name="policy">Retry schedule and acknowledgement rule.</param>
    /// <param name="build">Renders the callbacks, in the order the provider sends them, given the faults that apply.</param>
    public IReadOnlyList<CallbackDelivery> Send(
        string provider, string paymentId, DeliveryPolicy policy, Func<DeliveryFaults, IReadOnlyList<CallbackDelivery>> build)
    {
        var applied = faults.TakeDeliveryFaults(provider, paymentId);
        var batch = build(applied).ToList();
        if (applied.OutOfOrder)
        {
            batch.Reverse();
        }

        var sent = new List<CallbackDelivery>();
        foreach (var delivery in batch)
        {
            Prepare(delivery, provider, paymentId, policy);
            if (applied.Dropped)
            {
                sent.Add(dispatcher.Drop(delivery));
                continue;
            }

            sent.Add(dispatcher.Enqueue(delivery, applied.Delay));
            if (applied.Duplicate)
            {
                // A second, independent delivery of the same bytes: the receiver must de-duplicate by event id.
                var copy = Copy(delivery);
                Prepare(copy, provider, paymentId, policy);
                sent.Add(dispatcher.Enqueue(copy, applied.Delay));
            }
        }

        return sent;
    }

    private static void Prepare(CallbackDelivery delivery, string provider, string paymentId, DeliveryPolicy policy)
    {
        delivery.Source = provider;
        delivery.Subject = paymentId;
        delivery.RetryDelaysSeconds = [.. policy.RetryDelays.Select(d => (long)d.TotalSeconds)];
        delivery.Acknowledgement = policy.Acknowledgement;
        delivery.AttemptTimeoutSeconds = policy.AttemptTimeout is { } timeout ? (int)timeout.TotalSeconds : null;
    }

    private static CallbackDelivery Copy(CallbackDelivery original) => new()
    {
        EventType = original.EventType,
        Method = original.Method,
        Url = original.Url,
        Headers = new(original.Headers, StringComparer.OrdinalIgnoreCase),
        Body = original.Body,
        Signer = original.Signer,
        SignerOptions = new(original.SignerOptions, StringComparer.Ordinal),
    };
}
