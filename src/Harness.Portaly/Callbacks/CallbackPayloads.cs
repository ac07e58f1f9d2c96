using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Portaly.Checkout;
using Harness.Portaly.Orders;
using Harness.Portaly.Subscriptions;
using Harness.Security.Signing;

namespace Harness.Portaly.Callbacks;

/// <summary>
/// The callback payloads of the contract, field for field. Times are ISO 8601 UTC with milliseconds, as the
/// signature's timestamp; optional fields the contract marks "absent, not empty" are left out when unknown.
/// </summary>
public static class CallbackPayloads
{
    public static string Time(DateTimeOffset at) => PortalySignature.Timestamp(at);

    public static string? Time(DateTimeOffset? at) => at is { } value ? Time(value) : null;

    /// <summary><c>creator_subscription.checkout.completed</c>: the first charge; <c>subscriptionId</c> is the session's id.</summary>
    public static JsonObject CheckoutCompleted(CheckoutSession s)
    {
        var payload = new JsonObject
        {
            ["event"] = PortalyEvents.CheckoutCompleted,
            ["sessionId"] = s.Id,
            ["subscriptionId"] = s.Id,
            ["profileId"] = s.ProfileId,
            ["planId"] = s.PlanId,
            ["mode"] = s.Mode,
            ["status"] = SessionStatus.Completed,
            ["merchantOrderNumber"] = s.MerchantOrderNumber,
            ["amount"] = s.Amount,
            ["currency"] = s.Currency,
            ["customerEmail"] = s.CustomerEmail,
            ["customerName"] = s.CustomerName,
            ["completedAt"] = Time(s.CompletedAt),
            ["metadata"] = Metadata(s.Metadata),
            ["paymentReference"] = s.PaymentReference,
            ["paymentMethod"] = s.PaymentMethod,
        };
        if (!string.IsNullOrEmpty(s.CustomerPhone))
        {
            payload["customerPhone"] = s.CustomerPhone;
        }

        if (s.AppliedDiscount is { } discount)
        {
            payload["appliedDiscount"] = Node(discount);
        }

        return payload;
    }

    /// <summary>
    /// <c>creator_subscription.checkout.failed</c>: a declined first charge; no <c>subscriptionId</c>, none was created.
    /// As in the contract's production examples, Portaly's own keys join the merchant's metadata (and win over a
    /// merchant key of the same name): <c>paymentMethod</c>, <c>tappayPayment</c> and <c>paymentReference</c> when
    /// known, then <c>paidAmount</c> and <c>failureReason</c>.
    /// </summary>
    public static JsonObject CheckoutFailed(CheckoutSession s, FailedCharge charge)
    {
        var metadata = Metadata(s.Metadata);
        if (charge.PaymentMethod is { } method)
        {
            metadata["paymentMethod"] = method;
        }

        if (charge.TapPay is { } tappay)
        {
            metadata["tappayPayment"] = new JsonObject { ["recTradeId"] = tappay.RecTradeId, ["status"] = tappay.Status };
        }

        if (charge.PaymentReference is { } reference)
        {
            metadata["paymentReference"] = reference;
        }

        metadata["paidAmount"] = charge.PaidAmount;
        metadata["failureReason"] = s.FailureReason;
        return new()
        {
            ["event"] = PortalyEvents.CheckoutFailed,
            ["sessionId"] = s.Id,
            ["profileId"] = s.ProfileId,
            ["planId"] = s.PlanId,
            ["planName"] = s.PlanName,
            ["mode"] = s.Mode,
            ["amount"] = s.Amount,
            ["currency"] = s.Currency,
            ["customerEmail"] = s.CustomerEmail,
            ["failureReason"] = s.FailureReason,
            ["failedAt"] = Time(s.FailedAt),
            ["metadata"] = metadata,
        };
    }

    /// <summary>
    /// The subscription fields every lifecycle and renewal event starts from; <c>amount</c> is the base price here
    /// (the lifecycle events move no money), and renewal events overwrite it with what was charged.
    /// </summary>
    public static JsonObject Lifecycle(string eventName, Subscription s) => new()
    {
        ["event"] = eventName,
        ["subscriptionId"] = s.Id,
        ["sessionId"] = s.Id,
        ["profileId"] = s.ProfileId,
        ["planId"] = s.PlanId,
        ["planName"] = s.PlanName,
        ["mode"] = s.Mode,
        ["status"] = s.Status,
        ["billingPeriod"] = s.BillingPeriod,
        ["amount"] = s.Amount,
        ["currency"] = s.Currency,
        ["customerEmail"] = s.CustomerEmail,
        ["customerName"] = s.CustomerName,
        ["merchantOrderNumber"] = s.MerchantOrderNumber,
        ["cancelAtPeriodEnd"] = s.CancelAtPeriodEnd,
        ["nextBillingAt"] = Time(s.NextBillingAt),
        ["cancelRequestedAt"] = Time(s.CancelRequestedAt),
        ["cancelEffectiveAt"] = Time(s.CancelEffectiveAt),
        ["canceledAt"] = Time(s.CanceledAt),
        ["cancelReason"] = s.CancelReason,
        ["cancelReasonNote"] = s.CancelReasonNote,
        ["cancelRequestedBy"] = s.CancelRequestedBy,
        ["metadata"] = Metadata(s.Metadata),
    };

    /// <summary><c>creator_subscription.payment.succeeded</c>: a renewal charge, with what was charged and the next billing time.</summary>
    public static JsonObject PaymentSucceeded(Subscription s, Order order)
    {
        var payload = Lifecycle(PortalyEvents.PaymentSucceeded, s);
        payload["amount"] = order.Amount;
        payload["paymentReference"] = order.PaymentReference;
        payload["paymentId"] = order.PaymentId;
        payload["orderId"] = order.Id;
        payload["chargedAt"] = Time(order.PaidAt);
        return payload;
    }

    /// <summary><c>creator_subscription.payment.failed</c>: a renewal attempt declined; on the third, <c>willCancel</c> and no retry.</summary>
    public static JsonObject PaymentFailed(Subscription s, long attempted, string? paymentReference)
    {
        var payload = Lifecycle(PortalyEvents.PaymentFailed, s);
        payload["amount"] = attempted;
        payload["paymentReference"] = paymentReference ?? "";
        payload["failureReason"] = s.LastFailureReason;
        payload["failureCount"] = s.FailureCount;
        payload["failedAt"] = Time(s.LastFailureAt);
        payload["nextRetryAt"] = Time(s.NextRetryAt);
        payload["willCancel"] = s.Status == SubscriptionStatus.Canceled;
        return payload;
    }

    public static JsonObject Node(AppliedDiscount d) => new()
    {
        ["codeId"] = d.CodeId,
        ["code"] = d.Code,
        ["rule"] = JsonNodeOf(d.Rule),
        ["originalAmount"] = d.OriginalAmount,
        ["discountedAmount"] = d.DiscountedAmount,
        ["finalAmount"] = d.FinalAmount,
        ["source"] = d.Source,
    };

    /// <summary>Nested objects as the API answers them (web defaults: camelCase, nulls kept).</summary>
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static JsonNode? JsonNodeOf<T>(T value) => JsonSerializer.SerializeToNode(value, Web);

    private static JsonObject Metadata(IReadOnlyDictionary<string, string>? metadata)
    {
        var node = new JsonObject();
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            node[key] = value;
        }

        return node;
    }
}
