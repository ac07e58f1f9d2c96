using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>An invoice's lines made of invoice items, and the totals of a standalone draft as its items come and go.</summary>
public static partial class StripeInvoicing
{
    /// <summary>
    /// The line an invoice item becomes on <paramref name="invoiceId"/>; on a draft its id is the one the item keeps
    /// (<c>_line</c>) while it is there, so the line endpoints can name it.
    /// </summary>
    public static JsonObject ItemLine(JsonObject item, string invoiceId) => new()
    {
        ["id"] = item.Str("_line") ?? StripeJson.NewId("il"),
        ["object"] = "line_item",
        ["amount"] = item["amount"]!.DeepClone(),
        ["currency"] = item.Str("currency"),
        ["description"] = item.Str("description"),
        ["discountable"] = item["discountable"]!.DeepClone(),
        ["invoice"] = invoiceId,
        ["livemode"] = false,
        ["metadata"] = item["metadata"]!.DeepClone(),
        ["parent"] = new JsonObject
        {
            ["type"] = "invoice_item_details",
            ["invoice_item_details"] = new JsonObject
            {
                ["invoice_item"] = item.Str("id"),
                ["proration"] = item["proration"]!.DeepClone(),
                ["proration_details"] = item["proration_details"]!.DeepClone(),
                ["subscription"] = StripeInvoiceItems.SubscriptionOf(item),
            },
            ["subscription_item_details"] = null,
        },
        ["period"] = item["period"]!.DeepClone(),
        ["pricing"] = item["pricing"]?.DeepClone(),
        ["quantity"] = item["quantity"]!.DeepClone(),
        ["taxes"] = new JsonArray(),
    };

    /// <summary>
    /// A draft's lines and totals again from the invoice items on it (oldest first), its <c>discounts</c>, which
    /// take nothing off an item that is not <c>discountable</c>, then the taxes of each line's rates (the item's
    /// <c>tax_rates</c>, else the invoice's <c>default_tax_rates</c>). The caller stores the invoice.
    /// </summary>
    public static void Recompute(ProviderObjects objects, JsonObject invoice)
    {
        var id = invoice.Str("id")!;
        var items = objects.Newest(StripeInvoiceItems.Type).Where(i => i["_deleted"] is null && i.Str("invoice") == id).Reverse().ToList();
        foreach (var item in items.Where(i => i["_line"] is null))
        {
            item["_line"] = StripeJson.NewId("il");
            objects.Put(item);
        }

        var lines = items.Select(i => ItemLine(i, id)).ToList();
        var subtotal = items.Aggregate(0L, (sum, i) => checked(sum + i["amount"]!.GetValue<long>()));
        invoice["lines"] = StripeJson.List($"/v1/invoices/{id}/lines", lines, false);
        invoice["subtotal"] = subtotal;
        invoice["subtotal_excluding_tax"] = subtotal;
        invoice["total"] = subtotal;
        invoice["total_excluding_tax"] = subtotal;
        invoice["total_taxes"] = new JsonArray();
        invoice["amount_due"] = Math.Max(0, subtotal);
        invoice["amount_remaining"] = Math.Max(0, subtotal);
        var discountable = lines.Where((_, i) => items[i]["discountable"]!.GetValue<bool>()).ToList();
        var products = items.Where(i => i["discountable"]!.GetValue<bool>()).Select(i => i["pricing"]?["price_details"].Str("product")).ToList();
        var ids = (invoice["_discounts"] as JsonArray ?? []).Select(d => d!.GetValue<string>()).ToList();
        DiscountLines(objects, invoice, discountable, products, ids);
        invoice["discounts"] = new JsonArray([.. ids.Select(d => (JsonNode)d)]);
        foreach (var line in lines.Except(discountable))
        {
            line["discount_amounts"] = new JsonArray();
            line["discounts"] = new JsonArray();
        }

        var defaults = RatesOf(objects, invoice, "default_tax_rates");
        TaxLines(invoice, lines.Select((line, i) => (line, (IReadOnlyList<JsonObject>)(RatesOf(objects, items[i], "tax_rates") is { Count: > 0 } own ? own : defaults))));
        invoice["amount_due"] = Math.Max(0, invoice["total"]!.GetValue<long>());
        invoice["amount_remaining"] = invoice["amount_due"]!.DeepClone();
    }
}
