using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Products (docs.stripe.com/api/products): what prices are prices of. A custom <c>id</c> may be given; a
/// <c>default_price_data</c> creates the default price with the product. A product with prices cannot be deleted
/// (archive it with <c>active=false</c>); the prices of an archived product cannot be bought.
/// </summary>
public sealed class StripeProducts(ProviderObjects objects, StripeCatalog catalog, StripePrices prices, StripeWebhooks webhooks, TimeProvider clock)
{
    public const string Path = "/v1/products";

    private const int MaxImages = 8;

    private static readonly HashSet<string> CreateParams =
        ["id", "name", "active", "description", "metadata", "default_price_data", "images", "url", "statement_descriptor", "unit_label", "tax_code", "expand"];

    private static readonly HashSet<string> UpdateParams =
        ["name", "active", "description", "metadata", "default_price", "images", "url", "statement_descriptor", "unit_label", "tax_code", "expand"];

    /// <summary>Text fields stored as given (an empty value on an update unsets them).</summary>
    private static readonly string[] TextFields = ["url", "statement_descriptor", "unit_label"];

    /// <summary>What a create may not give as an empty string.</summary>
    private static readonly string[] Unsettable = ["id", "name", "description"];

    /// <summary>What an update's <c>previous_attributes</c> show when given (besides <c>active</c> and <c>metadata</c>).</summary>
    private static readonly string[] Changeable = ["name", "description", "default_price", "images", "url", "statement_descriptor", "unit_label"];

    public StripeResponse Create(JsonObject p)
    {
        if (Refusal(p, CreateParams) is { } refused)
        {
            return refused;
        }

        if (p["name"] is null)
        {
            return StripeErrors.Missing("name");
        }

        if (Unsettable.FirstOrDefault(f => p[f] is not null && p.Str(f) is not { Length: > 0 }) is { } empty)
        {
            return StripeErrors.InvalidParam(
                $"You passed an empty string for '{empty}'. We assume empty values are an attempt to unset a parameter; however '{empty}' cannot be unset. You should remove '{empty}' from your request or supply a non-empty value.",
                empty);
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "active", out var active, out error))
        {
            return error!;
        }

        StripePrices.Terms? terms = null;
        if (p["default_price_data"] is { } data)
        {
            if (data is not JsonObject given)
            {
                return StripeErrors.InvalidParam("Invalid object", "default_price_data");
            }

            if (StripePrices.ReadTerms(given, "default_price_data", out terms) is { } badTerms)
            {
                return badTerms;
            }
        }

        return objects.Atomically(() =>
        {
            if (terms is not null && prices.MeterRefusal(terms, "default_price_data[recurring][meter]") is { } badMeter)
            {
                return badMeter;
            }

            var id = p.Str("id") ?? StripeJson.NewId("prod");
            // Every Stripe object shares one id space here: a coupon's id is as taken as a live product's.
            if (objects.Holds(id) && objects.Get(id, "product")?["_deleted"] is null)
            {
                return StripeErrors.InvalidParam("Product already exists.", "id", "resource_already_exists");
            }

            var product = catalog.Product(id, p.Str("name")!);
            product["active"] = active ?? true;
            product["description"] = p.Str("description");
            product["metadata"] = metadata;
            SetDetails(product, p);
            var events = new List<StripeEvent> { new("product.created", StripeLists.Public(product)) };
            if (terms is not null)
            {
                var price = prices.New(id, terms);
                objects.Put(price);
                product["default_price"] = price.Str("id");
                events.Add(new StripeEvent("price.created", StripeLists.Public(price)));
            }

            objects.Put(product);
            webhooks.Send(id, events);
            return StripeResponse.Ok(View(product, p, ""));
        });
    }

    public StripeResponse Retrieve(string id, JsonObject query) =>
        catalog.FindProduct(id) is { } product ? StripeResponse.Ok(View(product, query, "")) : StripeErrors.NoSuch("product", id, "id");

    /// <summary>
    /// <c>name</c>, <c>description</c> (empty: removed), <c>active</c>, <c>metadata</c> (merged), <c>default_price</c> (a
    /// price of this product; empty: removed), <c>images</c>, <c>url</c>, <c>statement_descriptor</c>, <c>unit_label</c>.
    /// </summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (Refusal(p, UpdateParams) is { } refused)
        {
            return refused;
        }

        if (p["name"] is not null && p.Str("name") is not { Length: > 0 })
        {
            return StripeErrors.InvalidParam(
                "You passed an empty string for 'name'. We assume empty values are an attempt to unset a parameter; however 'name' cannot be unset. You should remove 'name' from your request or supply a non-empty value.",
                "name");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "active", out var active, out error))
        {
            return error!;
        }

        return objects.Atomically(() =>
        {
            if (catalog.FindProduct(id) is not { } product)
            {
                return StripeErrors.NoSuch("product", id, "id");
            }

            if (p.Str("default_price") is { Length: > 0 } priceId)
            {
                if (catalog.Find(priceId) is not { } price)
                {
                    return StripeErrors.NoSuch("price", priceId, "default_price");
                }

                if (price.Str("product") != id)
                {
                    return StripeErrors.InvalidParam($"The price `{priceId}` is a price of product `{price.Str("product")}`: a default price must be a price of this product.", "default_price");
                }

                if (price["active"]!.GetValue<bool>() is false)
                {
                    return StripeErrors.InvalidParam("The price specified is inactive. This field only accepts active prices.", "default_price");
                }
            }

            var previous = new JsonObject();
            foreach (var field in Changeable.Where(f => p[f] is not null))
            {
                previous[field] = product[field]?.DeepClone();
            }

            if (p["name"] is not null)
            {
                product["name"] = p.Str("name");
            }

            if (p["description"] is not null)
            {
                product["description"] = p.Str("description") is { Length: > 0 } description ? description : null;
            }

            if (p["default_price"] is not null)
            {
                product["default_price"] = p.Str("default_price") is { Length: > 0 } price ? price : null;
            }

            if (active is { } flag)
            {
                previous["active"] = product["active"]!.DeepClone();
                product["active"] = flag;
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(product, metadata, previous);
            }

            SetDetails(product, p);
            product["updated"] = StripeJson.Unix(clock.GetUtcNow());
            objects.Put(product);
            webhooks.Send(id, [new StripeEvent("product.updated", StripeLists.Public(product), previous)]);
            return StripeResponse.Ok(View(product, p, ""));
        });
    }

    /// <summary>Deletes a product without prices: <c>{id, object, deleted: true}</c> and <c>product.deleted</c>.</summary>
    public StripeResponse Delete(string id) => objects.Atomically(() =>
    {
        if (catalog.FindProduct(id) is not { } product)
        {
            return StripeErrors.NoSuch("product", id, "id");
        }

        if (objects.Newest("price").Any(price => price.Str("product") == id))
        {
            return StripeErrors.InvalidParam("This product cannot be deleted because it has one or more user-created prices.", null);
        }

        product["_deleted"] = true;
        objects.Put(product);
        webhooks.Send(id, [new StripeEvent("product.deleted", StripeLists.Public(product))]);
        return StripeResponse.Ok(new JsonObject { ["id"] = id, ["object"] = "product", ["deleted"] = true });
    });

    /// <summary><c>active</c>, <c>ids[]</c>, <c>url</c>, paged either way; deleted products are not listed.</summary>
    public StripeResponse List(JsonObject query)
    {
        if (!StripeLists.TryBool(query, "active", out var active, out var error))
        {
            return error!;
        }

        var ids = query["ids"] switch
        {
            JsonArray array => array.Select(k => k?.ToString()).ToHashSet(),
            JsonValue one => [one.ToString()],
            _ => null,
        };
        bool Matches(JsonObject product) =>
            product["_deleted"] is null
            && (active is null || product["active"]!.GetValue<bool>() == active)
            && (ids is null || ids.Contains(product.Str("id")))
            && (query.Str("url") is not { } url || product.Str("url") == url);
        return StripeLists.Page(Path, after => objects.Newest("product", after).Where(Matches), query, product => View(product, query, "data."));
    }

    /// <summary>Unknown parameters, and those the sandbox does not simulate, as Stripe's 400; bad images.</summary>
    private static StripeResponse? Refusal(JsonObject p, IReadOnlySet<string> allowed)
    {
        if (StripeLists.Unknown(p, allowed) is { } unknown)
        {
            return unknown;
        }

        if (p["tax_code"] is not null)
        {
            return StripePrices.Unsimulated("tax_code", "the sandbox computes no tax");
        }

        if (p["images"] is not (null or JsonArray) && p.Str("images") != "")
        {
            return StripeErrors.InvalidParam("Invalid array", "images");
        }

        if (p["images"] is JsonArray images && (images.Count > MaxImages || images.Any(i => i is not JsonValue)))
        {
            return StripeErrors.InvalidParam($"Invalid array: images takes at most {MaxImages} URLs.", "images");
        }

        return TextFields.FirstOrDefault(f => p[f] is not (null or JsonValue)) is { } field ? StripeErrors.InvalidParam("Invalid string", field) : null;
    }

    /// <summary><c>images</c> (empty: none) and the text fields (empty: removed).</summary>
    private static void SetDetails(JsonObject product, JsonObject p)
    {
        if (p["images"] is not null)
        {
            product["images"] = p["images"] is JsonArray images ? new JsonArray([.. images.Select(i => (JsonNode?)i!.ToString())]) : new JsonArray();
        }

        foreach (var field in TextFields.Where(f => p[f] is not null))
        {
            product[field] = p.Str(field) is { Length: > 0 } value ? value : null;
        }
    }

    /// <summary>The public product, with <c>expand[]</c> of <c>default_price</c> (<paramref name="path"/>: <c>data.</c> in a list).</summary>
    private JsonObject View(JsonObject product, JsonObject query, string path)
    {
        var copy = StripeLists.Public(product);
        if (StripeCatalog.Expands(query, path + "default_price") && copy.Str("default_price") is { } priceId && catalog.Find(priceId) is { } price)
        {
            copy["default_price"] = StripeLists.Public(price);
        }

        return copy;
    }
}
