using System.Text;
using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Portaly.Auth;
using Harness.Security.Signing;

namespace Harness.Portaly.Callbacks;

/// <summary>The event names of the contract.</summary>
public static class PortalyEvents
{
    public const string CheckoutCompleted = "creator_subscription.checkout.completed";
    public const string CheckoutFailed = "creator_subscription.checkout.failed";
    public const string PaymentSucceeded = "creator_subscription.payment.succeeded";
    public const string PaymentFailed = "creator_subscription.payment.failed";
    public const string PaymentRefunded = "creator_subscription.payment.refunded";
    public const string RefundFailed = "creator_subscription.payment.refund_failed";
    public const string Active = "creator_subscription.active";
    public const string CancelRequested = "creator_subscription.cancel_requested";
    public const string Canceled = "creator_subscription.canceled";
}

/// <summary>
/// Sends the surface's signed callbacks through the shared dispatcher: the payload is stored as its stableJson (the
/// exact bytes sent on every attempt), signed anew per attempt with the key's <c>callbackSecret</c> and a fresh
/// timestamp, and retried until the receiver answers 2xx.
/// </summary>
public sealed class PortalyCallbacks(CallbackDispatcher dispatcher)
{
    public const string Source = "portaly";

    /// <summary>
    /// Waits before each retry after the first attempt: 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, 24 h (the contract says
    /// "retried with backoff" without a schedule; about 45 hours in all).
    /// </summary>
    public static readonly IReadOnlyList<long> RetryDelaysSeconds = [60, 300, 1800, 7200, 21600, 43200, 86400];

    /// <summary>
    /// Stores the callback, signed with <paramref name="keyId"/>'s secret, and schedules its first attempt now; nothing
    /// is sent without a <paramref name="url"/>. <paramref name="subject"/> is the session (= subscription) it is about:
    /// the delivery log is listed by it. <paramref name="payload"/> carries its <c>event</c>.
    /// </summary>
    public CallbackDelivery? Enqueue(string keyId, string? url, string subject, JsonObject payload)
    {
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }

        var eventName = payload["event"]!.GetValue<string>();
        return dispatcher.Enqueue(new CallbackDelivery
        {
            Source = Source,
            Subject = subject,
            EventType = eventName,
            Method = "POST",
            Url = url,
            Headers = { ["Content-Type"] = "application/json" },
            Body = Encoding.UTF8.GetBytes(PortalyStableJson.Of(payload)),
            Signer = PortalyCallbackSigner.SignerName,
            SignerOptions = { [PortalyCallbackSigner.KeyOption] = keyId },
            RetryDelaysSeconds = [.. RetryDelaysSeconds],
        });
    }

    /// <summary>Every callback about the session or subscription, oldest first, with each attempt.</summary>
    public IReadOnlyList<CallbackDelivery> Of(string subject) => dispatcher.List(subject);

    /// <summary>Sends a stored callback once more now, freshly signed.</summary>
    public Task<CallbackAttempt?> ResendAsync(string deliveryId, CancellationToken cancellationToken) => dispatcher.ResendAsync(deliveryId, cancellationToken);
}

/// <summary>
/// Signature v1 on each attempt: <c>x-portaly-event</c>, <c>x-portaly-timestamp</c> (the wall clock's, ISO with
/// milliseconds: a receiver checks it against its own clock even when the backend's test clock has moved) and
/// <c>x-portaly-signature</c> over the stored body, with the callback secret of the key that created the session.
/// </summary>
public sealed class PortalyCallbackSigner(ApiKeys keys, WallClock wallClock) : ICallbackSigner
{
    public const string SignerName = "portaly-v1";
    public const string KeyOption = "keyId";

    public string Name => SignerName;

    public void Sign(CallbackDelivery delivery, IDictionary<string, string> headers)
    {
        var key = keys.ById(delivery.SignerOptions[KeyOption])
            ?? throw new InvalidOperationException($"The key {delivery.SignerOptions[KeyOption]} of delivery {delivery.Id} is gone.");
        var timestamp = PortalySignature.Timestamp(wallClock.Time.GetUtcNow());
        headers[PortalySignature.EventHeader] = delivery.EventType;
        headers[PortalySignature.TimestampHeader] = timestamp;
        headers[PortalySignature.SignatureHeader] = PortalySignature.Sign(key.CallbackSecret, timestamp, JsonNode.Parse(delivery.Body));
    }
}

/// <summary>Real time, even when the backend runs on a test clock: what callback timestamps are stamped with.</summary>
public sealed record WallClock(TimeProvider Time);
