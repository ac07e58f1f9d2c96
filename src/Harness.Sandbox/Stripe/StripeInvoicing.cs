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
        var currency = subscription.Str("currency")!;
        var customerId = subscription.Str("customer")!;
        var invoice = Skeleton(id, objects.Get(customerId, "customer") ?? new JsonObject { ["id"] = customerId }, currency, start, reason);
        invoice["amount_due"] = amount;
        invoice["amount_remaining"] = amount;
        invoice["ending_balance"] = 0L;
        invoice["lines"] = StripeJson.List($"/v1/invoices/{id}/lines", ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>().Where(_ => itemLines).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = StripeJson.NewId("il"),
            ["object"] = "line_item",
            ["amount"] = trial ? 0L : StripeTiers.Advance(i["price"]!, i["quantity"]!.GetValue<long>()),
            ["currency"] = currency,
            ["description"] = trial ? $"Trial period for {i["price"]!.Str("product")}" : $"{i["quantity"]} × {i["price"]!.Str("product")}",
            ["invoice"] = id,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["parent"] = ItemParent(subscription, i, proration: false),
            ["period"] = new JsonObject { ["end"] = end, ["start"] = start },
            ["quantity"] = i["quantity"]!.DeepClone(),
            ["taxes"] = new JsonArray(),
        }), false);
        // Stripe fills a subscription invoice's default_tax_rates from the subscription's; lines without their own rates take them.
        invoice["default_tax_rates"] = subscription["default_tax_rates"]?.DeepClone() ?? new JsonArray();
        invoice["parent"] = new JsonObject
        {
            ["type"] = "subscription_details",
            ["subscription_details"] = new JsonObject { ["metadata"] = subscription["metadata"]!.DeepClone(), ["subscription"] = subscription.Str("id") },
        };
        invoice["period_end"] = end;
        invoice["status"] = "open";
        invoice["status_transitions"]!["finalized_at"] = start;
        invoice["subtotal"] = amount;
        invoice["subtotal_excluding_tax"] = amount;
        invoice["total"] = amount;
        invoice["total_excluding_tax"] = amount;
        return invoice;
    }

    /// <summary>
    /// The <c>parent</c> of a subscription invoice's line billing <paramref name="item"/> (<c>subscription_item_details</c>);
    /// its <c>subscription_item</c> says which item's tax rates the line takes.
    /// </summary>
    public static JsonObject ItemParent(JsonObject subscription, JsonObject item, bool proration) => new()
    {
        ["type"] = "subscription_item_details",
        ["invoice_item_details"] = null,
        ["subscription_item_details"] = new JsonObject
        {
            ["invoice_item"] = null,
            ["proration"] = proration,
            ["proration_details"] = new JsonObject { ["credited_items"] = null },
            ["subscription"] = subscription.Str("id"),
            ["subscription_item"] = item.Str("id"),
        },
    };

    /// <summary>
    /// Every field of a new invoice as Stripe shows a draft with no lines; subscription invoices and standalone drafts
    /// (<see cref="StripeStandaloneInvoices"/>) fill in their own.
    /// </summary>
    public static JsonObject Skeleton(string id, JsonObject customer, string currency, long created, string reason) => new()
    {
        ["id"] = id,
        ["object"] = "invoice",
        ["account_country"] = "US",
        ["amount_due"] = 0L,
        ["amount_paid"] = 0L,
        ["amount_remaining"] = 0L,
        ["attempt_count"] = 0L,
        ["attempted"] = false,
        ["auto_advance"] = true,
        ["automatically_finalizes_at"] = null,
        ["billing_reason"] = reason,
        ["collection_method"] = "charge_automatically",
        ["created"] = created,
        ["currency"] = currency,
        ["customer"] = customer.Str("id"),
        ["customer_email"] = customer.Str("email"),
        ["customer_name"] = customer.Str("name"),
        ["default_payment_method"] = null,
        ["default_tax_rates"] = new JsonArray(),
        ["description"] = null,
        ["discounts"] = new JsonArray(),
        ["due_date"] = null,
        ["ending_balance"] = null,
        ["hosted_invoice_url"] = null,
        ["invoice_pdf"] = null,
        ["lines"] = StripeJson.List($"/v1/invoices/{id}/lines", [], false),
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["next_payment_attempt"] = null,
        ["number"] = null,
        ["parent"] = null,
        ["period_end"] = created,
        ["period_start"] = created,
        ["post_payment_credit_notes_amount"] = 0L,
        ["pre_payment_credit_notes_amount"] = 0L,
        ["starting_balance"] = 0L,
        ["status"] = "draft",
        ["status_transitions"] = new JsonObject { ["finalized_at"] = null, ["marked_uncollectible_at"] = null, ["paid_at"] = null, ["voided_at"] = null },
        ["subtotal"] = 0L,
        ["subtotal_excluding_tax"] = 0L,
        ["test_clock"] = customer.Str("test_clock"),
        ["total"] = 0L,
        ["total_discount_amounts"] = new JsonArray(),
        ["total_excluding_tax"] = 0L,
        ["total_taxes"] = new JsonArray(),
    };

    /// <summary>An invoice with nothing to pay (a trial's first) is paid when finalized, without a charge, as at Stripe.</summary>
    public static void PaidWithoutCharge(JsonObject invoice, long at)
    {
        invoice["status"] = "paid";
        invoice["attempted"] = true;
        invoice["amount_remaining"] = 0L;
        invoice["status_transitions"]!["paid_at"] = at;
    }

    /// <summary>
    /// The error a charge of <paramref name="card"/> for the subscription meets, or null when it pays: the control API's
    /// failure setting declines whatever the card; a first invoice's card was checked when it was confirmed.
    /// </summary>
    public static JsonObject? DeclineOf(JsonObject subscription, JsonObject? card, string billingReason) =>
        subscription["_failing"]?.GetValue<bool>() == true
            ? StripeTestPaymentMethods.Decline(CardOutcome.Declined)
            : billingReason == "subscription_create" || card is null ? null : StripePaymentMethods.DeclineOf(card);

    /// <summary>
    /// One charge attempt for the invoice: a charge (succeeded or declined) and its payment intent. Renewals and retries
    /// charge the saved card (<see cref="StripePaymentMethods.SavedCard"/>), which may decline as its test card does;
    /// the control API's failure setting declines them whatever the card. <paramref name="chosenCard"/> (<c>POST
    /// /v1/invoices/{id}/pay</c>'s <c>payment_method</c>) is charged instead of the saved one.
    /// </summary>
    public static bool Attempt(ProviderObjects objects, JsonObject invoice, JsonObject subscription, long at, JsonObject? chosenCard = null)
    {
        var card = chosenCard ?? StripePaymentMethods.SavedCard(objects, subscription);
        var decline = DeclineOf(subscription, card, invoice.Str("billing_reason")!);
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
        StripeBalance.RecordCharge(objects, charge, at);
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
