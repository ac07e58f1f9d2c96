using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Usage-based billing (docs.stripe.com/billing/subscriptions/usage-based): a metered item has no quantity and is
/// billed in arrears. The invoice that starts a period bills each metered item the customer's usage over the period
/// just ended (its meter's aggregation × the price's unit amount), beside the licensed items billed in advance; the first
/// invoice bills it 0. Usage during a trial is not billed. A cancellation at the period's end, or at once with
/// <c>invoice_now</c>, bills the usage so far on a final invoice.
/// </summary>
public sealed partial class StripeBilling
{
    /// <summary>Stripe's 400 for a <c>quantity</c> given with a metered price.</summary>
    public static StripeResponse MeteredQuantity(string param) =>
        StripeErrors.InvalidParam($"Quantity should not be specified where usage_type is `metered`. Remove quantity from `{param}`.", $"{param}[quantity]");

    /// <summary>Whether the subscription has a metered item.</summary>
    public static bool HasMetered(JsonObject subscription) => ItemsOf(subscription).Any(i => StripePrices.Metered(i["price"]));

    /// <summary>
    /// Bills on the lines of <paramref name="invoice"/> (one per item, in the items' order) each metered item's usage over
    /// [<paramref name="start"/>, <paramref name="end"/>), and raises the invoice's amounts by it. Before discounts,
    /// the customer's balance and the sweep of pending items.
    /// </summary>
    public void BillUsage(JsonObject subscription, JsonObject invoice, long start, long end)
    {
        var lines = (JsonArray)invoice["lines"]!["data"]!;
        var items = ItemsOf(subscription).ToList();
        var added = 0L;
        for (var i = 0; i < items.Count && i < lines.Count; i++)
        {
            if (StripePrices.Metered(items[i]["price"]))
            {
                var line = UsageLine(subscription, items[i], invoice.Str("id")!, start, end);
                added = checked(added + line["amount"]!.GetValue<long>());
                lines[i] = line;
            }
        }

        Raise(invoice, added);
    }

    /// <summary>
    /// The final invoice of a subscription that ends at <paramref name="at"/> with usage not yet billed: one line per
    /// metered item over [<c>current_period_start</c>, <paramref name="at"/>), collected as a renewal's is. None (no
    /// events) when there is no metered item or no usage. The caller holds the unit and ends the subscription after.
    /// </summary>
    public List<StripeEvent> BillFinalUsage(JsonObject subscription, long at)
    {
        var start = subscription["current_period_start"]!.GetValue<long>();
        if (!HasMetered(subscription) || subscription.Str("status") == "trialing")
        {
            return [];
        }

        var invoice = StripeInvoicing.NewInvoice(objects, subscription, at, at, "subscription_cycle", 0, itemLines: false);
        invoice["period_start"] = start;
        var lines = (JsonArray)invoice["lines"]!["data"]!;
        foreach (var item in ItemsOf(subscription).Where(i => StripePrices.Metered(i["price"])))
        {
            lines.Add(UsageLine(subscription, item, invoice.Str("id")!, start, at));
        }

        var total = lines.OfType<JsonObject>().Sum(l => l["amount"]!.GetValue<long>());
        if (total == 0)
        {
            return [];
        }

        Raise(invoice, total);
        StripeInvoicing.ApplyDiscounts(objects, invoice, subscription);
        var previous = new JsonObject { ["latest_invoice"] = subscription["latest_invoice"]?.DeepClone() };
        subscription["latest_invoice"] = invoice.Str("id");
        return Collect(subscription, invoice, at, previous, announce: true);
    }

    /// <summary>The upcoming invoice of a preview bills the usage of the current period so far, as the renewal will.</summary>
    private void PreviewUsage(JsonObject subscription, JsonObject invoice)
    {
        if (subscription.Str("status") != "trialing")
        {
            BillUsage(subscription, invoice, subscription["current_period_start"]!.GetValue<long>(), subscription["current_period_end"]!.GetValue<long>());
        }
    }

    /// <summary>A metered item's line: its usage over the period as the quantity, times the price's unit amount.</summary>
    private JsonObject UsageLine(JsonObject subscription, JsonObject item, string invoiceId, long start, long end)
    {
        var price = (JsonObject)item["price"]!;
        var usage = objects.Get(price["recurring"].Str("meter")!, StripeMeters.Type) is { } meter
            ? StripeUsage.Over(objects, meter, subscription.Str("customer")!, start, end)
            : 0;
        return new JsonObject
        {
            ["id"] = StripeJson.NewId("il"),
            ["object"] = "line_item",
            ["amount"] = StripeTiers.Amount(price, usage),
            ["currency"] = subscription.Str("currency"),
            ["description"] = $"{usage} × {price.Str("product")} (usage)",
            ["invoice"] = invoiceId,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["parent"] = StripeInvoicing.ItemParent(subscription, item, proration: false),
            ["period"] = new JsonObject { ["end"] = end, ["start"] = start },
            ["quantity"] = usage,
            ["taxes"] = new JsonArray(),
        };
    }

    private static void Raise(JsonObject invoice, long amount) =>
        StripeInvoicing.Grow(invoice, amount, "amount_due", "amount_remaining", "subtotal", "total", "subtotal_excluding_tax", "total_excluding_tax");

    private static IEnumerable<JsonObject> ItemsOf(JsonObject subscription) => ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>();
}
