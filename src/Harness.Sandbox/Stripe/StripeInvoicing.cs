using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>A subscription's invoices and the charge attempts that pay them (a charge and a payment intent each).</summary>
public static class StripeInvoicing
{
    /// <summary>An open invoice of <paramref name="amount"/>; a <paramref name="trial"/>'s lines bill the subscription's items at 0.</summary>
    public static JsonObject NewInvoice(ProviderObjects objects, JsonObject subscription, long start, long end, string reason, long amount, bool trial = false)
    {
        var id = StripeJson.NewId("in");
        var customerId = subscription.Str("customer")!;
        var currency = subscription.Str("currency");
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "invoice",
            ["account_country"] = "US",
            ["amount_due"] = amount,
            ["amount_paid"] = 0L,
            ["amount_remaining"] = amount,
            ["attempt_count"] = 0L,
            ["attempted"] = false,
            ["auto_advance"] = true,
            ["billing_reason"] = reason,
            ["collection_method"] = "charge_automatically",
            ["created"] = start,
            ["currency"] = currency,
            ["customer"] = customerId,
            ["customer_email"] = objects.Get(customerId, "customer").Str("email"),
            ["hosted_invoice_url"] = null,
            ["lines"] = StripeJson.List($"/v1/invoices/{id}/lines", ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>().Select(i => (JsonNode)new JsonObject
            {
                ["id"] = StripeJson.NewId("il"),
                ["object"] = "line_item",
                ["amount"] = trial ? 0L : checked(i["price"]!["unit_amount"]!.GetValue<long>() * i["quantity"]!.GetValue<long>()),
                ["currency"] = currency,
                ["description"] = trial ? $"Trial period for {i["price"]!.Str("product")}" : $"{i["quantity"]} × {i["price"]!.Str("product")}",
                ["invoice"] = id,
                ["livemode"] = false,
                ["metadata"] = new JsonObject(),
                ["period"] = new JsonObject { ["end"] = end, ["start"] = start },
                ["quantity"] = i["quantity"]!.DeepClone(),
            }), false),
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["next_payment_attempt"] = null,
            ["number"] = null,
            ["parent"] = new JsonObject
            {
                ["type"] = "subscription_details",
                ["subscription_details"] = new JsonObject { ["metadata"] = subscription["metadata"]!.DeepClone(), ["subscription"] = subscription.Str("id") },
            },
            ["period_end"] = end,
            ["period_start"] = start,
            ["status"] = "open",
            ["status_transitions"] = new JsonObject { ["finalized_at"] = start, ["marked_uncollectible_at"] = null, ["paid_at"] = null, ["voided_at"] = null },
            ["subtotal"] = amount,
            ["total"] = amount,
        };
    }

    /// <summary>An invoice with nothing to pay (a trial's first) is paid when finalized, without a charge, as at Stripe.</summary>
    public static void PaidWithoutCharge(JsonObject invoice, long at)
    {
        invoice["status"] = "paid";
        invoice["attempted"] = true;
        invoice["amount_remaining"] = 0L;
        invoice["status_transitions"]!["paid_at"] = at;
    }

    /// <summary>One charge attempt for the invoice: a charge (succeeded or declined) and its payment intent.</summary>
    public static bool Attempt(ProviderObjects objects, JsonObject invoice, JsonObject subscription, long at)
    {
        var fail = subscription["_failing"]?.GetValue<bool>() == true;
        var amount = invoice["amount_due"]!.GetValue<long>();
        var currency = invoice.Str("currency");
        var customerId = invoice.Str("customer");
        var intentId = invoice.Str("_payment_intent") ?? StripeJson.NewId("pi");
        var chargeId = StripeJson.NewId("ch");
        objects.Put(new JsonObject
        {
            ["id"] = chargeId,
            ["object"] = "charge",
            ["amount"] = amount,
            ["amount_captured"] = fail ? 0 : amount,
            ["amount_refunded"] = 0L,
            ["captured"] = !fail,
            ["created"] = at,
            ["currency"] = currency,
            ["customer"] = customerId,
            ["description"] = invoice.Str("billing_reason") == "subscription_create" ? "Subscription creation" : "Subscription update",
            ["failure_code"] = fail ? "card_declined" : null,
            ["failure_message"] = fail ? "Your card was declined." : null,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["outcome"] = new JsonObject
            {
                ["network_status"] = fail ? "declined_by_network" : "approved_by_network",
                ["reason"] = fail ? "generic_decline" : null,
                ["risk_level"] = "normal",
                ["seller_message"] = fail ? "The bank did not return any further details with this decline." : "Payment complete.",
                ["type"] = fail ? "issuer_declined" : "authorized",
            },
            ["paid"] = !fail,
            ["payment_intent"] = intentId,
            ["refunded"] = false,
            ["refunds"] = StripeJson.List($"/v1/charges/{chargeId}/refunds", [], false),
            ["status"] = fail ? "failed" : "succeeded",
        });
        objects.Put(new JsonObject
        {
            ["id"] = intentId,
            ["object"] = "payment_intent",
            ["amount"] = amount,
            ["amount_received"] = fail ? 0 : amount,
            ["created"] = at,
            ["currency"] = currency,
            ["customer"] = customerId,
            ["last_payment_error"] = fail ? new JsonObject { ["type"] = "card_error", ["code"] = "card_declined", ["decline_code"] = "generic_decline", ["message"] = "Your card was declined." } : null,
            ["latest_charge"] = chargeId,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["payment_method_types"] = new JsonArray("card"),
            ["status"] = fail ? "requires_payment_method" : "succeeded",
        });
        invoice["_payment_intent"] = intentId;
        invoice["attempted"] = true;
        invoice["attempt_count"] = invoice["attempt_count"]!.GetValue<long>() + 1;
        if (!fail)
        {
            invoice["status"] = "paid";
            invoice["amount_paid"] = amount;
            invoice["amount_remaining"] = 0;
            invoice["status_transitions"]!["paid_at"] = at;
        }

        return !fail;
    }
}
