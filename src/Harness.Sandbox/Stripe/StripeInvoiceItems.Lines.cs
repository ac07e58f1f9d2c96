using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The invoice items behind a draft's lines (<see cref="StripeInvoiceLines"/>): every line of a standalone draft is an
/// item on it, so a line added from <c>amount</c>, <c>pricing</c> or <c>price_data</c> is a new item, one added from
/// <c>invoice_item</c> is that pending item, and a line's change is its item's. The objects these answer are not stored:
/// the caller stores them once every line of the request is accepted.
/// </summary>
public sealed partial class StripeInvoiceItems
{
    /// <summary>The fields of a line that <c>update_lines</c> and the line update take (<c>add_lines</c> adds <c>invoice_item</c>).</summary>
    public static readonly IReadOnlySet<string> LineFields =
        new HashSet<string> { "amount", "description", "discountable", "metadata", "period", "price_data", "pricing", "quantity", "tax_rates" };

    /// <summary>A line's <c>price_data</c>: a one-time price of a product, or of a new one named by <c>product_data</c>.</summary>
    private static readonly StripeCatalog.InlinePriceRules InlineLinePrice =
        new(new HashSet<string> { "currency", "product", "product_data", "tax_behavior", "unit_amount", "unit_amount_decimal" }, Recurring: false, ProductData: true);

    /// <summary>A new item on <paramref name="invoice"/> from an <c>add_lines</c> line that names no <c>invoice_item</c>.</summary>
    public StripeResponse? NewOnDraft(JsonObject line, JsonObject invoice, out JsonObject? item)
    {
        item = null;
        if (!StripeLists.TryMetadata(line, out var metadata, out var error) || !StripeLists.TryBool(line, "discountable", out var discountable, out error))
        {
            return error;
        }

        if (line["pricing"] is not null && line["price_data"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: price_data, pricing.", "price_data");
        }

        if (PriceOf(line, invoice.Str("currency")!, out var priceId) is { } badPrice)
        {
            return badPrice;
        }

        if (priceId is not null && line["amount"] is not null)
        {
            return StripeErrors.InvalidParam($"You may only specify one of these parameters: amount, {(line["pricing"] is null ? "price_data" : "pricing")}.", "amount");
        }

        if (priceId is null && line["amount"] is null)
        {
            return StripeErrors.Missing("amount");
        }

        var currency = invoice.Str("currency")!;
        if (Period(line, out var period) is { } badPeriod)
        {
            return badPeriod;
        }

        if (Read(line, priceId, "pricing[price]", out var amount, out var quantity, out _, out var price, currency) is { } bad)
        {
            return bad;
        }

        var customerId = invoice.Str("customer")!;
        var now = customers.NowFor(customerId);
        item = New(new Draft(customerId, currency, amount, quantity, line.Str("description"), now, period?.Start ?? now, period?.End ?? now)
        {
            Price = price,
            TestClock = invoice.Str("test_clock"),
            Metadata = metadata,
            Discountable = discountable ?? true,
        });
        item["invoice"] = invoice.Str("id");
        return StripeInvoicing.SetRates(objects, item, line, "tax_rates");
    }

    /// <summary>
    /// The pending item an <c>add_lines</c> line names (<c>invoice_item</c>), assigned to <paramref name="invoice"/>
    /// and changed by the line's other fields: the customer's, in the invoice's currency, for no subscription.
    /// </summary>
    public StripeResponse? AssignToDraft(JsonObject line, JsonObject invoice, out JsonObject? item)
    {
        item = null;
        if (line.Str("invoice_item") is not { Length: > 0 } itemId)
        {
            return StripeErrors.InvalidParam("Invalid string: invoice_item must be the id of an invoice item.", "invoice_item");
        }

        if (line["pricing"] is not null || line["price_data"] is not null)
        {
            return StripeErrors.InvalidParam($"You may only specify one of these parameters: invoice_item, {(line["pricing"] is null ? "price_data" : "pricing")}.", "invoice_item");
        }

        if (Find(itemId) is not { } found)
        {
            return StripeErrors.NoSuch(Type, itemId, "invoice_item");
        }

        if (found.Str("invoice") is { } onInvoice)
        {
            return StripeErrors.InvalidParam($"The invoice item {itemId} is already on invoice {onInvoice}: only a pending invoice item can be added to an invoice.", "invoice_item");
        }

        var refused = found.Str("customer") != invoice.Str("customer")
            ? StripeErrors.InvalidParam($"The invoice item {itemId} belongs to another customer than the invoice's ({invoice.Str("customer")}).", "invoice_item")
            : found.Str("currency") != invoice.Str("currency")
                ? StripeErrors.InvalidParam($"The currency of the invoice item {itemId} ({found.Str("currency")}) must match the invoice's ({invoice.Str("currency")}).", "invoice_item")
                : SubscriptionOf(found) is not null
                    ? StripeErrors.InvalidParam($"The invoice item {itemId} is for a subscription: it goes on that subscription's next invoice.", "invoice_item")
                    : ChangeLine(found, line);
        if (refused is not null)
        {
            return refused;
        }

        found["invoice"] = invoice.Str("id");
        item = found;
        return null;
    }

    /// <summary>
    /// A line's fields on its item: those of an item's update, a new price (<c>pricing</c> or <c>price_data</c>, the
    /// quantity kept) and <c>period</c>. The caller stores it.
    /// </summary>
    public StripeResponse? ChangeLine(JsonObject item, JsonObject line)
    {
        if (!StripeLists.TryMetadata(line, out var metadata, out var error) || !StripeLists.TryBool(line, "discountable", out var discountable, out error))
        {
            return error;
        }

        if (line["pricing"] is not null && line["price_data"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: price_data, pricing.", "price_data");
        }

        if (Period(line, out var period) is { } badPeriod)
        {
            return badPeriod;
        }

        if (PriceOf(line, item.Str("currency")!, out var priceId) is { } badPrice)
        {
            return badPrice;
        }

        if (priceId is not null)
        {
            if (line["amount"] is not null)
            {
                return StripeErrors.InvalidParam($"You may only specify one of these parameters: amount, {(line["pricing"] is null ? "price_data" : "pricing")}.", "amount");
            }

            item["pricing"] = Pricing(catalog.Find(priceId));
        }

        if (Change(item, line, metadata, discountable) is { } refused)
        {
            return refused;
        }

        if (period is { } changed)
        {
            item["period"] = new JsonObject { ["end"] = changed.End, ["start"] = changed.Start };
        }

        return null;
    }

    /// <summary>
    /// The price a line names: <c>pricing[price]</c> (a one-time price in <paramref name="currency"/>), or a new inactive
    /// one made of <c>price_data</c> (<see cref="StripeCatalog.ReadInline"/>); null for neither.
    /// </summary>
    private StripeResponse? PriceOf(JsonObject line, string currency, out string? priceId)
    {
        priceId = null;
        if (line["pricing"] is not null)
        {
            if ((line["pricing"] as JsonObject).Str("price") is not { } named)
            {
                return StripeErrors.Missing("pricing[price]");
            }

            if (catalog.UnpurchasableOneTime(named, "pricing[price]") is { } refused)
            {
                return refused;
            }

            if (catalog.Find(named).Str("currency") is { } priceCurrency && priceCurrency != currency)
            {
                return StripeErrors.InvalidParam($"The currency of the price {named} ({priceCurrency}) must match the invoice's ({currency}).", "pricing[price]");
            }

            priceId = named;
            return null;
        }

        if (line["price_data"] is null)
        {
            return null;
        }

        if (catalog.ReadInline(line["price_data"], "price_data", InlineLinePrice, out var price) is { } badData)
        {
            return badData;
        }

        if (price.Str("currency") != currency)
        {
            return StripeErrors.InvalidParam($"The currency ({price.Str("currency")}) must match the invoice's ({currency}).", "price_data[currency]");
        }

        priceId = price.Str("id");
        return null;
    }

    /// <summary>A line's <c>period</c>: <c>start</c> and <c>end</c>, Unix times, the end not before the start; null when absent.</summary>
    private static StripeResponse? Period(JsonObject line, out (long Start, long End)? period)
    {
        period = null;
        if (line["period"] is null)
        {
            return null;
        }

        var given = line["period"] as JsonObject;
        foreach (var bound in new[] { "start", "end" })
        {
            if (given.Str(bound) is null)
            {
                return StripeErrors.Missing($"period[{bound}]");
            }
        }

        if (!StripeJson.TryLong(given.Str("start"), out var start) || start < 0)
        {
            return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(given.Str("start")!)}", "period[start]");
        }

        if (!StripeJson.TryLong(given.Str("end"), out var end) || end < start)
        {
            return StripeErrors.InvalidParam("The period's end must be an integer no earlier than its start.", "period[end]");
        }

        period = (start, end);
        return null;
    }
}
