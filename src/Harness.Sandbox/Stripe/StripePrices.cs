using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Prices (docs.stripe.com/api/prices): per-unit or tiered (<see cref="StripeTiers"/>, which prices every billed amount), one-time or recurring (licensed, or metered by a billing meter, every
/// <c>interval_count</c> intervals), with lookup keys unique among prices. Amount, currency and recurrence never change after creation;
/// an archived price (<c>active=false</c>) cannot be bought (<see cref="StripeCatalog.Unpurchasable"/>).
/// </summary>
public sealed partial class StripePrices(ProviderObjects objects, StripeCatalog catalog, StripeWebhooks webhooks)
{
    public const string Path = "/v1/prices";

    /// <summary>Stripe's largest unit amount: eight digits of minor units.</summary>
    private const long MaxAmount = 99_999_999;

    private const int MaxLookupKey = 200;

    private static readonly HashSet<string> CreateParams =
    [
        "currency", "unit_amount", "unit_amount_decimal", "product", "product_data", "recurring", "lookup_key", "transfer_lookup_key", "nickname",
        "metadata", "active", "tax_behavior", "billing_scheme", "tiers", "tiers_mode", "transform_quantity", "custom_unit_amount", "currency_options", "expand",
    ];

    private static readonly HashSet<string> UpdateParams = ["active", "nickname", "metadata", "lookup_key", "transfer_lookup_key", "expand"];

    /// <summary>Pricing models the sandbox does not compute: refused rather than stored and ignored.</summary>
    private static readonly string[] NotSimulated = ["custom_unit_amount", "currency_options"];

    private static readonly HashSet<string> ProductDataParams = ["name", "active", "metadata", "description"];

    private static readonly HashSet<string> TermsParams = ["currency", "unit_amount", "unit_amount_decimal", "recurring", "tax_behavior"];

    /// <summary>What a price costs and how often: read by <see cref="ReadTerms"/> from a price or a product's <c>default_price_data</c>.</summary>
    public sealed record Terms(string Currency, long UnitAmount, JsonObject? Recurring, string TaxBehavior);

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (NotSimulated.FirstOrDefault(n => p[n] is not null) is { } model)
        {
            return Unsimulated(model);
        }

        if (StripeTiers.Read(p, out var scheme) is { } badScheme)
        {
            return badScheme;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "active", out var active, out error)
            || !StripeLists.TryBool(p, "transfer_lookup_key", out var transfer, out error))
        {
            return error!;
        }

        if (p["product"] is not null && p["product_data"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: product, product_data.", "product");
        }

        if (p["product"] is null && p["product_data"] is null)
        {
            return StripeErrors.Missing("product");
        }

        if (ReadProductData(p, out var productData) is { } badProduct)
        {
            return badProduct;
        }

        if (ReadTerms(p, null, out var terms, scheme.Tiered) is { } badTerms)
        {
            return badTerms;
        }

        if (LookupKey(p) is { } badKey)
        {
            return badKey;
        }

        return objects.Atomically(() =>
        {
            if (MeterRefusal(terms!, "recurring[meter]") is { } badMeter)
            {
                return badMeter;
            }

            var events = new List<StripeEvent>();
            string productId;
            if (productData is not null)
            {
                var product = NewProduct(productData);
                productId = product.Str("id")!;
                events.Add(new StripeEvent("product.created", StripeLists.Public(product)));
            }
            else if (catalog.FindProduct(p.Str("product") ?? "") is { } found)
            {
                productId = found.Str("id")!;
            }
            else
            {
                return StripeErrors.NoSuch("product", p.Str("product") ?? "", "product");
            }

            var price = New(productId, terms!);
            StripeTiers.Apply(price, scheme);
            price["active"] = active ?? true;
            price["metadata"] = metadata;
            price["nickname"] = p.Str("nickname") is { Length: > 0 } nickname ? nickname : null;
            if (p.Str("lookup_key") is { Length: > 0 } key)
            {
                if (ClaimLookupKey(key, price.Str("id")!, transfer == true, events) is { } taken)
                {
                    return taken;
                }

                price["lookup_key"] = key;
            }

            objects.Put(price);
            events.Insert(productData is null ? 0 : 1, new StripeEvent("price.created", StripeLists.Public(price)));
            webhooks.Send(price.Str("id")!, events);
            return StripeResponse.Ok(View(price, p, ""));
        });
    }

    public StripeResponse Retrieve(string id, JsonObject query) =>
        catalog.Find(id) is { } price ? StripeResponse.Ok(View(price, query, "")) : StripeErrors.NoSuch("price", id, "price");

    /// <summary>
    /// <c>active</c>, <c>nickname</c>, <c>metadata</c> (merged), <c>lookup_key</c> (empty: removed) with
    /// <c>transfer_lookup_key</c>; anything else, the amount and currency among it, is an unknown parameter, as at Stripe.
    /// </summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "active", out var active, out error)
            || !StripeLists.TryBool(p, "transfer_lookup_key", out var transfer, out error))
        {
            return error!;
        }

        if (LookupKey(p) is { } badKey)
        {
            return badKey;
        }

        return objects.Atomically(() =>
        {
            if (catalog.Find(id) is not { } price)
            {
                return StripeErrors.NoSuch("price", id, "price");
            }

            if (active == false && catalog.ProductOf(price)?.Str("default_price") == id)
            {
                return StripeErrors.InvalidParam("This price cannot be archived because it is the default price of its product.", "active");
            }

            var events = new List<StripeEvent>();
            var previous = new JsonObject();
            if (active is { } flag && flag != price["active"]!.GetValue<bool>())
            {
                previous["active"] = !flag;
                price["active"] = flag;
            }

            if (p["nickname"] is not null)
            {
                previous["nickname"] = price["nickname"]?.DeepClone();
                price["nickname"] = p.Str("nickname") is { Length: > 0 } nickname ? nickname : null;
            }

            if (p["lookup_key"] is not null && p.Str("lookup_key") is { } key && key != price.Str("lookup_key"))
            {
                if (key.Length > 0 && ClaimLookupKey(key, id, transfer == true, events) is { } taken)
                {
                    return taken;
                }

                previous["lookup_key"] = price["lookup_key"]?.DeepClone();
                price["lookup_key"] = key.Length > 0 ? key : null;
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(price, metadata, previous);
            }

            objects.Put(price);
            events.Add(new StripeEvent("price.updated", StripeLists.Public(price), previous));
            webhooks.Send(id, events);
            return StripeResponse.Ok(View(price, p, ""));
        });
    }

    /// <summary><c>active</c>, <c>product</c>, <c>type</c>, <c>currency</c>, <c>lookup_keys[]</c>, <c>recurring[interval]</c>, paged either way.</summary>
    public StripeResponse List(JsonObject query)
    {
        if (!StripeLists.TryBool(query, "active", out var active, out var error))
        {
            return error!;
        }

        var type = query.Str("type");
        if (type is not (null or "one_time" or "recurring"))
        {
            return StripeErrors.InvalidParam($"Invalid type: must be one of one_time or recurring", "type");
        }

        var keys = query["lookup_keys"] switch
        {
            JsonArray array => array.Select(k => k?.ToString()).ToHashSet(),
            JsonValue one => [one.ToString()],
            _ => null,
        };
        var interval = (query["recurring"] as JsonObject).Str("interval");
        bool Matches(JsonObject price) =>
            (active is null || price["active"]!.GetValue<bool>() == active)
            && (query.Str("product") is not { } product || price.Str("product") == product)
            && (type is null || price.Str("type") == type)
            && (query.Str("currency") is not { } currency || string.Equals(price.Str("currency"), currency, StringComparison.OrdinalIgnoreCase))
            && (keys is null || (price.Str("lookup_key") is { } key && keys.Contains(key)))
            && (interval is null || price["recurring"].Str("interval") == interval);
        return StripeLists.Page(Path, after => objects.Newest("price", after).Where(Matches), query, price => View(price, query, "data."));
    }

    /// <summary>
    /// The currency, amount (<c>unit_amount</c>, or <c>unit_amount_decimal</c> when it is whole minor units), <c>recurring</c>
    /// and <c>tax_behavior</c> of a price, read from <paramref name="p"/> or from its <paramref name="prefix"/> object
    /// (<c>default_price_data</c>); a <paramref name="tiered"/> price has no amount of its own (its tiers have).
    /// </summary>
    public static StripeResponse? ReadTerms(JsonObject p, string? prefix, out Terms? terms, bool tiered = false)
    {
        terms = null;
        string Name(string field) => prefix is null ? field : $"{prefix}[{field}]";
        if (prefix is not null && p.Select(kv => kv.Key).FirstOrDefault(k => !TermsParams.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {Name(unknown)}", Name(unknown), "parameter_unknown");
        }

        if (p.Str("currency") is not { } currency)
        {
            return StripeErrors.Missing(Name("currency"));
        }

        currency = currency.ToLowerInvariant();
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower))
        {
            return StripeErrors.InvalidParam($"Invalid currency: {StripeLists.Clip(currency)}. Stripe currencies are three-letter ISO codes in lowercase.", Name("currency"));
        }

        var amount = 0L;
        if (!tiered && ReadAmount(p, Name, out amount) is { } badAmount)
        {
            return badAmount;
        }

        var taxBehavior = p.Str("tax_behavior") ?? "unspecified";
        if (taxBehavior is not ("inclusive" or "exclusive" or "unspecified"))
        {
            return StripeErrors.InvalidParam("Invalid tax_behavior: must be one of inclusive, exclusive, or unspecified", Name("tax_behavior"));
        }

        if (ReadRecurring(p["recurring"], Name("recurring"), out var recurring) is { } badRecurring)
        {
            return badRecurring;
        }

        terms = new Terms(currency, amount, recurring, taxBehavior);
        return null;
    }

    /// <summary>A new stored price of <paramref name="productId"/> (no events, no lookup key).</summary>
    public JsonObject New(string productId, Terms terms)
    {
        var price = catalog.Price(StripeJson.NewId("price"), productId, terms.Currency, terms.UnitAmount, terms.Recurring);
        price["tax_behavior"] = terms.TaxBehavior;
        return price;
    }

    /// <summary>
    /// An amount in whole minor units from <paramref name="field"/> or <c><paramref name="field"/>_decimal</c>
    /// (<c>unit_amount</c>, or a tier's <c>flat_amount</c>); <paramref name="name"/> names them as sent.
    /// </summary>
    internal static StripeResponse? ReadAmount(JsonObject p, Func<string, string> name, out long amount, string field = "unit_amount")
    {
        amount = 0;
        var decimalField = field + "_decimal";
        if (p[field] is not null && p[decimalField] is not null)
        {
            return StripeErrors.InvalidParam($"You may only specify one of these parameters: {field}, {decimalField}.", name(field));
        }

        if (p.Str(decimalField) is { } text)
        {
            if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var exact))
            {
                return StripeErrors.InvalidParam($"Invalid decimal: {StripeLists.Clip(text)}", name(decimalField));
            }

            if (exact != decimal.Truncate(exact))
            {
                return Unsimulated(name(decimalField), "a fraction of a minor unit is not simulated: the sandbox charges whole minor units");
            }

            if (exact > MaxAmount)
            {
                return StripeErrors.InvalidParam($"This value must be less than or equal to {MaxAmount}.", name(decimalField));
            }

            amount = (long)exact;
            return null;
        }

        if (p[field] is null)
        {
            return StripeErrors.Missing(name(field));
        }

        if (!StripeJson.TryLong(p.Str(field), out amount))
        {
            return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(p.Str(field) ?? "")}", name(field));
        }

        return amount is < 0 or > MaxAmount
            ? StripeErrors.InvalidParam($"This value must be greater than or equal to 0 and less than or equal to {MaxAmount}.", name(field))
            : null;
    }

    private static StripeResponse? ReadProductData(JsonObject p, out JsonObject? data)
    {
        data = null;
        if (p["product_data"] is null)
        {
            return null;
        }

        if (p["product_data"] is not JsonObject given)
        {
            return StripeErrors.InvalidParam("Invalid object", "product_data");
        }

        if (given.Select(kv => kv.Key).FirstOrDefault(k => !ProductDataParams.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: product_data[{unknown}]", $"product_data[{unknown}]", "parameter_unknown");
        }

        if (given.Str("name") is not { Length: > 0 })
        {
            return StripeErrors.Missing("product_data[name]");
        }

        if (!StripeLists.TryMetadata(given, out _, out var error) || !StripeLists.TryBool(given, "active", out _, out error))
        {
            return error;
        }

        data = given;
        return null;
    }

    /// <summary>The product a price's <c>product_data</c> describes, stored.</summary>
    private JsonObject NewProduct(JsonObject data)
    {
        var product = catalog.Product(StripeJson.NewId("prod"), data.Str("name")!);
        product["active"] = data.Str("active") != "false";
        product["description"] = data.Str("description") is { Length: > 0 } description ? description : null;
        StripeLists.TryMetadata(data, out var metadata, out _);
        product["metadata"] = metadata;
        objects.Put(product);
        return product;
    }

    private static StripeResponse? LookupKey(JsonObject p) => p.Str("lookup_key") is { Length: > MaxLookupKey }
        ? StripeErrors.InvalidParam($"Invalid lookup_key: must be at most {MaxLookupKey} characters", "lookup_key")
        : null;

    /// <summary>
    /// Makes <paramref name="key"/> free for <paramref name="priceId"/>: 400 when another price has it, unless
    /// <paramref name="transfer"/>, which takes it from that price (whose <c>price.updated</c> joins <paramref name="events"/>).
    /// </summary>
    private StripeResponse? ClaimLookupKey(string key, string priceId, bool transfer, List<StripeEvent> events)
    {
        if (objects.Newest("price").FirstOrDefault(other => other.Str("lookup_key") == key && other.Str("id") != priceId) is not { } holder)
        {
            return null;
        }

        if (!transfer)
        {
            return StripeErrors.InvalidParam($"A price (`{holder.Str("id")}`) already uses that lookup key.", "lookup_key");
        }

        holder["lookup_key"] = null;
        objects.Put(holder);
        events.Add(new StripeEvent("price.updated", StripeLists.Public(holder), new JsonObject { ["lookup_key"] = key }));
        return null;
    }

    /// <summary>
    /// The public price, with <c>expand[]</c> of <c>product</c> and of <c>tiers</c>, which Stripe includes only when asked
    /// (<paramref name="path"/>: <c>data.</c> in a list).
    /// </summary>
    private JsonObject View(JsonObject price, JsonObject query, string path)
    {
        var copy = StripeLists.Public(price);
        if (StripeCatalog.Expands(query, path + "tiers"))
        {
            copy["tiers"] = price["tiers"]?.DeepClone();
        }

        if (StripeCatalog.Expands(query, path + "product") && catalog.ProductOf(price) is { } product)
        {
            copy["product"] = StripeLists.Public(product);
        }

        return copy;
    }

    /// <summary>Stripe's 400 for a parameter whose behaviour the sandbox does not simulate.</summary>
    internal static StripeResponse Unsimulated(string param, string? why = null) =>
        StripeErrors.InvalidParam($"`{param}` is not simulated by the sandbox: {why ?? "its prices are per-unit amounts in whole minor units"}.", param);
}
