using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Meter events (docs.stripe.com/api/billing/meter-event), their cancel adjustments and the meters' event summaries.
/// Stripe validates an event synchronously and aggregates it moments later; the sandbox aggregates at once, so a
/// summary or an invoice preview right after the event counts it. Events are kept by <see cref="StripeUsage"/>.
/// </summary>
public sealed class StripeMeterEvents(ProviderObjects objects, StripeCustomers customers)
{
    public const string EventsPath = "/v1/billing/meter_events";

    public const string AdjustmentsPath = "/v1/billing/meter_event_adjustments";

    /// <summary>The largest value one event may carry: the sandbox's bound, so a period's usage times its unit amount stays exact.</summary>
    public const long MaxValue = 100_000_000;

    private const int MaxIdentifier = 100;

    /// <summary>Stripe takes events up to 35 calendar days old and up to five minutes ahead.</summary>
    private const long MaxAge = 35 * 86_400;

    private const long MaxAhead = 300;

    /// <summary>The widest summary range the sandbox aggregates: the 35 days events can go back, with room for a long period.</summary>
    private const long MaxSummaryRange = 400 * 86_400;

    private static readonly HashSet<string> EventParams = ["event_name", "payload", "identifier", "timestamp", "expand"];

    private static readonly HashSet<string> AdjustmentParams = ["event_name", "type", "cancel", "expand"];

    private static readonly HashSet<string> SummaryParams = ["customer", "start_time", "end_time", "value_grouping_window", "limit", "starting_after", "ending_before", "expand"];

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, EventParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("event_name") is not { Length: > 0 } eventName)
        {
            return StripeErrors.Missing("event_name");
        }

        if (p["payload"] is not JsonObject payload)
        {
            return p["payload"] is null ? StripeErrors.Missing("payload") : StripeErrors.InvalidParam("Invalid object", "payload");
        }

        var identifier = p.Str("identifier") ?? Guid.NewGuid().ToString();
        if (identifier.Length is 0 or > MaxIdentifier)
        {
            return StripeErrors.InvalidParam($"Invalid identifier: must be a string of 1 to {MaxIdentifier} characters", "identifier");
        }

        long? timestamp = null;
        if (p["timestamp"] is not null)
        {
            if (!StripeJson.TryLong(p.Str("timestamp"), out var given))
            {
                return StripeErrors.InvalidParam($"Invalid timestamp: {StripeLists.Clip(p.Str("timestamp") ?? "")}", "timestamp");
            }

            timestamp = given;
        }

        return objects.Atomically(() =>
        {
            if (StripeMeters.ActiveFor(objects, eventName) is not { } meter)
            {
                return StripeErrors.InvalidParam($"No active meter was found for the event name `{StripeLists.Clip(eventName)}`.", "event_name");
            }

            var customerKey = meter["customer_mapping"].Str("event_payload_key")!;
            if (payload.Str(customerKey) is not { Length: > 0 } customerId)
            {
                return StripeErrors.Missing($"payload[{customerKey}]");
            }

            if (objects.Get(customerId, "customer") is not { } customer || customer["deleted"] is not null)
            {
                return StripeErrors.NoSuch("customer", customerId, $"payload[{customerKey}]");
            }

            if (ReadValue(meter, payload, out var value) is { } badValue)
            {
                return badValue;
            }

            var now = customers.NowFor(customerId);
            var at = timestamp ?? now;
            if (at < now - MaxAge || at > now + MaxAhead)
            {
                return StripeErrors.InvalidParam("The timestamp must be within the past 35 calendar days and at most 5 minutes in the future.", "timestamp");
            }

            if (StripeUsage.Received(objects, identifier, now) is not null)
            {
                return StripeErrors.InvalidParam($"A meter event with the identifier `{identifier}` was already received in the last 24 hours.", "identifier", "duplicate_meter_event");
            }

            if (StripeUsage.OverBound(objects, meter.Str("id")!, customerId, value))
            {
                return StripeErrors.InvalidParam(
                    $"The sandbox takes at most {StripeUsage.MaxPerCustomer} units of one meter's usage per customer (each event counting at least 1).", $"payload[{customerKey}]");
            }

            StripeUsage.Record(objects, meter.Str("id")!, customerId, new StripeUsage.Usage(at, value, identifier), now);
            return StripeResponse.Ok(new JsonObject
            {
                ["object"] = "billing.meter_event",
                ["created"] = now,
                ["event_name"] = eventName,
                ["identifier"] = identifier,
                ["livemode"] = false,
                ["payload"] = payload.DeepClone(),
                ["timestamp"] = at,
            });
        });
    }

    /// <summary><c>type=cancel</c> with <c>cancel[identifier]</c>: the event no longer counts, if it was received in the last 24 hours.</summary>
    public StripeResponse Adjust(JsonObject p)
    {
        if (StripeLists.Unknown(p, AdjustmentParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("event_name") is not { Length: > 0 } eventName)
        {
            return StripeErrors.Missing("event_name");
        }

        if (p.Str("type") is not { } type)
        {
            return StripeErrors.Missing("type");
        }

        if (type != "cancel")
        {
            return StripeErrors.InvalidParam("Invalid type: must be cancel", "type");
        }

        if ((p["cancel"] as JsonObject).Str("identifier") is not { Length: > 0 } identifier)
        {
            return StripeErrors.Missing("cancel[identifier]");
        }

        return objects.Atomically(() =>
        {
            var meter = StripeMeters.ActiveFor(objects, eventName);
            var record = meter is null ? null : StripeUsage.Received(objects, identifier, customers.NowFor(CustomerOf(identifier)));
            if (meter is null || record is null || record.Str("meter") != meter.Str("id"))
            {
                return StripeErrors.InvalidParam(
                    $"No meter event `{StripeLists.Clip(identifier)}` of the event name `{StripeLists.Clip(eventName)}` was received in the last 24 hours.", "cancel[identifier]");
            }

            if (record["canceled"]!.GetValue<bool>())
            {
                return StripeErrors.InvalidParam($"The meter event `{identifier}` is already canceled.", "cancel[identifier]");
            }

            StripeUsage.Cancel(objects, record);
            return StripeResponse.Ok(new JsonObject
            {
                ["object"] = "billing.meter_event_adjustment",
                ["cancel"] = new JsonObject { ["identifier"] = identifier },
                ["event_name"] = eventName,
                ["livemode"] = false,
                ["status"] = "complete",
                ["type"] = "cancel",
            });
        });
    }

    /// <summary>
    /// <c>GET /v1/billing/meters/{id}/event_summaries</c>: the customer's aggregated usage over [<c>start_time</c>,
    /// <c>end_time</c>), minute-aligned, as one summary or one per hour or UTC day (<c>value_grouping_window</c>),
    /// earliest first.
    /// </summary>
    public StripeResponse Summaries(string meterId, JsonObject query)
    {
        if (StripeLists.Unknown(query, SummaryParams) is { } unknown)
        {
            return unknown;
        }

        if (objects.Get(meterId, StripeMeters.Type) is not { } meter)
        {
            return StripeErrors.NoSuch("billing meter", meterId, "id");
        }

        if (query.Str("customer") is not { } customerId)
        {
            return StripeErrors.Missing("customer");
        }

        var window = query.Str("value_grouping_window");
        if (window is not (null or "hour" or "day"))
        {
            return StripeErrors.InvalidParam("Invalid value_grouping_window: must be one of day or hour", "value_grouping_window");
        }

        var step = window switch { "hour" => 3600L, "day" => 86_400L, _ => 60L };
        if (ReadTime(query, "start_time", step, out var start) is { } badStart)
        {
            return badStart;
        }

        if (ReadTime(query, "end_time", step, out var end) is { } badEnd)
        {
            return badEnd;
        }

        if (end <= start || end - start > MaxSummaryRange)
        {
            return StripeErrors.InvalidParam("end_time must be after start_time, and at most 400 days after it.", "end_time");
        }

        if (objects.Get(customerId, "customer") is null)
        {
            return StripeErrors.NoSuch("customer", customerId, "customer");
        }

        var usages = StripeUsage.Between(objects, meterId, customerId, start, end);
        var windows = new List<JsonObject>();
        for (var from = start; from < end; from = window is null ? end : from + step)
        {
            var to = window is null ? end : from + step;
            windows.Add(new JsonObject
            {
                ["id"] = $"mtrsum_{meterId[4..]}_{from.ToString(CultureInfo.InvariantCulture)}",
                ["object"] = "billing.meter_event_summary",
                ["aggregated_value"] = StripeUsage.Aggregate(meter, [.. usages.Where(u => u.Timestamp >= from && u.Timestamp < to)]),
                ["end_time"] = to,
                ["livemode"] = false,
                ["meter"] = meterId,
                ["start_time"] = from,
            });
        }

        return StripeLists.Page($"{StripeMeters.Path}/{meterId}/event_summaries",
            after => after is null ? windows : windows.SkipWhile(w => w.Str("id") != after).Skip(1), query);
    }

    /// <summary>The customer whose event <paramref name="identifier"/> is, for its clock's "now" (null: none such).</summary>
    private string? CustomerOf(string identifier) =>
        objects.Get("mtrevt_" + identifier, "billing.meter_event_identifier").Str("bucket") is { } bucket
            ? objects.Get(bucket, "billing.meter_usage_hour").Str("customer")
            : null;

    /// <summary>The value under the meter's <c>value_settings[event_payload_key]</c>: whole units (a count meter needs none).</summary>
    private static StripeResponse? ReadValue(JsonObject meter, JsonObject payload, out long value)
    {
        value = 1;
        var key = meter["value_settings"].Str("event_payload_key")!;
        if (payload.Str(key) is not { } text)
        {
            return meter["default_aggregation"].Str("formula") == "count" ? null : StripeErrors.Missing($"payload[{key}]");
        }

        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var exact))
        {
            return StripeErrors.InvalidParam($"Invalid payload[{key}]: {StripeLists.Clip(text)} is not a number.", $"payload[{key}]");
        }

        if (exact != decimal.Truncate(exact))
        {
            return StripePrices.Unsimulated($"payload[{key}]", "fractional usage values are not simulated: the sandbox meters whole units");
        }

        if (exact is < 0 or > MaxValue)
        {
            return StripeErrors.InvalidParam($"Invalid payload[{key}]: the sandbox takes whole values from 0 to {MaxValue}.", $"payload[{key}]");
        }

        value = (long)exact;
        return null;
    }

    private static StripeResponse? ReadTime(JsonObject query, string name, long step, out long time)
    {
        time = 0;
        if (query[name] is null)
        {
            return StripeErrors.Missing(name);
        }

        if (!StripeJson.TryLong(query.Str(name), out time) || time < 0 || time > StripeBilling.MaxUnix)
        {
            return StripeErrors.InvalidParam($"Invalid timestamp: {StripeLists.Clip(query.Str(name) ?? "")}", name);
        }

        return time % step == 0
            ? null
            : StripeErrors.InvalidParam(step switch
            {
                60 => $"{name} must be aligned with minute boundaries.",
                3600 => $"{name} must be aligned with hour boundaries when value_grouping_window is hour.",
                _ => $"{name} must be aligned with UTC day boundaries when value_grouping_window is day.",
            }, name);
    }
}
