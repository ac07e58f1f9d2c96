using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>What a create or a draft's update sets on a quote: its lines, terms, discount and tax rates, then its totals again.</summary>
public sealed partial class StripeQuotes
{
    /// <summary>Stripe takes up to 20 line items on a quote.</summary>
    public const int MaxLines = 20;

    private const long MaxQuantity = 999_999;

    /// <summary>The furthest ahead a quote's <c>expires_at</c> or <c>effective_date</c> may lie in the sandbox: five years, as an invoice's <c>due_date</c>.</summary>
    private const long MaxAheadSeconds = 5 * 365 * 86_400;

    /// <summary>The longest trial a subscription takes: 730 days.</summary>
    private const long MaxTrialDays = 730;

    private static readonly string[] TextFields = ["description", "header", "footer"];

    private static readonly HashSet<string> LineParams = ["price", "price_data", "quantity", "tax_rates", "discounts", "id"];

    /// <summary>A quote line's <c>price_data</c>: a one-time or recurring price of an existing product.</summary>
    private static readonly StripeCatalog.InlinePriceRules LineInline =
        new(new HashSet<string> { "currency", "product", "recurring", "tax_behavior", "unit_amount", "unit_amount_decimal" }, Recurring: null, ProductData: false);

    private StripeResponse? Change(JsonObject quote, JsonObject p, long now)
    {
        if (p.Str("collection_method") is { } method)
        {
            if (!CollectionMethods.Contains(method))
            {
                return StripeErrors.InvalidParam("Invalid collection_method: must be one of charge_automatically or send_invoice", "collection_method");
            }

            quote["collection_method"] = method;
        }

        if ((p["invoice_settings"] as JsonObject)?["days_until_due"] is { } daysNode)
        {
            if (!StripeJson.TryLong(daysNode.ToString(), out var days) || days is < 0 or > 1825)
            {
                return StripeErrors.InvalidParam("This value must be greater than or equal to 0 and less than or equal to 1825.", "invoice_settings[days_until_due]");
            }

            quote["invoice_settings"]!["days_until_due"] = days;
        }

        if (quote.Str("collection_method") == "charge_automatically" && quote["invoice_settings"]!["days_until_due"] is not null)
        {
            return StripeErrors.InvalidParam("`invoice_settings[days_until_due]` can only be set when `collection_method` is `send_invoice`.", "invoice_settings[days_until_due]");
        }

        foreach (var text in TextFields.Where(t => p[t] is not null))
        {
            quote[text] = p.Str(text) is { Length: > 0 } value ? value : null;
        }

        if (p["expires_at"] is not null)
        {
            if (!StripeJson.TryLong(p.Str("expires_at"), out var expires) || expires <= now || expires > now + MaxAheadSeconds)
            {
                return StripeErrors.InvalidParam("Invalid expires_at: it must be a Unix timestamp in the future, at most five years away.", "expires_at");
            }

            quote["expires_at"] = expires;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var badMetadata))
        {
            return badMetadata;
        }

        if (p["metadata"] is not null)
        {
            StripeLists.MergeMetadata(quote, metadata, new JsonObject());
        }

        if (p["subscription_data"] is not null && ReadSubscriptionData(quote, p["subscription_data"], now) is { } badData)
        {
            return badData;
        }

        if (p["line_items"] is not null && ReadLines(quote, p["line_items"]) is { } badLines)
        {
            return badLines;
        }

        if (p["default_tax_rates"] is not null)
        {
            if (StripeTaxes.Read(objects, p["default_tax_rates"], "default_tax_rates", out var rates) is { } badRates)
            {
                return badRates;
            }

            if (((JsonArray)quote["_lines"]!).OfType<JsonObject>().Where(l => ((JsonArray)l["_tax_rates"]!).Count == 0)
                .Select(l => StripeTaxes.Conflicts((JsonObject)l["price"]!, rates!, "default_tax_rates")).FirstOrDefault(c => c is not null) is { } conflict)
            {
                return conflict;
            }

            quote["default_tax_rates"] = new JsonArray([.. rates!.Select(r => (JsonNode)r.Str("id")!)]);
        }

        if (p["discounts"] is not null && ReadDiscount(quote, p["discounts"]) is { } badDiscount)
        {
            return badDiscount;
        }

        StripeQuoteTotals.Recompute(objects, quote);
        return null;
    }

    /// <summary><c>subscription_data</c>: <c>description</c>, <c>effective_date</c> (a time, not in the past), <c>trial_period_days</c>, <c>metadata</c>.</summary>
    private static StripeResponse? ReadSubscriptionData(JsonObject quote, JsonNode? node, long now)
    {
        if (node is not JsonObject data)
        {
            return StripeErrors.InvalidParam("Invalid object", "subscription_data");
        }

        var shown = (JsonObject)quote["subscription_data"]!;
        if (data["description"] is not null)
        {
            shown["description"] = data.Str("description") is { Length: > 0 } description ? description : null;
        }

        if (data["effective_date"] is not null)
        {
            if (data.Str("effective_date") is "" or null)
            {
                shown["effective_date"] = null;
            }
            else if (!StripeJson.TryLong(data.Str("effective_date"), out var effective) || effective < now || effective > now + MaxAheadSeconds)
            {
                return StripeErrors.InvalidParam("Invalid subscription_data[effective_date]: it must be a Unix timestamp that is not in the past, at most five years away.", "subscription_data[effective_date]");
            }
            else
            {
                shown["effective_date"] = effective;
            }
        }

        if (data["trial_period_days"] is not null)
        {
            if (data.Str("trial_period_days") is "" or null)
            {
                shown["trial_period_days"] = null;
            }
            else if (!StripeJson.TryLong(data.Str("trial_period_days"), out var days) || days is < 1 or > MaxTrialDays)
            {
                return StripeErrors.InvalidParam($"This value must be greater than or equal to 1 and less than or equal to {MaxTrialDays}.", "subscription_data[trial_period_days]");
            }
            else
            {
                shown["trial_period_days"] = days;
            }
        }

        if (data["metadata"] is not null)
        {
            if (!StripeLists.TryMetadata(data, out var metadata, out var bad))
            {
                return StripeErrors.InvalidParam(bad!.Body["error"].Str("message")!, "subscription_data[metadata]");
            }

            shown["metadata"] = metadata.Count == 0 ? null : metadata;
        }

        return null;
    }

    /// <summary>
    /// <c>line_items</c>, all of them at once (an update replaces the lines): each a <c>price</c> (active) or a
    /// <c>price_data</c> (an inactive price made for it, as Stripe does), a <c>quantity</c> (1 unless given) and
    /// <c>tax_rates</c>; every price in one currency, the recurring ones on one interval.
    /// </summary>
    private StripeResponse? ReadLines(JsonObject quote, JsonNode? node)
    {
        var entries = node switch
        {
            JsonArray array => array.ToList(),
            JsonValue value when value.ToString() == "" => [],
            _ => null,
        };
        if (entries is null)
        {
            return StripeErrors.InvalidParam("Invalid array", "line_items");
        }

        if (entries.Count > MaxLines)
        {
            return StripeErrors.InvalidParam($"A quote can have at most {MaxLines} line items.", "line_items");
        }

        var lines = new JsonArray();
        for (var n = 0; n < entries.Count; n++)
        {
            if (ReadLine(entries[n], $"line_items[{n}]", out var line) is { } bad)
            {
                return bad;
            }

            lines.Add(line);
        }

        var prices = lines.OfType<JsonObject>().Select(l => (JsonObject)l["price"]!).ToList();
        if (prices.Select(p => p.Str("currency")).Distinct().Count() > 1)
        {
            return StripeErrors.InvalidParam("All prices on a quote must have the same currency.", $"line_items[{prices.FindIndex(p => p.Str("currency") != prices[0].Str("currency"))}][price]");
        }

        var recurring = prices.Where(p => p["recurring"] is JsonObject).ToList();
        if (recurring.Select(p => (p["recurring"].Str("interval"), p["recurring"]!["interval_count"]?.ToString())).Distinct().Count() > 1)
        {
            return StripeErrors.InvalidParam("All recurring prices on a quote must have the same `interval` and `interval_count`.", "line_items");
        }

        quote["_lines"] = lines;
        quote["currency"] = prices.FirstOrDefault()?.Str("currency");
        return null;
    }

    private StripeResponse? ReadLine(JsonNode? node, string param, out JsonObject? line)
    {
        line = null;
        if (node is not JsonObject entry)
        {
            return StripeErrors.InvalidParam("Invalid object", param);
        }

        if (StripeLists.Unknown(entry, LineParams) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {param}[{unknown.Body["error"].Str("param")}]", $"{param}[{unknown.Body["error"].Str("param")}]", "parameter_unknown");
        }

        if (entry["discounts"] is not null || entry["id"] is not null)
        {
            var field = entry["discounts"] is not null ? "discounts" : "id";
            return StripeErrors.NotSimulated($"{param}[{field}]", "a quote's lines are replaced as a whole and take the quote's `discounts`");
        }

        if ((entry["price"] is null) == (entry["price_data"] is null))
        {
            return entry["price"] is null
                ? StripeErrors.InvalidParam($"You must specify either `price` or `price_data` in `{param}`.", $"{param}[price]")
                : StripeErrors.InvalidParam("You may only specify one of these parameters: price, price_data.", $"{param}[price]");
        }

        var quantity = 1L;
        if (entry.Str("quantity") is { } quantityText && (!StripeJson.TryLong(quantityText, out quantity) || quantity is < 1 or > MaxQuantity))
        {
            return StripeErrors.InvalidParam($"This value must be greater than or equal to 1 and less than or equal to {MaxQuantity}.", $"{param}[quantity]");
        }

        JsonObject? price;
        if (entry["price_data"] is not null)
        {
            if (catalog.ReadInline(entry["price_data"], $"{param}[price_data]", LineInline, out price) is { } badData)
            {
                return badData;
            }
        }
        else if (catalog.Unpurchasable(entry.Str("price")!, $"{param}[price]") is { } refused)
        {
            return refused;
        }
        else
        {
            price = catalog.Find(entry.Str("price")!);
        }

        if (StripeTaxes.Read(objects, entry["tax_rates"], $"{param}[tax_rates]", out var rates) is { } badRates)
        {
            return badRates;
        }

        if (StripeTaxes.Conflicts(price, rates ?? [], $"{param}[tax_rates]") is { } conflict)
        {
            return conflict;
        }

        line = new JsonObject
        {
            ["id"] = StripeJson.NewId("li"),
            ["price"] = price!.DeepClone(),
            ["quantity"] = quantity,
            ["description"] = catalog.ProductOf(price)?.Str("name"),
            ["_tax_rates"] = new JsonArray([.. (rates ?? []).Select(r => (JsonNode)r.Str("id")!)]),
            ["_price_data"] = entry["price_data"]?.DeepClone(),
        };
        return null;
    }

    /// <summary>
    /// <c>discounts</c>: one coupon or promotion code, checked against the quote's lines as an invoice's is; redeemed
    /// only by what acceptance makes. An empty value removes it.
    /// </summary>
    private StripeResponse? ReadDiscount(JsonObject quote, JsonNode? node)
    {
        List<(string?, long)> lines = [.. ((JsonArray)quote["_lines"]!).OfType<JsonObject>()
            .Select(l => (l["price"].Str("product"), StripeTiers.Advance(l["price"]!, l["quantity"]!.GetValue<long>())))];
        if (lines.Count == 0)
        {
            lines.Add((null, 0));
        }

        if (discounts.Read(node, quote.Str("customer"), lines, quote.Str("currency") ?? "usd", out var discount) is { } refused)
        {
            return refused;
        }

        quote["_discount"] = discount;
        quote["_discount_entries"] = discount is null ? null : node!.DeepClone();
        quote["discounts"] = discount is null ? new JsonArray() : new JsonArray(discount.Str("id"));
        return null;
    }
}
