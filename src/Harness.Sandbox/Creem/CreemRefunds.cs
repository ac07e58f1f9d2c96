using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>
/// Creem's transactions (one per paid one-time order, one per subscription charge) and full refunds of them
/// (<c>POST /v1/refunds</c>), each announced by <c>refund.created</c>.
/// </summary>
internal sealed class CreemRefunds(ProviderObjects objects, TimeProvider clock, Action<string, IReadOnlyList<CreemEvent>> send)
{
    private static readonly string[] RelatedKeys = ["order", "subscription", "customer"];

    /// <summary>The paid transaction of a one-time order.</summary>
    public JsonObject RecordPayment(JsonObject order, string customerId, DateTimeOffset at)
    {
        var amount = order["amount"]!.GetValue<long>();
        var transaction = new JsonObject
        {
            ["id"] = NewId("tran"),
            ["mode"] = "test",
            ["object"] = "transaction",
            ["amount"] = amount,
            ["amount_paid"] = amount,
            ["discount_amount"] = order["discount_amount"]!.GetValue<long>(),
            ["currency"] = order.Str("currency"),
            ["type"] = "payment",
            ["tax_country"] = null,
            ["tax_amount"] = 0,
            ["status"] = "paid",
            ["refunded_amount"] = null,
            ["order"] = order.Str("id"),
            ["subscription"] = null,
            ["customer"] = customerId,
            ["description"] = "One-time payment",
            ["created_at"] = at.ToUnixTimeMilliseconds(),
        };
        objects.Put(transaction);
        return transaction;
    }

    public JsonObject? Transaction(string id) => objects.Get(id, "transaction");

    /// <summary>Transactions newest first, narrowed by whichever of customer, order and product is given.</summary>
    public IReadOnlyList<JsonObject> Search(string? customerId, string? orderId, string? productId) =>
    [
        .. objects.List("transaction").Where(t =>
            (customerId is null || t.Str("customer") == customerId)
            && (orderId is null || t.Str("order") == orderId)
            && (productId is null || ProductOf(t) == productId)),
    ];

    /// <summary>Refunds a paid transaction in full; the refusal is Creem's 400 message.</summary>
    public (JsonObject? Refund, string? Refusal) Refund(string transactionId)
    {
        return objects.Atomically<(JsonObject?, string?)>(() =>
        {
            if (objects.Get(transactionId, "transaction") is not { } transaction)
            {
                return (null, null);
            }

            if (transaction.Str("status") != "paid")
            {
                return (null, $"Transaction {transactionId} cannot be refunded: it is {transaction.Str("status")}");
            }

            var now = clock.GetUtcNow();
            transaction["status"] = "refunded";
            transaction["refunded_amount"] = transaction["amount"]!.GetValue<long>();
            objects.Put(transaction);
            var refund = new JsonObject
            {
                ["id"] = NewId("ref"),
                ["mode"] = "test",
                ["object"] = "refund",
                ["status"] = "succeeded",
                ["refund_amount"] = transaction["amount"]!.GetValue<long>(),
                ["refund_currency"] = transaction.Str("currency"),
                // The API takes no reason (the SDK's request has only transaction_id): a merchant's refund is the customer's request.
                ["reason"] = "requested_by_customer",
                ["transaction"] = transaction.DeepClone(),
                ["created_at"] = now.ToUnixTimeMilliseconds(),
            };
            foreach (var key in RelatedKeys)
            {
                if (transaction.Str(key) is { } related)
                {
                    refund[key] = related;
                }
            }

            objects.Put(refund);
            send(refund.Str("id")!, [new CreemEvent("refund.created", refund)]);
            return (refund, null);
        });
    }

    private string? ProductOf(JsonObject transaction) =>
        transaction.Str("subscription") is { } subscriptionId
            ? objects.Get(subscriptionId, "subscription")?["product"].Str("id")
            : transaction.Str("order") is { } orderId
                ? objects.Newest("checkout").FirstOrDefault(c => c["order"].Str("id") == orderId)?["product"].Str("id")
                : null;
}
