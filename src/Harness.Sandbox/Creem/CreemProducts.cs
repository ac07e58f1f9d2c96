using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>
/// Creem's product catalog on the paths of the creem 1.13.0 SDK: create, get, search, update and archive. Products
/// made here sell in checkouts and subscriptions exactly as the seeded ones do.
/// </summary>
public sealed partial class CreemProvider
{
    internal static readonly string[] Currencies = ["EUR", "USD"];
    internal static readonly string[] BillingPeriods = ["once", "every-day", "every-month", "every-three-months", "every-six-months", "every-year", "custom"];
    internal static readonly string[] RecurringIntervals = ["day", "week", "month", "year"];
    private static readonly string[] TaxModes = ["inclusive", "exclusive"];
    private static readonly string[] TaxCategories = ["saas", "digital-goods-service", "ebooks"];
    private static readonly string[] BillingTypes = ["recurring", "onetime"];
    private static readonly string[] RequiredTextFields = ["name", "description"];
    private static readonly string[] CustomFieldFields = ["custom_fields", "custom_field"];
    private static readonly string[] FlagFields = ["business_net_pricing", "abandoned_cart_recovery_enabled"];

    /// <summary>Fields that only describe the product: stored and answered as sent.</summary>
    private static readonly string[] DescriptiveFields = ["name", "description", "image_url", "default_success_url"];

    /// <summary>Fields of the SDK's request that change billing in ways the sandbox does not simulate: refused, never silently ignored.</summary>
    private static readonly string[] UnsimulatedFields = ["pay_what_you_want", "suggested_price", "usage_prices"];

    /// <summary>Creem documents no longest trial; this is the sandbox's bound (docs/sandbox/creem.md).</summary>
    private const long MaxTrialDays = 365;

    /// <summary>The least a paid trial may charge, as Creem documents it (cents).</summary>
    private const long MinTrialPrice = 100;

    private static readonly HashSet<string> ProductCreateFields =
    [
        .. DescriptiveFields, .. UnsimulatedFields, "trial_period_days", "trial_price", "image_urls", "price", "currency", "billing_type", "billing_period",
        "recurring_interval", "recurring_interval_count", "tax_mode", "business_net_pricing", "tax_category", "custom_fields", "custom_field",
        "abandoned_cart_recovery_enabled", "features",
    ];

    private static readonly HashSet<string> ProductUpdateFields =
    [
        .. DescriptiveFields, .. UnsimulatedFields, "trial_period_days", "trial_price", "image_urls", "price", "currency", "billing_type", "billing_period",
        "recurring_interval", "recurring_interval_count", "tax_mode", "business_net_pricing", "features",
    ];

    private void MapProducts(WebApplication app)
    {
        app.MapPost("/v1/products", async (HttpRequest request) =>
        {
            if (await StrictJsonBody.ReadObjectAsync(request) is not { } body)
            {
                return CreemErrors.BadRequest("request body must be a JSON object");
            }

            var problems = Unknown(body, ProductCreateFields);
            foreach (var field in RequiredTextFields.Where(f => body.Str(f) is not { Length: > 0 }))
            {
                problems.Add($"{field} must be a string");
            }

            if (body["price"] is null)
            {
                problems.Add("price must be an integer");
            }

            if (body["currency"] is null)
            {
                problems.Add($"currency must be one of the following values: {string.Join(", ", Currencies)}");
            }

            if (body["billing_type"] is null)
            {
                problems.Add("billing_type must be one of the following values: recurring, onetime");
            }

            var now = Iso(_context.Clock.GetUtcNow());
            var product = new JsonObject
            {
                ["id"] = NewId("prod"),
                ["mode"] = "test",
                ["object"] = "product",
                ["status"] = "active",
                ["tax_mode"] = "exclusive",
                ["tax_category"] = "saas",
                ["default_success_url"] = null,
                ["created_at"] = now,
                ["updated_at"] = now,
            };
            problems.AddRange(ApplyProduct(product, body));
            if (problems.Count > 0)
            {
                return CreemErrors.BadRequest([.. problems]);
            }

            // The SDK sends an Idempotency-Key when asked to: the same key answers the product it made, even to a retry racing the first.
            var key = request.Headers["Idempotency-Key"].ToString();
            return _objects.Atomically(() =>
            {
                if (key.Length > 0 && _objects.Get(IdempotencyId(key), "idempotency") is { } earlier && _objects.Get(earlier.Str("product")!, "product") is { } made)
                {
                    return Ok(made);
                }

                _objects.Put(product);
                if (key.Length > 0)
                {
                    _objects.Put(new JsonObject { ["id"] = IdempotencyId(key), ["object"] = "idempotency", ["product"] = product.Str("id") });
                }

                return Ok(product);
            });
        });
        app.MapGet("/v1/products/search", (HttpRequest request) =>
        {
            if (TryPaging(request, out var page, out var size) is { } refused)
            {
                return refused;
            }

            var status = Query(request, "status");
            return status is not (null or "active" or "archived")
                ? CreemErrors.BadRequest("status must be one of the following values: active, archived")
                : Page([.. _objects.List("product").Where(p => status is null || p.Str("status") == status)], page, size);
        });
        app.MapGet("/v1/products/{id}", (string id) => _objects.Get(id, "product") is { } product ? Ok(product) : CreemErrors.NotFound("Product not found"));
        app.MapPatch("/v1/products/{id}", async (string id, HttpRequest request) =>
        {
            if (await StrictJsonBody.ReadObjectAsync(request) is not { } body)
            {
                return CreemErrors.BadRequest("request body must be a JSON object");
            }

            return _objects.Atomically(() =>
            {
                if (_objects.Get(id, "product") is not { } product)
                {
                    return CreemErrors.NotFound("Product not found");
                }

                var problems = Unknown(body, ProductUpdateFields);
                problems.AddRange(ApplyProduct(product, body));
                if (problems.Count > 0)
                {
                    return CreemErrors.BadRequest([.. problems]);
                }

                product["updated_at"] = Iso(_context.Clock.GetUtcNow());
                _objects.Put(product);
                return Ok(product);
            });
        });
        app.MapDelete("/v1/products/{id}", (string id) => _objects.Atomically(() =>
        {
            if (_objects.Get(id, "product") is not { } product)
            {
                return CreemErrors.NotFound("Product not found");
            }

            product["status"] = "archived";
            product["updated_at"] = Iso(_context.Clock.GetUtcNow());
            _objects.Put(product);
            return Ok(product);
        }));
    }

    /// <summary>The seeded catalog (docs/sandbox/creem.md), made once: products created or changed later are the merchant's.</summary>
    private void SeedProducts()
    {
        var now = Iso(_context.Clock.GetUtcNow());
        var products = new[]
        {
            (OneTimeProduct, "Sandbox credits", 1000L, "once"),
            (MonthlyProduct, "Sandbox Pro monthly", 999L, "every-month"),
            (ProMonthlyProduct, "Sandbox Pro Plus monthly", 1999L, "every-month"),
            (YearlyProduct, "Sandbox Pro yearly", 9990L, "every-year"),
            (LicensedProduct, "Sandbox desktop app", 2900L, "once"),
            (LicensedMonthlyProduct, "Sandbox desktop app monthly", 900L, "every-month"),
        };
        foreach (var (id, name, price, period) in products)
        {
            if (_objects.Get(id, "product") is null)
            {
                var product = new JsonObject
                {
                    ["id"] = id,
                    ["mode"] = "test",
                    ["object"] = "product",
                    ["name"] = name,
                    ["description"] = name + " (sandbox)",
                    ["price"] = price,
                    ["currency"] = "USD",
                    ["billing_type"] = period == "once" ? "onetime" : "recurring",
                    ["billing_period"] = period,
                    ["status"] = "active",
                    ["tax_mode"] = "exclusive",
                    ["tax_category"] = "saas",
                    ["default_success_url"] = null,
                    ["created_at"] = now,
                    ["updated_at"] = now,
                };
                if (id is LicensedProduct or LicensedMonthlyProduct)
                {
                    // Creem sets licence keys up in its dashboard, not through the API: these two stand in for that.
                    product["features"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "feat_" + id["prod_".Length..],
                        ["type"] = "licenseKey",
                        ["description"] = $"A licence key for up to {LicenseActivationLimit} devices",
                    });
                }

                _objects.Put(product);
            }
        }
    }

    private static string IdempotencyId(string key) => "idem_product_" + key;

    /// <summary>
    /// Checks <paramref name="body"/>'s product fields and writes those it holds onto <paramref name="product"/> (a new
    /// one, or one being updated); the problems are Creem's 400 messages, and nothing may be kept when there are any.
    /// </summary>
    private static List<string> ApplyProduct(JsonObject product, JsonObject body)
    {
        var problems = new List<string>();
        problems.AddRange(UnsimulatedFields.Where(f => body[f] is not null).Select(f => $"{f} is not simulated by the sandbox"));
        foreach (var field in DescriptiveFields.Where(f => body[f] is not null))
        {
            if (body.Str(field) is not { } text)
            {
                problems.Add($"{field} must be a string");
            }
            else if (field is "image_url" or "default_success_url" && !Uri.TryCreate(text, UriKind.Absolute, out _))
            {
                problems.Add($"{field} must be a URL address");
            }
            else
            {
                product[field] = text;
            }
        }

        if (body["price"] is { } priceNode)
        {
            if (!TryInt(priceNode, out var price) || price is < 100 or > MaxAmount)
            {
                problems.Add($"price must be an integer between 100 and {MaxAmount}");
            }

            product["price"] = price;
        }

        Choice(body, product, "currency", Currencies, problems);
        Choice(body, product, "tax_mode", TaxModes, problems);
        Choice(body, product, "tax_category", TaxCategories, problems);
        Choice(body, product, "billing_type", BillingTypes, problems);
        Choice(body, product, "billing_period", BillingPeriods, problems);
        Choice(body, product, "recurring_interval", RecurringIntervals, problems);
        if (body["recurring_interval_count"] is { } countNode)
        {
            if (!TryInt(countNode, out var count) || count is < 1 or > 365)
            {
                problems.Add("recurring_interval_count must be an integer between 1 and 365");
            }

            product["recurring_interval_count"] = count;
        }

        foreach (var flag in FlagFields.Where(f => body[f] is not null))
        {
            if (body[flag]!.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
            {
                problems.Add($"{flag} must be a boolean value");
            }
        }

        // Abandoned-cart e-mails are Creem's to send; only the pricing flag shows on the product.
        if (body["business_net_pricing"] is { } net)
        {
            product["business_net_pricing"] = net.DeepClone();
        }

        if (body["image_urls"] is { } urls)
        {
            if (urls is not JsonArray list || list.Any(u => u is not JsonValue v || !v.TryGetValue<string>(out var s) || !Uri.TryCreate(s, UriKind.Absolute, out _)))
            {
                problems.Add("each value in image_urls must be a URL address");
            }

            product["image_urls"] = urls.DeepClone();
        }

        foreach (var field in CustomFieldFields.Where(f => body[f] is not null))
        {
            if (body[field] is not JsonArray { Count: <= 3 })
            {
                problems.Add($"{field} must be an array of no more than 3 elements");
            }
        }

        if (body["features"] is { } features)
        {
            problems.AddRange(ApplyFeatures(product, features));
        }

        // The period follows the type: a one-time product is "once", a recurring one has a period of its own.
        if (body["billing_type"] is not null && product.Str("billing_type") == "onetime" && body["billing_period"] is null)
        {
            product["billing_period"] = "once";
        }

        problems.AddRange(PeriodProblems(product));
        problems.AddRange(ApplyTrial(product, body));
        problems.AddRange(ApplyTrialPrice(product, body));
        return problems;
    }

    /// <summary>
    /// <c>trial_period_days</c>: whole days, recurring products only; <c>null</c> removes the trial, and so does
    /// switching the product to <c>onetime</c>.
    /// </summary>
    private static IEnumerable<string> ApplyTrial(JsonObject product, JsonObject body)
    {
        if (body.TryGetPropertyValue("trial_period_days", out var daysNode) && daysNode is not null)
        {
            if (!TryInt(daysNode, out var days) || days is < 1 or > MaxTrialDays)
            {
                return [$"trial_period_days must be an integer between 1 and {MaxTrialDays}"];
            }

            if (product.Str("billing_type") != "recurring")
            {
                return ["trial_period_days is only supported for recurring products"];
            }

            product["trial_period_days"] = days;
        }
        else if ((daysNode is null && body.ContainsKey("trial_period_days")) || product.Str("billing_type") != "recurring")
        {
            product.Remove("trial_period_days");
        }

        return [];
    }

    /// <summary>
    /// <c>trial_price</c>: what the checkout charges to start the trial (a paid trial), at least 100 and lower than
    /// <c>price</c>, on a product with a trial; <c>0</c> or <c>null</c> makes the trial free again, and so does
    /// removing the trial.
    /// </summary>
    private static IEnumerable<string> ApplyTrialPrice(JsonObject product, JsonObject body)
    {
        if (body["trial_price"] is { } priceNode && !(TryInt(priceNode, out var sent) && sent == 0))
        {
            if (!TryInt(priceNode, out var trialPrice) || trialPrice < MinTrialPrice)
            {
                return [$"trial_price must be an integer of at least {MinTrialPrice}"];
            }

            if (product["trial_period_days"] is null)
            {
                return ["trial_price requires trial_period_days"];
            }

            product["trial_price"] = trialPrice;
        }
        else if (body.ContainsKey("trial_price") || product["trial_period_days"] is null)
        {
            product.Remove("trial_price");
        }

        // Checked on every change: lowering the price below a kept trial price is refused as well.
        return product["trial_price"]?.GetValue<long>() >= product["price"]?.GetValue<long>()
            ? ["trial_price must be lower than price"]
            : [];
    }

    private static IEnumerable<string> PeriodProblems(JsonObject product)
    {
        var type = product.Str("billing_type");
        var period = product.Str("billing_period");
        if (type == "onetime" && period is not (null or "once"))
        {
            yield return "billing_period must be once for a onetime product";
        }

        if (type == "recurring" && period is null or "once")
        {
            yield return "billing_period must be a recurring period for a recurring product";
        }

        if (period == "custom" && (product.Str("recurring_interval") is null || product["recurring_interval_count"] is null))
        {
            yield return "recurring_interval and recurring_interval_count are required when billing_period is custom";
        }
    }

    /// <summary>
    /// The SDK's request features are customer-credit grants; licence keys are set up in Creem's dashboard, which the
    /// sandbox stands in for with its seeded licensed products (docs/sandbox/creem.md).
    /// </summary>
    private static List<string> ApplyFeatures(JsonObject product, JsonNode features)
    {
        if (features is not JsonArray list)
        {
            return ["features must be an array"];
        }

        var problems = new List<string>();
        var kept = new JsonArray();
        var existing = (product["features"] as JsonArray)?.OfType<JsonObject>().ToDictionary(f => f.Str("id")!) ?? [];
        foreach (var feature in list)
        {
            var credits = feature?["customer_credits"] as JsonObject;
            if (feature is not JsonObject item || item.Str("type") != "customerCredits" || item.Str("description") is null
                || credits?.Str("amount") is not { Length: > 0 } amount || !long.TryParse(amount, out var units) || units < 1)
            {
                problems.Add("each feature must be {type: \"customerCredits\", description, customer_credits: {amount}} with a positive amount");
                continue;
            }

            kept.Add(new JsonObject
            {
                ["id"] = item.Str("id") is { } id && existing.ContainsKey(id) ? id : NewId("feat"),
                ["type"] = "customerCredits",
                ["description"] = item.Str("description"),
                ["customer_credits"] = new JsonObject
                {
                    ["amount"] = amount,
                    ["unit_label"] = credits.Str("unit_label"),
                    ["bucket_name"] = credits.Str("bucket_name"),
                },
            });
        }

        // Features Creem's dashboard set up (licence keys) stay when the API replaces the others.
        foreach (var licensed in existing.Values.Where(f => f.Str("type") == "licenseKey"))
        {
            kept.Add(licensed.DeepClone());
        }

        product["features"] = kept;
        return problems;
    }

    private static void Choice(JsonObject body, JsonObject product, string field, string[] values, List<string> problems)
    {
        if (body[field] is null)
        {
            return;
        }

        if (body.Str(field) is not { } value || !values.Contains(value))
        {
            problems.Add($"{field} must be one of the following values: {string.Join(", ", values)}");
            return;
        }

        product[field] = value;
    }
}
