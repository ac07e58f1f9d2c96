using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>A subscription's invoices and the charge attempts that pay them (a charge and a payment intent each).</summary>
public static partial class StripeInvoicing
{
    /// <summary>
    /// An open invoice of <paramref name="amount"/>; a <paramref name="trial"/>'s lines bill the subscription's items at 0.
    /// Without <paramref name="itemLines"/> it has no line for the subscription's items (an invoice of prorations only);
    /// <paramref name="id"/> names a preview's.
    /// </summary>
    public static JsonObject NewInvoice(ProviderObjects objects, JsonObject subscription, long start, long end, string reason, long amount, bool trial = false, bool itemLines = true, string? id = null)
    {
        id ??= StripeJson.NewId("in");
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
            ["ending_balance"] = 0L,
            ["lines"] = StripeJson.List($"/v1/invoices/{id}/lines", ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>().Where(_ => itemLines).Select(i => (JsonNode)new JsonObject
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
            ["starting_balance"] = 0L,
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

    /// <summary>
    /// One charge attempt for the invoice: a charge (succeeded or declined) and its payment intent. Renewals and retries
    /// charge the saved card (<see cref="StripePaymentMethods.SavedCard"/>), which may decline as its test card does;
    /// the control API's failure setting declines them whatever the card. <paramref name="chosenCard"/> (<c>POST
    /// /v1/invoices/{id}/pay</c>'s <c>payment_method</c>) is charged instead of the saved one.
    /// </summary>
    public static bool Attempt(ProviderObjects objects, JsonObject invoice, JsonObject subscription, long at, JsonObject? chosenCard = null)
    {
        var card = chosenCard ?? StripePaymentMethods.SavedCard(objects, subscription);
        var decline = subscription["_failing"]?.GetValue<bool>() == true
            ? StripeTestPaymentMethods.Decline(CardOutcome.Declined)
            : invoice.Str("billing_reason") == "subscription_create" || card is null ? null : StripePaymentMethods.DeclineOf(card);
        var fail = decline is not null;
        var amount = invoice["amount_due"]!.GetValue<long>();
        var currency = invoice.Str("currency");
        var customerId = invoice.Str("customer");
        var intentId = invoice.Str("_payment_intent") ?? StripeJson.NewId("pi");
        var charge = StripeCharges.New(new ChargeAttempt(amount, currency, at)
        {
            Customer = customerId,
            PaymentIntent = intentId,
            Description = invoice.Str("billing_reason") == "subscription_create" ? "Subscription creation" : "Subscription update",
            Decline = decline,
            PaymentMethod = card?.Str("id"),
            PaymentMethodDetails = card is null ? null : StripePaymentMethods.Details(card),
        });
        objects.Put(charge);
        if (!fail)
        {
            StripeDisputes.FollowLater(objects, charge);
        }
        objects.Put(new JsonObject
        {
            ["id"] = intentId,
            ["object"] = "payment_intent",
            ["amount"] = amount,
            ["amount_received"] = fail ? 0 : amount,
            ["created"] = at,
            ["currency"] = currency,
            ["customer"] = customerId,
            ["last_payment_error"] = decline?.DeepClone(),
            ["latest_charge"] = charge.Str("id"),
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["payment_method"] = card?.Str("id"),
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
