using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Sandbox.Payments;
using Harness.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>
/// Creem's discounts on the paths of the creem 1.13.0 SDK: create, get by id or code, search, delete; a checkout's
/// <c>discount_code</c> redeems one, and a subscription keeps it for its duration (<see cref="CreemBilling"/>).
/// </summary>
public sealed partial class CreemProvider
{
    private static readonly HashSet<string> DiscountFields =
        ["name", "code", "type", "amount", "currency", "percentage", "expiry_date", "max_redemptions", "duration", "duration_in_months", "applies_to_products"];

    private static readonly string[] DiscountStatuses = ["deleted", "active", "draft", "expired", "scheduled"];

    private void MapDiscounts(WebApplication app)
    {
        app.MapPost("/v1/discounts", async (HttpRequest request) =>
        {
            if (await StrictJsonBody.ReadObjectAsync(request) is not { } body)
            {
                return CreemErrors.BadRequest("request body must be a JSON object");
            }

            var now = _context.Clock.GetUtcNow();
            var problems = Unknown(body, DiscountFields);
            var discount = new JsonObject
            {
                ["id"] = NewId("dis"),
                ["mode"] = "test",
                ["object"] = "discount",
                ["status"] = "active",
                ["name"] = body.Str("name"),
                ["code"] = body.Str("code") ?? Secrets.RandomHex(4).ToUpperInvariant(),
                ["_created_at"] = Iso(now),
            };
            if (body.Str("name") is not { Length: > 0 })
            {
                problems.Add("name must be a string");
            }

            if (body["code"] is not null && (body.Str("code") is not { } code || !DiscountCode().IsMatch(code)))
            {
                problems.Add("code must be 1 to 32 letters, digits, - or _");
            }

            problems.AddRange(DiscountTerms(body, discount, now));
            if (problems.Count > 0)
            {
                return CreemErrors.BadRequest([.. problems]);
            }

            return _objects.Atomically(() =>
            {
                if (((JsonArray)discount["applies_to_products"]!).Select(p => p!.GetValue<string>()).FirstOrDefault(p => _objects.Get(p, "product") is null) is { } missing)
                {
                    return CreemErrors.NotFound($"Product {missing} not found");
                }

                if (DiscountByCode(discount.Str("code")!) is not null)
                {
                    return CreemErrors.BadRequest($"Discount code {discount.Str("code")} already exists");
                }

                _objects.Put(discount);
                return DiscountAnswer(discount);
            });
        });
        app.MapGet("/v1/discounts", (string? discount_id, string? discount_code) =>
            (discount_id, discount_code) switch
            {
                ({ Length: > 0 } id, _) => _objects.Get(id, "discount") is { } found ? DiscountAnswer(found) : CreemErrors.NotFound("Discount not found"),
                (_, { Length: > 0 } code) => DiscountByCode(code) is { } found ? DiscountAnswer(found) : CreemErrors.NotFound("Discount not found"),
                _ => CreemErrors.BadRequest("discount_id or discount_code must be provided"),
            });
        app.MapGet("/v1/discounts/search", (HttpRequest request) =>
        {
            var problems = new List<string>();
            if (TryPaging(request, out var page, out var size) is { } refused)
            {
                return refused;
            }

            var status = Query(request, "status");
            if (status is not null && !DiscountStatuses.Contains(status))
            {
                problems.Add($"status must be one of the following values: {string.Join(", ", DiscountStatuses)}");
            }

            var type = Query(request, "type");
            if (type is not (null or "percentage" or "fixed"))
            {
                problems.Add("type must be one of the following values: percentage, fixed");
            }

            var after = QueryTime(request, "created_after", problems);
            var before = QueryTime(request, "created_before", problems);
            if (problems.Count > 0)
            {
                return CreemErrors.BadRequest([.. problems]);
            }

            var productId = Query(request, "product_id");
            var now = _context.Clock.GetUtcNow();
            return Page(
                [
                    .. _objects.List("discount").Select(d => PresentDiscount(d, now)).Where(d =>
                        (status is null || d.Str("status") == status)
                        && (type is null || d.Str("type") == type)
                        && (productId is null || ((JsonArray)d["applies_to_products"]!).Any(p => p!.GetValue<string>() == productId))
                        && (after is null || ParseIso(d.Str("_created_at")!) >= after)
                        && (before is null || ParseIso(d.Str("_created_at")!) <= before)),
                ],
                page,
                size);
        });
        app.MapDelete("/v1/discounts/{id}/delete", (string id) => _objects.Atomically(() =>
        {
            if (_objects.Get(id, "discount") is not { } discount || discount.Str("status") == "deleted")
            {
                return CreemErrors.NotFound("Discount not found");
            }

            discount["status"] = "deleted";
            _objects.Put(discount);
            return DiscountAnswer(discount);
        }));
    }

    /// <summary>
    /// The discount a checkout's <c>discount_code</c> redeems on <paramref name="product"/>, or Creem's refusal: an
    /// unknown or deleted code is 404, one expired, used up or for other products 400.
    /// </summary>
    private (JsonObject? Discount, IResult? Refusal) Redeemable(string code, JsonObject product)
    {
        if (DiscountByCode(code) is not { } discount)
        {
            return (null, CreemErrors.NotFound($"Discount code {code} not found"));
        }

        var refusal = PresentDiscount(discount, _context.Clock.GetUtcNow()).Str("status") == "expired" ? $"Discount code {code} has expired"
            : discount["max_redemptions"] is { } max && discount["redeem_count"]!.GetValue<long>() >= max.GetValue<long>() ? $"Discount code {code} has reached its maximum redemptions"
            : !((JsonArray)discount["applies_to_products"]!).Any(p => p!.GetValue<string>() == product.Str("id")) ? $"Discount code {code} does not apply to this product"
            : discount.Str("currency") is { } currency && currency != product.Str("currency") ? $"Discount code {code} is in {currency}, the product in {product.Str("currency")}"
            : null;
        return refusal is null ? (discount, null) : (null, CreemErrors.BadRequest(refusal));
    }

    /// <summary>Counts a redemption of the discount a checkout was paid with; one unit, so payments at once each count.</summary>
    private void Redeem(string discountId) => _objects.InTransaction(() =>
    {
        if (_objects.Get(discountId, "discount") is { } discount)
        {
            discount["redeem_count"] = discount["redeem_count"]!.GetValue<long>() + 1;
            _objects.Put(discount);
        }
    });

    /// <summary>A live (not deleted) discount by its code, compared without regard to case as buyers type it.</summary>
    private JsonObject? DiscountByCode(string code) =>
        _objects.Newest("discount").FirstOrDefault(d => d.Str("status") != "deleted" && string.Equals(d.Str("code"), code, StringComparison.OrdinalIgnoreCase));

    private IResult DiscountAnswer(JsonObject discount) => Ok(PresentDiscount(discount, _context.Clock.GetUtcNow()));

    /// <summary>An active discount past its <c>expiry_date</c> reads <c>expired</c>.</summary>
    private static JsonObject PresentDiscount(JsonObject discount, DateTimeOffset now)
    {
        if (discount.Str("status") == "active" && discount.Str("expiry_date") is { } expiry && ParseIso(expiry) <= now)
        {
            discount["status"] = "expired";
        }

        return discount;
    }

    private static List<string> DiscountTerms(JsonObject body, JsonObject discount, DateTimeOffset now)
    {
        var problems = new List<string>();
        var type = body.Str("type");
        if (type is not ("percentage" or "fixed"))
        {
            problems.Add("type must be one of the following values: percentage, fixed");
        }

        discount["type"] = type;
        if (type == "percentage" && !Keep(discount, "percentage", Ranged(body["percentage"], 1, 100)))
        {
            problems.Add("percentage must be an integer between 1 and 100 for a percentage discount");
        }

        if (type == "fixed")
        {
            if (!Keep(discount, "amount", Ranged(body["amount"], 1, MaxAmount)))
            {
                problems.Add($"amount must be an integer between 1 and {MaxAmount} for a fixed discount");
            }

            if (body.Str("currency") is not { } currency || !Currencies.Contains(currency))
            {
                problems.Add($"currency must be one of the following values: {string.Join(", ", Currencies)}");
            }

            discount["currency"] = body.Str("currency");
        }

        if (body["expiry_date"] is not null)
        {
            if (body.Str("expiry_date") is not { } text || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var expiry) || !text.Contains('T', StringComparison.Ordinal))
            {
                problems.Add("expiry_date must be a valid ISO 8601 date string");
            }
            else if (expiry <= now)
            {
                problems.Add("expiry_date must be in the future");
            }
            else
            {
                discount["expiry_date"] = Iso(expiry);
            }
        }

        if (body["max_redemptions"] is not null && !Keep(discount, "max_redemptions", Ranged(body["max_redemptions"], 1, long.MaxValue)))
        {
            problems.Add("max_redemptions must be a positive integer");
        }

        var duration = body.Str("duration");
        if (duration is not ("forever" or "once" or "repeating"))
        {
            problems.Add("duration must be one of the following values: forever, once, repeating");
        }

        discount["duration"] = duration;
        if (duration == "repeating" && !Keep(discount, "duration_in_months", Ranged(body["duration_in_months"], 1, 120)))
        {
            problems.Add("duration_in_months must be an integer between 1 and 120 for a repeating discount");
        }
        else if (duration != "repeating" && body["duration_in_months"] is not null)
        {
            problems.Add("duration_in_months is only for a repeating discount");
        }

        if (body["applies_to_products"] is not JsonArray { Count: >= 1 } products || products.Any(p => p is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
        {
            problems.Add("applies_to_products must be an array of product ids");
        }
        else
        {
            discount["applies_to_products"] = products.DeepClone();
        }

        discount["redeem_count"] = 0L;
        return problems;
    }

    /// <summary>How much a discount takes off <paramref name="subtotal"/>: a percentage rounded half up to the cent, a fixed amount at most the subtotal.</summary>
    internal static long DiscountOff(JsonObject terms, long subtotal) => terms.Str("type") == "percentage"
        ? checked((subtotal * terms["percentage"]!.GetValue<long>() + 50) / 100)
        : Math.Min(subtotal, terms["amount"]!.GetValue<long>());

    /// <summary>The discount as a checkout and a subscription show it (the SDK's camelCase object there); <c>amount</c> is the percentage or the cents off.</summary>
    internal static JsonObject DiscountSummary(JsonObject discount)
    {
        var summary = new JsonObject
        {
            ["id"] = discount.Str("id"),
            ["discountCode"] = discount.Str("code"),
            ["name"] = discount.Str("name"),
            ["type"] = discount.Str("type"),
            ["amount"] = discount[discount.Str("type") == "percentage" ? "percentage" : "amount"]!.GetValue<long>(),
            ["duration"] = discount.Str("duration"),
        };
        if (discount["duration_in_months"] is { } months)
        {
            summary["durationInMonths"] = months.GetValue<long>();
        }

        return summary;
    }

    private static DateTimeOffset? QueryTime(HttpRequest request, string name, List<string> problems)
    {
        if (Query(request, name) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        problems.Add($"{name} must be a valid ISO 8601 date string");
        return null;
    }

    /// <summary>The integer <paramref name="node"/> holds when it lies within the bounds; null when it is absent or not one.</summary>
    private static long? Ranged(JsonNode? node, long min, long max) =>
        node is not null && TryInt(node, out var value) && value >= min && value <= max ? value : null;

    /// <summary>Stores a checked term on the discount; false when there is none to store.</summary>
    private static bool Keep(JsonObject discount, string key, long? value)
    {
        if (value is { } kept)
        {
            discount[key] = kept;
        }

        return value is not null;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex DiscountCode();
}
