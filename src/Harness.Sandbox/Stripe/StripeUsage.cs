using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Where meter events are kept: one stored bucket per meter, customer and hour holding that hour's events (time, value,
/// identifier), so aggregating a billing period reads only that period's buckets, never the meter's whole history, and a
/// period boundary at any second is exact. An identifier record per event serves the 24-hour de-duplication and cancels.
/// </summary>
public static class StripeUsage
{
    private const string BucketType = "billing.meter_usage_hour";

    private const string IdentifierType = "billing.meter_event_identifier";

    private const string TotalType = "billing.meter_usage_total";

    /// <summary>
    /// The most a customer may report to one meter, in all (each event counting its value, and at least 1): the sandbox's
    /// bound, so that no period's usage times a unit amount, summed over a subscription's items, leaves exact whole numbers.
    /// </summary>
    public const long MaxPerCustomer = 1_000_000_000;

    private const long Hour = 3600;

    /// <summary>Stripe de-duplicates identifiers, and lets events be canceled, within 24 hours of receiving them.</summary>
    public const long IdentifierWindow = 86_400;

    /// <summary>One stored event: when it happened, its value, its identifier.</summary>
    public sealed record Usage(long Timestamp, long Value, string Identifier);

    /// <summary>The identifier's record while it is within its 24 hours of <paramref name="now"/>; null when free.</summary>
    public static JsonObject? Received(ProviderObjects objects, string identifier, long now) =>
        objects.Get(IdentifierId(identifier), IdentifierType) is { } record && record["received"]!.GetValue<long>() + IdentifierWindow > now ? record : null;

    /// <summary>Whether <paramref name="value"/> more would take the customer's reported usage of the meter past <see cref="MaxPerCustomer"/>.</summary>
    public static bool OverBound(ProviderObjects objects, string meterId, string customerId, long value) =>
        Reported(objects, meterId, customerId) + Math.Max(value, 1) > MaxPerCustomer;

    /// <summary>Stores an event of <paramref name="meterId"/> for the customer, received at <paramref name="now"/>. The caller holds the unit.</summary>
    public static void Record(ProviderObjects objects, string meterId, string customerId, Usage usage, long now)
    {
        objects.Put(new JsonObject
        {
            ["id"] = TotalId(meterId, customerId),
            ["object"] = TotalType,
            ["reported"] = Reported(objects, meterId, customerId) + Math.Max(usage.Value, 1),
        });
        var bucketId = BucketId(meterId, customerId, usage.Timestamp);
        var bucket = objects.Get(bucketId, BucketType) ?? new JsonObject
        {
            ["id"] = bucketId,
            ["object"] = BucketType,
            ["meter"] = meterId,
            ["customer"] = customerId,
            ["events"] = new JsonArray(),
        };
        ((JsonArray)bucket["events"]!).Add(new JsonArray(usage.Timestamp, usage.Value, usage.Identifier));
        objects.Put(bucket);
        objects.Put(new JsonObject
        {
            ["id"] = IdentifierId(usage.Identifier),
            ["object"] = IdentifierType,
            ["bucket"] = bucketId,
            ["meter"] = meterId,
            ["received"] = now,
            ["canceled"] = false,
        });
    }

    /// <summary>Removes the event <paramref name="record"/> names from its bucket (a cancel adjustment). The caller holds the unit.</summary>
    public static void Cancel(ProviderObjects objects, JsonObject record)
    {
        var identifier = record.Str("id")!["mtrevt_".Length..];
        if (objects.Get(record.Str("bucket")!, BucketType) is { } bucket)
        {
            var events = (JsonArray)bucket["events"]!;
            foreach (var node in events.OfType<JsonArray>().Where(e => e[2]!.GetValue<string>() == identifier).ToList())
            {
                events.Remove(node);
            }

            objects.Put(bucket);
        }

        record["canceled"] = true;
        objects.Put(record);
    }

    /// <summary>The customer's events of <paramref name="meterId"/> with <paramref name="start"/> ≤ timestamp &lt; <paramref name="end"/>, oldest first.</summary>
    public static List<Usage> Between(ProviderObjects objects, string meterId, string customerId, long start, long end)
    {
        var found = new List<Usage>();
        for (var hour = Floor(start); hour < end; hour += Hour)
        {
            if (objects.Get(BucketId(meterId, customerId, hour), BucketType)?["events"] is not JsonArray events)
            {
                continue;
            }

            found.AddRange(events.OfType<JsonArray>()
                .Select(e => new Usage(e[0]!.GetValue<long>(), e[1]!.GetValue<long>(), e[2]!.GetValue<string>()))
                .Where(u => u.Timestamp >= start && u.Timestamp < end));
        }

        return [.. found.OrderBy(u => u.Timestamp)];
    }

    /// <summary>
    /// The meter's <c>default_aggregation</c> of <paramref name="usages"/>: their sum, their number, or the value of
    /// the latest (0 when there are none).
    /// </summary>
    public static long Aggregate(JsonObject meter, IReadOnlyList<Usage> usages) => meter["default_aggregation"].Str("formula") switch
    {
        "count" => usages.Count,
        "last" => usages.Count == 0 ? 0 : usages[^1].Value,
        _ => usages.Aggregate(0L, (total, u) => checked(total + u.Value)),
    };

    /// <summary>The customer's aggregated usage of <paramref name="meter"/> over [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public static long Over(ProviderObjects objects, JsonObject meter, string customerId, long start, long end) =>
        Aggregate(meter, Between(objects, meter.Str("id")!, customerId, start, end));

    private static long Floor(long timestamp) => timestamp - (((timestamp % Hour) + Hour) % Hour);

    private static string BucketId(string meterId, string customerId, long timestamp) =>
        $"mtrhour_{meterId}_{customerId}_{Floor(timestamp).ToString(CultureInfo.InvariantCulture)}";

    private static string IdentifierId(string identifier) => "mtrevt_" + identifier;

    private static string TotalId(string meterId, string customerId) => $"mtrtotal_{meterId}_{customerId}";

    private static long Reported(ProviderObjects objects, string meterId, string customerId) =>
        objects.Get(TotalId(meterId, customerId), TotalType)?["reported"]?.GetValue<long>() ?? 0;
}
