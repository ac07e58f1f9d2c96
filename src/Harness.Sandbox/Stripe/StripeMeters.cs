using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Billing meters (docs.stripe.com/api/billing/meter): what usage a metered price bills, named by the <c>event_name</c>
/// its meter events carry, aggregated by <c>sum</c>, <c>count</c> or <c>last</c>. Only one active meter holds an event
/// name; a deactivated meter takes no events and no new prices, and is reactivated as it was.
/// </summary>
public sealed class StripeMeters(ProviderObjects objects, StripeWebhooks webhooks, TimeProvider clock)
{
    public const string Path = "/v1/billing/meters";

    public const string Type = "billing.meter";

    private const int MaxName = 250;

    private const int MaxPayloadKey = 100;

    private static readonly HashSet<string> CreateParams =
        ["display_name", "event_name", "default_aggregation", "customer_mapping", "value_settings", "event_time_window", "expand"];

    private static readonly HashSet<string> UpdateParams = ["display_name", "expand"];

    private static readonly HashSet<string> ListParams = ["status", "limit", "starting_after", "ending_before", "expand"];

    private static readonly HashSet<string> ExpandOnly = ["expand"];

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (ReadName(p, "display_name", out var displayName) is { } badName)
        {
            return badName;
        }

        if (ReadName(p, "event_name", out var eventName) is { } badEvent)
        {
            return badEvent;
        }

        if (p["default_aggregation"] is not JsonObject aggregation)
        {
            return p["default_aggregation"] is null ? StripeErrors.Missing("default_aggregation") : StripeErrors.InvalidParam("Invalid object", "default_aggregation");
        }

        if (StripeLists.Unknown(aggregation, new HashSet<string> { "formula" }) is not null || aggregation.Str("formula") is not ("sum" or "count" or "last"))
        {
            return aggregation.Str("formula") is null && aggregation.Count == 0
                ? StripeErrors.Missing("default_aggregation[formula]")
                : StripeErrors.InvalidParam("Invalid default_aggregation[formula]: must be one of count, last, or sum", "default_aggregation[formula]");
        }

        if (ReadPayloadKey(p, "customer_mapping", "stripe_customer_id", out var customerKey) is { } badMapping)
        {
            return badMapping;
        }

        if ((p["customer_mapping"] as JsonObject).Str("type") is not (null or "by_id"))
        {
            return StripeErrors.InvalidParam("Invalid customer_mapping[type]: must be by_id", "customer_mapping[type]");
        }

        if (ReadPayloadKey(p, "value_settings", "value", out var valueKey) is { } badValue)
        {
            return badValue;
        }

        if (p.Str("event_time_window") is not (null or "day" or "hour"))
        {
            return StripeErrors.InvalidParam("Invalid event_time_window: must be one of day or hour", "event_time_window");
        }

        return objects.Atomically(() =>
        {
            if (ActiveFor(eventName!) is { } holder)
            {
                return Taken(eventName!, holder);
            }

            var now = StripeJson.Unix(clock.GetUtcNow());
            var meter = new JsonObject
            {
                ["id"] = StripeJson.NewId("mtr"),
                ["object"] = Type,
                ["created"] = now,
                ["customer_mapping"] = new JsonObject { ["event_payload_key"] = customerKey, ["type"] = "by_id" },
                ["default_aggregation"] = new JsonObject { ["formula"] = aggregation.Str("formula") },
                ["display_name"] = displayName,
                ["event_name"] = eventName,
                ["event_time_window"] = p.Str("event_time_window"),
                ["livemode"] = false,
                ["status"] = "active",
                ["status_transitions"] = new JsonObject { ["deactivated_at"] = null },
                ["updated"] = now,
                ["value_settings"] = new JsonObject { ["event_payload_key"] = valueKey },
            };
            objects.Put(meter);
            webhooks.Send(meter.Str("id")!, [new StripeEvent("billing.meter.created", StripeLists.Public(meter))]);
            return StripeResponse.Ok(meter.DeepClone().AsObject());
        });
    }

    public StripeResponse Retrieve(string id, JsonObject query) =>
        StripeLists.Unknown(query, ExpandOnly) ?? (Find(id) is { } meter ? StripeResponse.Ok(meter) : NoSuch(id));

    /// <summary>Only <c>display_name</c> changes; the event name and aggregation are fixed at creation, as at Stripe.</summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        string? displayName = null;
        if (p["display_name"] is not null && ReadName(p, "display_name", out displayName) is { } badName)
        {
            return badName;
        }

        return objects.Atomically(() =>
        {
            if (Find(id) is not { } meter)
            {
                return NoSuch(id);
            }

            if (displayName is null || displayName == meter.Str("display_name"))
            {
                return StripeResponse.Ok(meter);
            }

            var previous = new JsonObject { ["display_name"] = meter.Str("display_name"), ["updated"] = meter["updated"]!.DeepClone() };
            meter["display_name"] = displayName;
            meter["updated"] = StripeJson.Unix(clock.GetUtcNow());
            objects.Put(meter);
            webhooks.Send(id, [new StripeEvent("billing.meter.updated", StripeLists.Public(meter), previous)]);
            return StripeResponse.Ok(meter);
        });
    }

    /// <summary><c>status</c> (<c>active</c>, <c>inactive</c>), paged either way, newest first.</summary>
    public StripeResponse List(JsonObject query)
    {
        if (StripeLists.Unknown(query, ListParams) is { } unknown)
        {
            return unknown;
        }

        var status = query.Str("status");
        if (status is not (null or "active" or "inactive"))
        {
            return StripeErrors.InvalidParam("Invalid status: must be one of active or inactive", "status");
        }

        return StripeLists.Page(Path, after => objects.Newest(Type, after).Where(m => status is null || m.Str("status") == status), query);
    }

    /// <summary>
    /// <c>POST …/deactivate</c> and <c>…/reactivate</c>: a deactivated meter refuses events and new prices; reactivated,
    /// its event name must be free again (no other active meter took it).
    /// </summary>
    public StripeResponse SetActive(string id, JsonObject p, bool active)
    {
        if (StripeLists.Unknown(p, ExpandOnly) is { } unknown)
        {
            return unknown;
        }

        return objects.Atomically(() =>
        {
            if (Find(id) is not { } meter)
            {
                return NoSuch(id);
            }

            if ((meter.Str("status") == "active") == active)
            {
                return StripeErrors.InvalidParam($"This meter is already {(active ? "active" : "inactive")}.", null);
            }

            if (active && ActiveFor(meter.Str("event_name")!) is { } holder)
            {
                return Taken(meter.Str("event_name")!, holder);
            }

            var now = StripeJson.Unix(clock.GetUtcNow());
            var previous = new JsonObject { ["status"] = meter.Str("status"), ["status_transitions"] = meter["status_transitions"]!.DeepClone() };
            meter["status"] = active ? "active" : "inactive";
            meter["status_transitions"] = new JsonObject { ["deactivated_at"] = active ? null : now };
            meter["updated"] = now;
            objects.Put(meter);
            webhooks.Send(id, [new StripeEvent(active ? "billing.meter.reactivated" : "billing.meter.deactivated", StripeLists.Public(meter), previous)]);
            return StripeResponse.Ok(meter);
        });
    }

    public JsonObject? Find(string id) => objects.Get(id, Type);

    /// <summary>The active meter of <paramref name="eventName"/>, if any: at most one holds an event name.</summary>
    public JsonObject? ActiveFor(string eventName) => ActiveFor(objects, eventName);

    /// <inheritdoc cref="ActiveFor(string)"/>
    public static JsonObject? ActiveFor(ProviderObjects objects, string eventName) =>
        objects.Newest(Type).FirstOrDefault(m => m.Str("event_name") == eventName && m.Str("status") == "active");

    /// <summary>Why <paramref name="meterId"/> cannot be a metered price's meter (none such, or deactivated), or null.</summary>
    public static StripeResponse? Unattachable(ProviderObjects objects, string meterId, string param) =>
        objects.Get(meterId, Type) is not { } meter ? StripeErrors.NoSuch("billing meter", meterId, param)
        : meter.Str("status") != "active" ? StripeErrors.InvalidParam($"The meter `{meterId}` is inactive: a deactivated meter cannot be attached to a price.", param)
        : null;

    private static StripeResponse NoSuch(string id) => StripeErrors.NoSuch("billing meter", id, "id");

    private static StripeResponse Taken(string eventName, JsonObject holder) => StripeErrors.InvalidParam(
        $"An active meter (`{holder.Str("id")}`) already uses the event name `{eventName}`. Deactivate it or choose another event_name.", "event_name");

    private static StripeResponse? ReadName(JsonObject p, string name, out string? value)
    {
        value = p.Str(name);
        if (p[name] is null)
        {
            return StripeErrors.Missing(name);
        }

        return value is not { Length: > 0 and <= MaxName }
            ? StripeErrors.InvalidParam($"Invalid {name}: must be a string of 1 to {MaxName} characters", name)
            : null;
    }

    /// <summary><c>customer_mapping[event_payload_key]</c> or <c>value_settings[event_payload_key]</c>, <paramref name="fallback"/> when absent.</summary>
    private static StripeResponse? ReadPayloadKey(JsonObject p, string parent, string fallback, out string key)
    {
        key = fallback;
        if (p[parent] is null)
        {
            return null;
        }

        if (p[parent] is not JsonObject given)
        {
            return StripeErrors.InvalidParam("Invalid object", parent);
        }

        var allowed = parent == "customer_mapping" ? new HashSet<string> { "event_payload_key", "type" } : ["event_payload_key"];
        if (given.Select(kv => kv.Key).FirstOrDefault(k => !allowed.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {parent}[{unknown}]", $"{parent}[{unknown}]", "parameter_unknown");
        }

        if (given.Str("event_payload_key") is not { Length: > 0 and <= MaxPayloadKey } text)
        {
            return given["event_payload_key"] is null
                ? StripeErrors.Missing($"{parent}[event_payload_key]")
                : StripeErrors.InvalidParam($"Invalid {parent}[event_payload_key]: must be a string of 1 to {MaxPayloadKey} characters", $"{parent}[event_payload_key]");
        }

        key = text;
        return null;
    }
}
