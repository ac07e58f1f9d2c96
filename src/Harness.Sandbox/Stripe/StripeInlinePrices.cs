using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Inline prices: the one reader of <c>price_data</c> for every place that takes it (subscription items and the
/// Subscription Items API, schedule phases, <c>add_invoice_items</c>, invoice lines, and the line items of Checkout
/// Sessions and payment links). As Stripe does,
/// each becomes a real Price object, inactive (it cannot be bought again by id) but retrievable, which renewals,
/// prorations, invoices, taxes and tiers then treat like any price. What each place takes is its <see cref="InlinePriceRules"/>.
/// </summary>
public sealed partial class StripeCatalog
{
    /// <summary>A subscription item's (and a schedule phase item's) <c>price_data</c>: a recurring price of an existing product.</summary>
    public static readonly InlinePriceRules RecurringInline =
        new(new HashSet<string> { "currency", "product", "recurring", "tax_behavior", "unit_amount", "unit_amount_decimal" }, Recurring: true, ProductData: false);

    /// <summary>An <c>add_invoice_items</c> entry's <c>price_data</c>: a one-time price of an existing product.</summary>
    public static readonly InlinePriceRules OneTimeInline =
        new(new HashSet<string> { "currency", "product", "tax_behavior", "unit_amount", "unit_amount_decimal" }, Recurring: false, ProductData: false);

    /// <summary>
    /// A Checkout Session's and a payment link's line <c>price_data</c>: one-time or recurring, of a product or a new one
    /// (<c>product_data</c>), its amount refused in Checkout's words (<c>amount_too_large</c>, "Amount must be no more than $999,999.99").
    /// </summary>
    public static readonly InlinePriceRules CheckoutInline =
        new(new HashSet<string> { "currency", "product", "product_data", "recurring", "tax_behavior", "unit_amount", "unit_amount_decimal" }, Recurring: null, ProductData: true, CheckoutAmounts: true);

    /// <summary>
    /// What a place's <c>price_data</c> may carry: its fields, whether it must be recurring (null: either), whether
    /// <c>product_data</c> may stand for <c>product</c>, and whether an amount out of bounds gets Checkout's answers.
    /// </summary>
    public sealed record InlinePriceRules(IReadOnlySet<string> Fields, bool? Recurring, bool ProductData, bool CheckoutAmounts = false);

    /// <summary>Stripe amounts have at most eight digits: 99,999,999 minor units ($999,999.99).</summary>
    internal const long MaxAmount = 99_999_999;

    private static readonly HashSet<string> InlineRecurringFields = ["interval", "interval_count"];

    /// <summary>What <c>product_data</c> takes: the product's name, description and metadata (its tax code is Stripe Tax's, not simulated).</summary>
    private static readonly HashSet<string> InlineProductFields = ["name", "description", "metadata", "tax_code", "tax_details"];

    /// <summary>
    /// Reads the <c>price_data</c> at <paramref name="param"/> (named so in every refusal) and stores the inactive price
    /// it describes (and the product of a <c>product_data</c>); an orphan left by a later refusal in the same request
    /// is inactive and harms nothing.
    /// </summary>
    public StripeResponse? ReadInline(JsonNode? node, string param, InlinePriceRules rules, out JsonObject? price)
    {
        price = null;
        string Name(string field) => $"{param}[{field}]";
        if (node is not JsonObject data)
        {
            return StripeErrors.InvalidParam("Invalid object", param);
        }

        var unknown = data.Select(kv => kv.Key).FirstOrDefault(k => !rules.Fields.Contains(k))
            ?? (data["recurring"] as JsonObject)?.Select(kv => kv.Key).Where(k => !InlineRecurringFields.Contains(k)).Select(k => $"recurring][{k}").FirstOrDefault();
        if (unknown is not null)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {Name(unknown)}", Name(unknown), "parameter_unknown");
        }

        if (ReadInlineProduct(data, Name, rules, out var productId, out var productName) is { } badProduct)
        {
            return badProduct;
        }

        if (rules.CheckoutAmounts && CheckoutAmountRefusal(data, Name) is { } tooLarge)
        {
            return tooLarge;
        }

        var terms = data.DeepClone().AsObject();
        terms.Remove("product");
        terms.Remove("product_data");
        if (StripePrices.ReadTerms(terms, param, out var read) is { } badTerms)
        {
            return badTerms;
        }

        if (rules.Recurring is true && read!.Recurring is null)
        {
            return StripeErrors.Missing(Name("recurring"));
        }

        if (productId is null)
        {
            var given = (JsonObject)data["product_data"]!;
            var made = Product(StripeJson.NewId("prod"), productName!);
            made["description"] = given.Str("description") is { Length: > 0 } description ? description : null;
            StripeLists.TryMetadata(given, out var metadata, out _);
            made["metadata"] = metadata;
            objects.Put(made);
            productId = made.Str("id")!;
        }

        price = Price(StripeJson.NewId("price"), productId, read!.Currency, read.UnitAmount, read.Recurring);
        price["tax_behavior"] = read.TaxBehavior;
        price["active"] = false;
        objects.Put(price);
        return null;
    }

    /// <summary>The product a <c>price_data</c> is of: <c>product</c> (existing, active) or, where taken, a new one named by <c>product_data[name]</c>.</summary>
    private StripeResponse? ReadInlineProduct(JsonObject data, Func<string, string> name, InlinePriceRules rules, out string? productId, out string? productName)
    {
        (productId, productName) = (null, null);
        if (rules.ProductData && (data["product"] is null) == (data["product_data"] is null))
        {
            return StripeErrors.InvalidParam($"You must specify exactly one of {name("product")} or {name("product_data")}.", name("product"));
        }

        if (data["product_data"] is not null)
        {
            if (data["product_data"] is not JsonObject given)
            {
                return StripeErrors.InvalidParam("Invalid object", name("product_data"));
            }

            if (given.Select(kv => kv.Key).FirstOrDefault(k => !InlineProductFields.Contains(k)) is { } unknown)
            {
                return StripeErrors.InvalidParam($"Received unknown parameter: {name("product_data")}[{unknown}]", $"{name("product_data")}[{unknown}]", "parameter_unknown");
            }

            if (given["tax_code"] is not null || given["tax_details"] is not null)
            {
                return StripeErrors.NotSimulated($"{name("product_data")}[{(given["tax_code"] is null ? "tax_details" : "tax_code")}]",
                    "the sandbox's taxes are tax rates; Stripe Tax's product tax codes are not simulated");
            }

            if (given.Str("name") is not { Length: > 0 } productDataName)
            {
                return StripeErrors.Missing($"{name("product_data")}[name]");
            }

            if (!StripeLists.TryMetadata(given, out _, out _))
            {
                return StripeErrors.InvalidParam("Invalid object", $"{name("product_data")}[metadata]");
            }

            productName = productDataName;
            return null;
        }

        if (data.Str("product") is not { Length: > 0 } id)
        {
            return StripeErrors.Missing(name("product"));
        }

        if (FindProduct(id) is not { } product)
        {
            return StripeErrors.NoSuch("product", id, name("product"));
        }

        if (product["active"]?.GetValue<bool>() is false)
        {
            return StripeErrors.InvalidParam($"The product `{id}` is archived (`active=false`): it cannot be used to create new prices.", name("product"));
        }

        productId = id;
        return null;
    }

    /// <summary>
    /// Checkout's answers for a <c>unit_amount</c> out of bounds: below 0, or above eight digits (<c>amount_too_large</c>,
    /// in Checkout's words); anything else is the shared price reader's to refuse.
    /// </summary>
    private static StripeResponse? CheckoutAmountRefusal(JsonObject data, Func<string, string> name)
    {
        if (data.Str("currency") is not { } currency || !StripeJson.TryLong(data.Str("unit_amount"), out var amount))
        {
            return null;
        }

        return amount < 0
            ? StripeErrors.InvalidParam("This value must be greater than or equal to 0.", name("unit_amount"))
            : amount > MaxAmount
                ? StripeErrors.InvalidParam($"Amount must be no more than {CheckoutAmount(MaxAmount, currency)}", name("unit_amount"), "amount_too_large")
                : null;
    }

    /// <summary>Minor units as Checkout words a limit: <c>$999,999.99</c> for dollars, <c>999,999.99 EUR</c> otherwise (two decimals, as on the pay page).</summary>
    internal static string CheckoutAmount(long minor, string currency)
    {
        var major = (minor / 100m).ToString("#,0.00", System.Globalization.CultureInfo.InvariantCulture);
        return currency.Equals("usd", StringComparison.OrdinalIgnoreCase) ? "$" + major : $"{major} {currency.ToUpperInvariant()}";
    }

    /// <summary>Why a one-time charge cannot be of <paramref name="priceId"/>: Stripe's answer for no such, an archived or a recurring price.</summary>
    public StripeResponse? UnpurchasableOneTime(string priceId, string param, bool inactiveToo = false) =>
        Unpurchasable(priceId, param, inactiveToo)
        ?? (Find(priceId)!["recurring"] is JsonObject
            ? StripeErrors.InvalidParam("The price specified is set to `type=recurring` but this field only accepts prices with `type=one_time`.", param)
            : null);

    /// <summary>
    /// A Checkout or payment-link line's price: <c>price</c> (purchasable; one of a session's <paramref name="inlinePrices"/>, its payment link's, may be
    /// inactive) or a new inactive price made of <c>price_data</c> with Checkout's rules, as Stripe makes one and shows it
    /// as the line's price.
    /// </summary>
    public StripeResponse? CheckoutLinePrice(JsonObject item, string param, IReadOnlySet<string>? inlinePrices, out JsonObject? price)
    {
        price = null;
        if (item["price"] is not null && item["price_data"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: price, price_data.", $"{param}[price]");
        }

        if (item["price_data"] is not null)
        {
            return ReadInline(item["price_data"], $"{param}[price_data]", CheckoutInline, out price);
        }

        if (item.Str("price") is not { } priceId)
        {
            return StripeErrors.InvalidParam($"You must specify either `price` or `price_data` in `{param}`.", $"{param}[price]", "parameter_missing");
        }

        if (Unpurchasable(priceId, $"{param}[price]", inactiveToo: inlinePrices?.Contains(priceId) == true) is { } unpurchasable)
        {
            return unpurchasable;
        }

        price = Find(priceId)!;
        return null;
    }
}
