using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// <c>add_invoice_items</c> of a subscription create, update or schedule phase: one-time prices (<c>price</c> or
/// <c>price_data</c>) and quantities made into the subscription's invoice items (<see cref="StripeInvoiceItems.New"/>),
/// which its next invoice sweeps in as lines, taxed like any other (<see cref="StripeInvoicing.Sweep"/>).
/// </summary>
public sealed partial class StripeSubscriptions
{
    private const string AddInvoiceItems = "add_invoice_items";

    private static readonly HashSet<string> AddInvoiceItemParams = ["price", "price_data", "quantity", "metadata", "tax_rates", "discounts", "discountable", "period"];

    /// <summary>One <c>add_invoice_items</c> entry, read and checked: what an invoice item or a phase's stored entry is made of.</summary>
    internal sealed record AddedItem(JsonObject Price, long Quantity, JsonObject? Metadata, bool? Discountable, List<JsonObject> TaxRates, JsonObject? Period);

    /// <summary>
    /// Reads <c>add_invoice_items</c> of <paramref name="p"/> into unsaved pending invoice items of the customer in
    /// <paramref name="currency"/>, dated <paramref name="now"/>; none without the parameter. An entry's <c>discounts</c>
    /// (coupons, promotion codes, or the subscription's own <paramref name="current"/> discounts) are the item's own
    /// (<see cref="StripeInvoiceItems.NewDiscounts"/>, stored and redeemed by <see cref="RedeemAddedDiscounts"/>).
    /// </summary>
    internal StripeResponse? ReadAddInvoiceItems(JsonObject p, string customerId, string currency, long now, out List<JsonObject> added, bool scheduled = false, IReadOnlyList<string>? current = null)
    {
        added = [];
        if (ReadAddedItems(p, currency, scheduled, out var entries) is { } bad)
        {
            return bad;
        }

        var given = p[AddInvoiceItems] as JsonArray;

        var testClock = customers.TestClockOf(customerId)?.Str("id");
        foreach (var entry in entries)
        {
            var item = StripeInvoiceItems.New(new StripeInvoiceItems.Draft(customerId, currency, StripeTiers.Amount(entry.Price, entry.Quantity), entry.Quantity, null, now, now, now)
            {
                Price = entry.Price,
                TestClock = testClock,
                Metadata = entry.Metadata,
                Discountable = entry.Discountable ?? true,
            });
            item["tax_rates"] = StripeInvoicing.Shown(entry.TaxRates);
            item[StripeInvoiceItems.PeriodAsked] = entry.Period;
            var param = $"{AddInvoiceItems}[{added.Count}]";
            if (given![added.Count]!["discounts"] is { } asked && ReadItemDiscounts(asked, param, item, customerId, current ?? []) is { } badDiscounts)
            {
                return badDiscounts;
            }

            added.Add(item);
        }

        return null;
    }

    /// <summary>An added item's <c>discounts</c>, read as a subscription's are (its product and amount the lines they must apply to).</summary>
    private StripeResponse? ReadItemDiscounts(JsonNode asked, string param, JsonObject item, string customerId, IReadOnlyList<string> current)
    {
        var product = item["pricing"]?["price_details"].Str("product");
        if (discounts.ReadStack(asked, customerId, [(product, item["amount"]!.GetValue<long>())], item.Str("currency")!, current, out var stack) is { } bad)
        {
            // discounts[0][coupon] → add_invoice_items[1][discounts][0][coupon]
            if (bad.Body["error"] is JsonObject error && error.Str("param") is { } inner && inner.StartsWith("discounts", StringComparison.Ordinal))
            {
                error["param"] = $"{param}[discounts]{inner["discounts".Length..]}";
            }

            return bad;
        }

        item["discounts"] = new JsonArray([.. stack.Select(d => (JsonNode)d.Str("id")!)]);
        var made = stack.Where(d => d.Str("subscription") is null && d.Str("invoice_item") is null).ToList();
        foreach (var discount in made)
        {
            discount["invoice_item"] = item.Str("id");
        }

        item[StripeInvoiceItems.NewDiscounts] = made.Count > 0 ? new JsonArray([.. made.Select(d => (JsonNode)d.DeepClone())]) : null;
        return null;
    }

    /// <summary>Stores and counts the discounts <paramref name="added"/> items brought (their coupons' and codes' redemptions), once their subscription is kept.</summary>
    private void RedeemAddedDiscounts(IReadOnlyList<JsonObject> added)
    {
        foreach (var item in added)
        {
            foreach (var discount in (item[StripeInvoiceItems.NewDiscounts] as JsonArray ?? []).OfType<JsonObject>())
            {
                discounts.Redeem((JsonObject)discount.DeepClone());
            }

            if (objects.Get(item.Str("id")!, StripeInvoiceItems.Type) is { } stored)
            {
                stored.Remove(StripeInvoiceItems.NewDiscounts);
                objects.Put(stored);
            }
        }
    }

    /// <summary>The entries of <c>add_invoice_items</c> (1 to 20), each a one-time price in <paramref name="currency"/>.</summary>
    internal StripeResponse? ReadAddedItems(JsonObject p, string currency, bool scheduled, out List<AddedItem> entries, bool phase = false)
    {
        entries = [];
        if (p[AddInvoiceItems] is null)
        {
            return null;
        }

        if (p[AddInvoiceItems] is not JsonArray { Count: > 0 and <= 20 } array)
        {
            return StripeErrors.InvalidParam("Invalid array (add_invoice_items takes 1 to 20 entries)", AddInvoiceItems);
        }

        for (var n = 0; n < array.Count; n++)
        {
            var param = $"{AddInvoiceItems}[{n}]";
            if (ReadAddInvoiceItem(array[n], param, currency, scheduled, out var price, out var quantity, out var metadata, out var discountable) is { } bad)
            {
                return bad;
            }

            if (phase && array[n]!["period"] is not null)
            {
                return StripeErrors.NotSimulated($"{param}[period]", "a phase's added item takes the phase's period (phase_start to min_item_period_end)");
            }

            if (phase && array[n]!["discounts"] is not null)
            {
                return StripeErrors.NotSimulated($"{param}[discounts]", "a phase's added item takes no discounts of its own in the sandbox");
            }

            if (StripeInvoiceItems.ReadAddedPeriod(array[n]!["period"], $"{param}[period]", out var period) is { } badPeriod)
            {
                return badPeriod;
            }

            if (StripeTaxes.Read(objects, array[n]!["tax_rates"], $"{param}[tax_rates]", out var rates) is { } badRates)
            {
                return badRates;
            }

            entries.Add(new AddedItem(price!, quantity, metadata, discountable, rates ?? [], period));
        }

        return null;
    }

    private StripeResponse? ReadAddInvoiceItem(JsonNode? node, string param, string currency, bool scheduled, out JsonObject? price, out long quantity, out JsonObject? metadata, out bool? discountable)
    {
        (price, quantity, metadata, discountable) = (null, 1, null, null);
        if (node is not JsonObject entry)
        {
            return StripeErrors.InvalidParam("Invalid object", param);
        }

        if (entry.Select(kv => kv.Key).FirstOrDefault(k => !AddInvoiceItemParams.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {param}[{unknown}]", $"{param}[{unknown}]", "parameter_unknown");
        }

        if (!StripeLists.TryMetadata(entry, out var given, out var badField) || !StripeLists.TryBool(entry, "discountable", out discountable, out badField))
        {
            return Nested(badField!, param);
        }

        metadata = entry["metadata"] is null ? null : given;
        if (entry.Str("quantity") is { } quantityText && (!StripeJson.TryLong(quantityText, out quantity) || quantity is < 1 or > MaxQuantity))
        {
            return StripeErrors.InvalidParam($"This value must be greater than or equal to 1 and less than or equal to {MaxQuantity}.", $"{param}[quantity]");
        }

        if (entry["price"] is not null && entry["price_data"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: price, price_data.", $"{param}[price]");
        }

        if (entry["price_data"] is not null)
        {
            if (catalog.ReadInline(entry["price_data"], $"{param}[price_data]", StripeCatalog.OneTimeInline, out price) is { } badData)
            {
                return badData;
            }
        }
        else if (entry.Str("price") is { } priceId)
        {
            if (catalog.UnpurchasableOneTime(priceId, $"{param}[price]", scheduled) is { } refused)
            {
                return refused;
            }

            price = catalog.Find(priceId);
        }
        else
        {
            return NoPrice(param);
        }

        var priceParam = entry["price_data"] is null ? $"{param}[price]" : $"{param}[price_data][currency]";
        return price.Str("currency") == currency ? null : StripeErrors.InvalidParam(
            $"The currency of {param} ({price.Str("currency")}) must match the subscription's ({currency}).", priceParam);
    }

    /// <summary>An update's <c>add_invoice_items</c>: in the subscription's currency, not on an ended subscription nor a pending update.</summary>
    private StripeResponse? ReadUpdateAddedItems(JsonObject p, JsonObject subscription, string behavior, long now, bool scheduled, out List<JsonObject> added)
    {
        added = [];
        if (p[AddInvoiceItems] is null)
        {
            return null;
        }

        if (subscription.Str("status") is "canceled" or "incomplete_expired")
        {
            return StripeErrors.InvalidParam("A canceled subscription can only update its cancellation_details and metadata.", AddInvoiceItems);
        }

        if (behavior == "pending_if_incomplete")
        {
            return StripeErrors.NotSimulated(AddInvoiceItems, "a pending update (payment_behavior=pending_if_incomplete) does not carry added invoice items in the sandbox");
        }

        var current = (subscription["discounts"] as JsonArray ?? []).Select(d => d!.GetValue<string>()).ToList();
        return ReadAddInvoiceItems(p, subscription.Str("customer")!, subscription.Str("currency")!, now, out added, scheduled, current);
    }

    /// <summary>Stores <paramref name="added"/> as the subscription's pending invoice items, with their <c>invoiceitem.created</c> events.</summary>
    private List<StripeEvent> KeepAddedItems(JsonObject subscription, IReadOnlyList<JsonObject> added)
    {
        var events = new List<StripeEvent>();
        foreach (var item in added)
        {
            StripeInvoiceItems.Attach(item, subscription);
            objects.Put(item);
            events.Add(new StripeEvent("invoiceitem.created", StripeLists.Public(item)));
        }

        RedeemAddedDiscounts(added);
        return events;
    }
}
