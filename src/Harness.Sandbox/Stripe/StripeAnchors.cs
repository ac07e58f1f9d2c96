using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A new subscription's future billing cycle anchor: when its first full period starts (<paramref name="At"/>), the
/// moment its cycle is counted from (<paramref name="Reference"/>: <paramref name="At"/> itself, or, for a configured
/// day the anchor's month lacks, a boundary on that day), whether the time up to it is charged prorated, and the
/// <c>billing_cycle_anchor_config</c> it came from.
/// </summary>
public sealed record StripeAnchor(long At, long Reference, bool Prorate, JsonObject? Config);

/// <summary>
/// <c>billing_cycle_anchor</c> (a future timestamp) and <c>billing_cycle_anchor_config</c> on <c>POST /v1/subscriptions</c>,
/// and Checkout's <c>subscription_data[billing_cycle_anchor]</c>, with <c>proration_behavior</c>
/// (docs.stripe.com/billing/subscriptions/billing-cycle): the first period runs from the creation to the anchor,
/// charged prorated (<c>create_prorations</c>, the default) or free (<c>none</c>), then full periods on the anchor's cycle.
/// </summary>
public static class StripeAnchors
{
    private const string Anchor = "billing_cycle_anchor";
    private const string ConfigParam = "billing_cycle_anchor_config";
    private const string Data = "subscription_data";

    private static readonly string[] CreateBehaviors = ["create_prorations", "none"];

    private static readonly (string Field, long Min, long Max)[] ConfigFields =
        [("day_of_month", 1, 31), ("hour", 0, 23), ("minute", 0, 59), ("month", 1, 12), ("second", 0, 59)];

    /// <summary>
    /// <c>POST /v1/subscriptions</c>' <c>billing_cycle_anchor</c> or <c>billing_cycle_anchor_config</c> (not both) and
    /// <c>proration_behavior</c>, for prices of <paramref name="recurring"/>; null <paramref name="anchor"/> when none is given.
    /// </summary>
    public static StripeResponse? ReadCreate(JsonObject p, JsonNode? recurring, long now, long? trialEnd, out StripeAnchor? anchor)
    {
        anchor = null;
        if (ReadBehavior(p, name => name, out var prorate) is { } badBehavior)
        {
            return badBehavior;
        }

        if (p[Anchor] is null && p[ConfigParam] is null)
        {
            return null;
        }

        if (p[Anchor] is not null && p[ConfigParam] is not null)
        {
            return StripeErrors.InvalidParam($"You may only specify one of these parameters: {Anchor}, {ConfigParam}.", Anchor);
        }

        var given = p[Anchor] is null ? ConfigParam : Anchor;
        var refused = p[ConfigParam] is null
            ? ReadAt(p.Str(Anchor), Anchor, recurring, now, prorate, out anchor)
            : ReadConfig(p[ConfigParam], name => name, recurring, now, prorate, out anchor);
        return refused ?? (trialEnd is { } end ? FollowTrial(anchor!, end, given) : null);
    }

    /// <summary>
    /// An anchor with a trial (docs.stripe.com/billing/subscriptions/trials, combining trials with <c>billing_cycle_anchor</c>):
    /// the trial, then the time from its end to the anchor prorated, then full periods. Stripe refuses what leaves no
    /// prorated invoice after the trial: <c>proration_behavior=none</c> (naming it), or an anchor at or before the trial's
    /// end (naming the anchor's parameter, the sandbox's choice).
    /// </summary>
    private static StripeResponse? FollowTrial(StripeAnchor anchor, long trialEnd, string given)
    {
        const string MustProrate = "When billing_cycle_anchor follows a trial, the anchored invoice must be prorated. For a longer free period, use a longer trial.";
        return !anchor.Prorate ? StripeErrors.InvalidParam(MustProrate, "proration_behavior")
            : anchor.At <= trialEnd ? StripeErrors.InvalidParam(MustProrate, given)
            : null;
    }

    /// <summary>
    /// The anchor a trialing subscription's trial ending at <paramref name="trialEnd"/> leads into, when it lies after
    /// that end (<see cref="FollowTrial"/>): the invoice at the trial's end then charges up to it prorated. Null otherwise.
    /// </summary>
    public static StripeAnchor? AfterTrial(JsonObject subscription, long trialEnd) =>
        subscription[Anchor]!.GetValue<long>() > trialEnd ? new StripeAnchor(subscription[Anchor]!.GetValue<long>(), CycleAnchor(subscription), true, null) : null;

    /// <summary>
    /// A Checkout Session's <c>subscription_data[billing_cycle_anchor]</c> or <c>subscription_data[billing_cycle_anchor_config]</c>
    /// (not both) and <c>subscription_data[proration_behavior]</c> (subscription mode only; not with a trial, as at Stripe).
    /// </summary>
    public static StripeResponse? ReadCheckout(JsonObject p, string mode, JsonNode? recurring, long now, JsonObject? trial, out StripeAnchor? anchor)
    {
        anchor = null;
        if (p[Data] is not JsonObject data || (data[Anchor] is null && data["proration_behavior"] is null && data[ConfigParam] is null))
        {
            return null;
        }

        if (mode != "subscription")
        {
            return StripeErrors.InvalidParam($"`{Data}` can only be used in `subscription` mode.", Data);
        }

        if (ReadBehavior(data, name => $"{Data}[{name}]", out var prorate) is { } badBehavior)
        {
            return badBehavior;
        }

        if (data[Anchor] is null && data[ConfigParam] is null)
        {
            return null;
        }

        if (data[Anchor] is not null && data[ConfigParam] is not null)
        {
            return StripeErrors.InvalidParam($"You may only specify one of these parameters: {Anchor}, {ConfigParam}.", $"{Data}[{Anchor}]");
        }

        var given = data[Anchor] is null ? ConfigParam : Anchor;
        if (trial is not null)
        {
            var other = trial["end"] is null ? "trial_period_days" : "trial_end";
            return StripeErrors.InvalidParam($"You may only specify one of these parameters: {given}, {other}.", $"{Data}[{given}]");
        }

        // A configured anchor is resolved when the session is created, as a timestamp's window is counted from then.
        return data[ConfigParam] is null
            ? ReadAt(data.Str(Anchor), $"{Data}[{Anchor}]", recurring, now, prorate, out anchor)
            : ReadConfig(data[ConfigParam], name => $"{Data}[{name}]", recurring, now, prorate, out anchor);
    }

    /// <summary>The first period of a subscription created at <paramref name="now"/>: up to the anchor, or a full one without.</summary>
    public static (long Start, long End) FirstPeriod(StripeAnchor? anchor, JsonNode? recurring, long now)
    {
        if (anchor is null)
        {
            return (now, StripeBilling.PeriodEndOf(recurring, now, now));
        }

        // An anchor already past (a checkout paid after it) bills the full period that starts at it.
        var (start, end) = Cycle(anchor, recurring, now);
        return anchor.At > now ? (now, end) : (start, end);
    }

    /// <summary>
    /// What the first period charges of a recurring item that costs <paramref name="full"/> a period: the share of the
    /// time left until the anchor in the full period that ends there (to the second, rounded as every proration), 0 with
    /// <c>proration_behavior=none</c>, the full amount when the anchor has passed.
    /// </summary>
    public static long Due(long full, StripeAnchor anchor, JsonNode? recurring, long now)
    {
        if (anchor.At <= now)
        {
            return full;
        }

        var (start, end) = Cycle(anchor, recurring, now);
        return anchor.Prorate ? StripeBilling.Prorate(full, now, start, end) : 0;
    }

    /// <summary>
    /// The first invoice's item lines for the time up to the anchor, as Stripe's proration lines are
    /// ("Remaining time on Pro after 07 Dec 2026", <c>parent.subscription_item_details.proration: true</c>); when the anchor has passed, full lines for the
    /// period that started at it.
    /// </summary>
    public static void ProrateLines(ProviderObjects objects, JsonObject invoice, JsonObject subscription, StripeAnchor anchor, long now)
    {
        if (anchor.At <= now)
        {
            foreach (var line in ((JsonArray)invoice["lines"]!["data"]!).OfType<JsonObject>())
            {
                line["period"]!["start"] = subscription["current_period_start"]!.DeepClone();
            }

            return;
        }

        var date = DateTimeOffset.FromUnixTimeSeconds(now).ToString("dd MMM yyyy", CultureInfo.InvariantCulture);
        var items = ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>();
        // The invoice's lines are the subscription's items, in their order.
        foreach (var (line, item) in ((JsonArray)invoice["lines"]!["data"]!).OfType<JsonObject>().Zip(items))
        {
            var price = (JsonObject)item["price"]!;
            var quantity = item["quantity"]!.GetValue<long>();
            var name = objects.Get(price.Str("product")!, "product").Str("name") ?? price.Str("product");
            line["amount"] = Due(StripeTiers.Advance(price, quantity), anchor, price["recurring"], now);
            line["description"] = $"Remaining time on {(quantity == 1 ? "" : $"{quantity} × ")}{name} after {date}";
            line["parent"] = StripeInvoicing.ItemParent(subscription, item, proration: true);
        }
    }

    /// <summary>
    /// The moment a subscription's cycle is counted from: its <c>billing_cycle_anchor</c>, or the configured day's
    /// boundary (<see cref="StripePeriods.OnDay"/>) while the anchor is still the one the configuration set.
    /// </summary>
    public static long CycleAnchor(JsonObject subscription)
    {
        var anchor = subscription[Anchor]!.GetValue<long>();
        return subscription["_cycle_reference"] is JsonObject reference && reference["anchor"]!.GetValue<long>() == anchor
            ? reference["reference"]!.GetValue<long>()
            : anchor;
    }

    /// <summary>Keeps a configured day's boundary on the subscription (see <see cref="CycleAnchor"/>).</summary>
    public static void Remember(JsonObject subscription, StripeAnchor? anchor)
    {
        if (anchor is not null && anchor.Reference != anchor.At)
        {
            subscription["_cycle_reference"] = new JsonObject { ["anchor"] = anchor.At, ["reference"] = anchor.Reference };
        }
    }

    /// <summary>The anchor as a Checkout Session keeps it until it is paid.</summary>
    public static JsonObject ToJson(StripeAnchor anchor) =>
        new() { ["at"] = anchor.At, ["reference"] = anchor.Reference, ["prorate"] = anchor.Prorate, ["config"] = anchor.Config?.DeepClone() };

    public static StripeAnchor FromJson(JsonObject stored) =>
        new(stored["at"]!.GetValue<long>(), stored["reference"]!.GetValue<long>(), stored["prorate"]!.GetValue<bool>(), stored["config"]?.DeepClone() as JsonObject);

    private static (long Start, long End) Cycle(StripeAnchor anchor, JsonNode? recurring, long now) =>
        StripePeriods.Around(anchor.Reference, now, recurring.Str("interval"), recurring?["interval_count"]?.GetValue<long>() ?? 1);

    private static StripeResponse? ReadBehavior(JsonObject p, Func<string, string> name, out bool prorate)
    {
        var behavior = p.Str("proration_behavior") ?? "create_prorations";
        prorate = behavior == "create_prorations";
        return CreateBehaviors.Contains(behavior) ? null : StripeErrors.InvalidParam(behavior == "always_invoice"
            ? $"`{name("proration_behavior")}=always_invoice` is not supported when creating a subscription: use create_prorations or none."
            : $"Invalid {name("proration_behavior")}: must be one of {string.Join(", ", CreateBehaviors)}", name("proration_behavior"));
    }

    /// <summary>A timestamp anchor: after now, and no later than the end of a full period from now (Stripe's "next natural billing date").</summary>
    private static StripeResponse? ReadAt(string? text, string param, JsonNode? recurring, long now, bool prorate, out StripeAnchor? anchor)
    {
        anchor = null;
        if (!StripeJson.TryLong(text, out var at))
        {
            return StripeErrors.InvalidParam($"Invalid timestamp: must be an integer Unix timestamp: {StripeLists.Clip(text ?? "")}", param);
        }

        if (at <= now)
        {
            return StripeErrors.InvalidParam($"{Anchor} must be in the future: {at} is not after the current time ({now}).", param);
        }

        var natural = StripeBilling.PeriodEndOf(recurring, now, now);
        if (at > natural)
        {
            return StripeErrors.InvalidParam($"{Anchor} cannot be later than next natural billing date ({natural}) for plan", param);
        }

        anchor = new StripeAnchor(at, at, prorate, null);
        return null;
    }

    /// <summary>
    /// <c>billing_cycle_anchor_config</c>: the next time, in UTC, on <c>day_of_month</c> (its month's last day when it has
    /// fewer) in <c>month</c> (yearly prices only) at <c>hour</c>:<c>minute</c>:<c>second</c>, each defaulting to the
    /// creation time's; monthly and yearly prices only. <paramref name="name"/> names a parameter as the request has it.
    /// </summary>
    private static StripeResponse? ReadConfig(JsonNode? node, Func<string, string> name, JsonNode? recurring, long now, bool prorate, out StripeAnchor? anchor)
    {
        anchor = null;
        var configParam = name(ConfigParam);
        if (node is not JsonObject config)
        {
            return StripeErrors.InvalidParam("Invalid object", configParam);
        }

        if (config.Select(kv => kv.Key).FirstOrDefault(k => !ConfigFields.Any(f => f.Field == k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {configParam}[{unknown}]", $"{configParam}[{unknown}]", "parameter_unknown");
        }

        var values = new Dictionary<string, long>();
        foreach (var (field, min, max) in ConfigFields)
        {
            var param = $"{configParam}[{field}]";
            if (config.Str(field) is not { } text)
            {
                continue;
            }

            if (!StripeJson.TryLong(text, out var value))
            {
                return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(text)}", param);
            }

            if (value < min || value > max)
            {
                return StripeErrors.InvalidParam($"This value must be greater than or equal to {min} and less than or equal to {max}.", param);
            }

            values[field] = value;
        }

        if (!values.TryGetValue("day_of_month", out var day))
        {
            return StripeErrors.Missing($"{configParam}[day_of_month]");
        }

        var interval = recurring.Str("interval");
        if (interval is not ("month" or "year"))
        {
            return StripeErrors.InvalidParam($"`{configParam}` is only valid with monthly and yearly price intervals, and this price bills every {interval}.", configParam);
        }

        if (values.ContainsKey("month") && interval != "year")
        {
            return StripeErrors.InvalidParam($"`{configParam}[month]` is only valid with yearly price intervals.", $"{configParam}[month]");
        }

        var timeOfDay = ((now % 86_400) + 86_400) % 86_400;
        var time = (values.GetValueOrDefault("hour", timeOfDay / 3600) * 3600) + (values.GetValueOrDefault("minute", timeOfDay / 60 % 60) * 60) + values.GetValueOrDefault("second", timeOfDay % 60);
        var at = StripePeriods.NextOnDay(now, day, values.TryGetValue("month", out var month) ? month : null, time);
        var shown = new JsonObject();
        foreach (var (field, _, _) in ConfigFields)
        {
            shown[field] = values.TryGetValue(field, out var value) ? value : null;
        }

        anchor = new StripeAnchor(at, StripePeriods.OnDay(at, day, interval, recurring?["interval_count"]?.GetValue<long>() ?? 1), prorate, shown);
        return null;
    }
}
