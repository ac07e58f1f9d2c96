using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The Tax Rates API (docs.stripe.com/api/tax_rates): create, retrieve, update (the descriptive fields and
/// <c>active</c>; <c>percentage</c> and <c>inclusive</c> never change, so an update does not take them) and list
/// (<c>active</c>, <c>inclusive</c>, <c>created</c>, paged both ways). A rate is never deleted: archived
/// (<c>active=false</c>) it cannot be applied anew but keeps applying where it is already set.
/// </summary>
public sealed class StripeTaxRates(ProviderObjects objects, TimeProvider clock, StripeWebhooks webhooks)
{
    public const string Path = "/v1/tax_rates";
    public const string Type = "tax_rate";

    private static readonly HashSet<string> CreateParams =
        ["display_name", "percentage", "inclusive", "active", "country", "state", "jurisdiction", "description", "tax_type", "metadata", "expand"];

    private static readonly HashSet<string> UpdateParams =
        ["display_name", "active", "country", "state", "jurisdiction", "description", "tax_type", "metadata", "expand"];

    private static readonly string[] DescriptiveFields = ["display_name", "country", "state", "jurisdiction", "description", "tax_type"];

    /// <summary>The <c>tax_type</c> values Stripe takes.</summary>
    private static readonly string[] TaxTypes =
    [
        "amusement_tax", "communications_tax", "gst", "hst", "igst", "jct", "lease_tax", "pst", "qst", "retail_delivery_fee", "rst", "sales_tax",
        "service_tax", "vat",
    ];

    /// <summary>The free-text fields and the most characters Stripe takes in each.</summary>
    private static readonly Dictionary<string, int> TextLimits = new(StringComparer.Ordinal)
    {
        ["display_name"] = 50, ["description"] = 5000, ["jurisdiction"] = 50, ["state"] = 2, ["country"] = 2,
    };

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("display_name") is not { Length: > 0 })
        {
            return StripeErrors.Missing("display_name");
        }

        if (p["percentage"] is null)
        {
            return StripeErrors.Missing("percentage");
        }

        if (ReadPercentage(p.Str("percentage")) is not { } percentage)
        {
            return StripeErrors.InvalidParam("Invalid percentage: must be a number from 0 to 100 with at most four decimal places.", "percentage");
        }

        if (p["inclusive"] is null)
        {
            return StripeErrors.Missing("inclusive");
        }

        if (!StripeLists.TryBool(p, "inclusive", out var inclusive, out var error) || !StripeLists.TryBool(p, "active", out var active, out error)
            || !StripeLists.TryMetadata(p, out var metadata, out error))
        {
            return error!;
        }

        if (ReadDescriptive(p) is { } bad)
        {
            return bad;
        }

        return objects.Atomically(() =>
        {
            var id = StripeJson.NewId("txr");
            var rate = new JsonObject
            {
                ["id"] = id,
                ["object"] = Type,
                ["active"] = active ?? true,
                ["country"] = p.Str("country")?.ToUpperInvariant(),
                ["created"] = StripeJson.Unix(clock.GetUtcNow()),
                ["description"] = p.Str("description"),
                ["display_name"] = p.Str("display_name"),
                ["effective_percentage"] = JsonValue.Create(percentage),
                ["flat_amount"] = null,
                ["inclusive"] = inclusive!.Value,
                ["jurisdiction"] = p.Str("jurisdiction"),
                ["jurisdiction_level"] = null,
                ["livemode"] = false,
                ["metadata"] = metadata,
                ["percentage"] = JsonValue.Create(percentage),
                ["rate_type"] = "percentage",
                ["state"] = p.Str("state")?.ToUpperInvariant(),
                ["tax_type"] = p.Str("tax_type"),
            };
            objects.Put(rate);
            webhooks.Send(id, [new StripeEvent("tax_rate.created", StripeLists.Public(rate))]);
            return StripeResponse.Ok(StripeLists.Public(rate));
        });
    }

    public StripeResponse Retrieve(string id) =>
        objects.Get(id, Type) is { } rate ? StripeResponse.Ok(StripeLists.Public(rate)) : StripeErrors.NoSuch("tax rate", id, "id");

    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryBool(p, "active", out var active, out var error) || !StripeLists.TryMetadata(p, out var metadata, out error))
        {
            return error!;
        }

        if (ReadDescriptive(p) is { } bad)
        {
            return bad;
        }

        if (p["display_name"] is not null && p.Str("display_name") is not { Length: > 0 })
        {
            return StripeErrors.InvalidParam("display_name cannot be empty.", "display_name");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } rate)
            {
                return StripeErrors.NoSuch("tax rate", id, "id");
            }

            var previous = new JsonObject();
            foreach (var field in DescriptiveFields)
            {
                if (p[field] is not null)
                {
                    var value = p.Str(field) is { Length: > 0 } text ? (field is "country" or "state" ? text.ToUpperInvariant() : text) : null;
                    if (rate.Str(field) != value)
                    {
                        previous[field] = rate[field]?.DeepClone();
                        rate[field] = value;
                    }
                }
            }

            if (active is { } on && rate["active"]!.GetValue<bool>() != on)
            {
                previous["active"] = !on;
                rate["active"] = on;
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(rate, metadata, previous);
            }

            objects.Put(rate);
            webhooks.Send(id, [new StripeEvent("tax_rate.updated", StripeLists.Public(rate), previous)]);
            return StripeResponse.Ok(StripeLists.Public(rate));
        });
    }

    public StripeResponse List(JsonObject query)
    {
        if (!StripeLists.TryBool(query, "active", out var active, out var error) || !StripeLists.TryBool(query, "inclusive", out var inclusive, out error))
        {
            return error!;
        }

        if (StripeLists.CreatedFilter(query, out var created) is { } badCreated)
        {
            return badCreated;
        }

        return StripeLists.Page(Path, after => objects.Newest(Type, after).Where(r =>
            (active is null || r["active"]!.GetValue<bool>() == active)
            && (inclusive is null || r["inclusive"]!.GetValue<bool>() == inclusive)
            && created(r["created"]!.GetValue<long>())), query);
    }

    /// <summary>A percentage from 0 to 100 with at most four decimals, or null.</summary>
    private static decimal? ReadPercentage(string? text) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
        && value is >= 0 and <= 100 && decimal.Round(value, 4) == value
            ? value
            : null;

    /// <summary>The descriptive fields a create and an update share: lengths, two-letter codes, <c>tax_type</c>.</summary>
    private static StripeResponse? ReadDescriptive(JsonObject p)
    {
        foreach (var (field, limit) in TextLimits)
        {
            if (p[field] is null)
            {
                continue;
            }

            if (p.Str(field) is not { } text)
            {
                return StripeErrors.InvalidParam("Invalid string", field);
            }

            if (text.Length > limit)
            {
                return StripeErrors.InvalidParam($"Invalid {field}: must be at most {limit} characters", field);
            }

            if (field is "country" or "state" && text.Length > 0 && (text.Length != 2 || !text.All(char.IsAsciiLetter)))
            {
                return StripeErrors.InvalidParam($"Invalid {field}: give a two-letter code.", field);
            }
        }

        return p["tax_type"] is not null && !TaxTypes.Contains(p.Str("tax_type"))
            ? StripeErrors.InvalidParam($"Invalid tax_type: must be one of {string.Join(", ", TaxTypes)}", "tax_type")
            : null;
    }
}
