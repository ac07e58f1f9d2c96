using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The Subscription Schedules API: create (<c>customer</c> + <c>phases</c> + <c>start_date</c>, or
/// <c>from_subscription</c>), retrieve, list, update (<c>phases</c> from the current one on, <c>end_behavior</c>,
/// <c>metadata</c>), cancel and release. The subscription it manages is created, changed and canceled through
/// <see cref="StripeSubscriptions"/> at each phase boundary (<see cref="RunDue"/>), so invoicing and prorations are billing's.
/// </summary>
public sealed partial class StripeSubscriptionSchedules(
    ProviderObjects objects, StripeCustomers customers, StripeSubscriptions subscriptions, StripeWebhooks webhooks)
{
    public const string Path = "/v1/subscription_schedules";
    public const string Type = "subscription_schedule";

    private static readonly HashSet<string> CreateParams = ["customer", "phases", "start_date", "end_behavior", "from_subscription", "metadata", "expand"];
    private static readonly HashSet<string> UpdateParams = ["phases", "end_behavior", "metadata", "proration_behavior", "expand"];
    private static readonly HashSet<string> UnsimulatedParams = ["default_settings", "billing_mode", "customer_account", "pause_schedules"];
    private static readonly string[] EndBehaviors = ["release", "cancel"];
    private static readonly string[] Open = ["not_started", "active"];
    private static readonly HashSet<string> CancelParams = ["invoice_now", "prorate", "expand"];
    private static readonly HashSet<string> ReleaseParams = ["preserve_cancel_date", "expand"];
    private static readonly string[] CancelFlags = ["invoice_now", "prorate"];
    private static readonly string[] TimeFields = ["created", "canceled_at", "completed_at", "released_at"];

    public StripeResponse Create(JsonObject p)
    {
        if (Refused(p, CreateParams) is { } refused)
        {
            return refused;
        }

        if (p["from_subscription"] is not null)
        {
            return FromSubscription(p);
        }

        if (p.Str("customer") is not { } customerId)
        {
            return StripeErrors.Missing("customer");
        }

        if (objects.Get(customerId, "customer") is not { } customer || customer["deleted"] is not null)
        {
            return StripeErrors.NoSuch("customer", customerId, "customer");
        }

        if (ReadEndBehavior(p, out var endBehavior) is { } badEnd || !StripeLists.TryMetadata(p, out var metadata, out badEnd))
        {
            return badEnd!;
        }

        var now = customers.NowFor(customerId);
        var start = now;
        if (p["start_date"] is not null && p.Str("start_date") != "now")
        {
            if (!StripeJson.TryLong(p.Str("start_date"), out start) || start > StripeBilling.MaxUnix)
            {
                return StripeErrors.InvalidParam("Invalid start_date: must be `now` or a Unix time.", "start_date");
            }

            if (start < now)
            {
                return StripeErrors.InvalidParam("A start_date in the past (backdating) is not simulated by the sandbox's subscription schedules: use `now` or a future time.", "start_date");
            }
        }

        if (ReadPhases(p["phases"], start, null, out var phases) is { } badPhases)
        {
            return badPhases;
        }

        return objects.Atomically(() =>
        {
            var schedule = NewSchedule(customerId, endBehavior, metadata, phases, now);
            schedule["test_clock"] = customers.TestClockOf(customerId)?.Str("id");
            if (start <= now && Begin(schedule, now) is { } refusedStart)
            {
                return refusedStart;
            }

            objects.Put(schedule);
            webhooks.Send(schedule.Str("id")!, [new StripeEvent("subscription_schedule.created", View(schedule, null))]);
            return StripeResponse.Ok(View(schedule, p));
        });
    }

    /// <summary><c>from_subscription</c>: one phase from the subscription's current state, from its period's start to its end; nothing else may be given.</summary>
    private StripeResponse FromSubscription(JsonObject p)
    {
        if (p.Select(kv => kv.Key).FirstOrDefault(k => k is not ("from_subscription" or "expand")) is { } other)
        {
            return StripeErrors.InvalidParam($"You cannot set `{other}` if `from_subscription` is set.", other);
        }

        var id = p.Str("from_subscription") ?? "";
        return objects.Atomically(() =>
        {
            if (objects.Get(id, "subscription") is not { } subscription)
            {
                return StripeErrors.NoSuch("subscription", id, "from_subscription");
            }

            if (subscription.Str("schedule") is { } existing)
            {
                return StripeErrors.InvalidParam($"The subscription `{id}` is already attached to a schedule (`{existing}`).", "from_subscription");
            }

            if (!StripeBilling.Bills(subscription))
            {
                return StripeErrors.InvalidParam($"This subscription is {subscription.Str("status")}: only an active, trialing or past_due subscription can be managed by a schedule.", "from_subscription");
            }

            var customerId = subscription.Str("customer")!;
            var now = customers.NowFor(customerId);
            var phase = PhaseOf(subscription);
            var schedule = NewSchedule(customerId, "release", new JsonObject(), [phase], now);
            schedule["test_clock"] = subscription.Str("test_clock");
            schedule["status"] = "active";
            schedule["subscription"] = id;
            schedule["current_phase"] = CurrentPhase(phase);
            schedule["_phase"] = 0;
            objects.Put(schedule);
            var previous = new JsonObject { ["schedule"] = null };
            subscription["schedule"] = schedule.Str("id");
            objects.Put(subscription);
            webhooks.Send(schedule.Str("id")!, [
                new StripeEvent("subscription_schedule.created", View(schedule, null)),
                new StripeEvent("customer.subscription.updated", StripeLists.Public(subscription), previous),
            ]);
            return StripeResponse.Ok(View(schedule, p));
        });
    }

    public StripeResponse Retrieve(string id, JsonObject query) =>
        objects.Get(id, Type) is { } schedule ? StripeResponse.Ok(View(schedule, query)) : StripeErrors.NoSuch(Type, id, "schedule");

    public StripeResponse List(JsonObject query)
    {
        var filters = new List<Func<JsonObject, bool>>();
        if (!StripeLists.TryBool(query, "scheduled", out var scheduled, out var badFlag))
        {
            return badFlag!;
        }

        if (scheduled is { } only)
        {
            filters.Add(s => (s.Str("status") == "not_started") == only);
        }

        foreach (var field in TimeFields)
        {
            if (TimeFilter(query, field, out var matches) is { } badTime)
            {
                return badTime;
            }

            filters.Add(s => query[field] is null || (s[field] is JsonValue t && matches(t.GetValue<long>())));
        }

        if (query.Str("customer") is { } customerId)
        {
            filters.Add(s => s.Str("customer") == customerId);
        }

        return StripeLists.Page(Path, after => objects.Newest(Type, after).Where(s => filters.All(f => f(s))), query, s => View(s, query));
    }

    /// <summary>A range filter on a time field, read as the <c>created</c> filter is and named by its own field in a refusal.</summary>
    private static StripeResponse? TimeFilter(JsonObject query, string field, out Func<long, bool> matches)
    {
        var refused = StripeLists.CreatedFilter(new JsonObject { ["created"] = query[field]?.DeepClone() }, out matches);
        if (refused?.Body["error"] is JsonObject error && error.Str("param") is { } param)
        {
            error["param"] = field + param["created".Length..];
            error["message"] = error.Str("message")!.Replace("created", field, StringComparison.Ordinal);
        }

        return refused;
    }

    /// <summary>
    /// <c>phases</c> replace the current phase and those after it (ended phases are kept as they were); a change to the
    /// current phase applies to the subscription at once, prorated by <c>proration_behavior</c>.
    /// </summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (Refused(p, UpdateParams) is { } refused)
        {
            return refused;
        }

        if (ReadEndBehavior(p, out var endBehavior) is { } badEnd || !StripeLists.TryMetadata(p, out var metadata, out badEnd))
        {
            return badEnd!;
        }

        var proration = p.Str("proration_behavior");
        if (proration is not null && !PhaseProrations.Contains(proration))
        {
            return StripeErrors.InvalidParam($"Invalid proration_behavior: must be one of {string.Join(", ", PhaseProrations)}", "proration_behavior");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } schedule)
            {
                return StripeErrors.NoSuch(Type, id, "schedule");
            }

            if (NotOpen(schedule, "updated") is { } closed)
            {
                return closed;
            }

            var previous = new JsonObject();
            var now = customers.NowFor(schedule.Str("customer"));
            if (p["phases"] is not null && ReplacePhases(schedule, p["phases"], proration, now, previous) is { } badPhases)
            {
                return badPhases;
            }

            if (p["end_behavior"] is not null && endBehavior != schedule.Str("end_behavior"))
            {
                previous["end_behavior"] = schedule.Str("end_behavior");
                schedule["end_behavior"] = endBehavior;
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(schedule, metadata, previous);
            }

            objects.Put(schedule);
            if (previous.Count > 0)
            {
                webhooks.Send(id, [new StripeEvent("subscription_schedule.updated", View(schedule, null), previous)]);
            }

            return StripeResponse.Ok(View(schedule, p));
        });
    }

    private StripeResponse? ReplacePhases(JsonObject schedule, JsonNode? given, string? proration, long now, JsonObject previous)
    {
        var stored = Phases(schedule);
        var active = schedule.Str("status") == "active";
        var index = active ? schedule["_phase"]!.GetValue<int>() : 0;
        var start = stored[index]["start_date"]!.GetValue<long>();
        if (!active && given is JsonArray { Count: > 0 } array && (array[0] as JsonObject)?["start_date"] is { } startNode)
        {
            // A schedule not started yet may move its start, to now or later.
            start = startNode.ToString() == "now" ? now : StripeJson.TryLong(startNode.ToString(), out var s) && s >= now ? s : -1;
            if (start < 0)
            {
                return StripeErrors.InvalidParam("phases[0][start_date] must be `now` or a Unix time no earlier than now.", "phases[0][start_date]");
            }
        }

        if (active && given is JsonArray { Count: > 0 } first && (first[0] as JsonObject)?["start_date"] is { } currentStart
            && StripeJson.TryLong(currentStart.ToString(), out var asked) && asked < start)
        {
            return StripeErrors.InvalidParam(
                "You can not modify phases that have already ended: start `phases` at the current phase (the ended ones are kept as they were).", "phases[0][start_date]");
        }

        if (ReadPhases(given, start, active ? start : null, out var phases) is { } bad)
        {
            return bad;
        }

        if (active && phases[0]["end_date"]!.GetValue<long>() <= now)
        {
            return StripeErrors.InvalidParam($"The current phase must end in the future: its end_date must be after {now}.", "phases[0][end_date]");
        }

        previous["phases"] = schedule["phases"]!.DeepClone();
        schedule.Remove("_expiring_sent");
        var kept = stored.Take(index).Select(ph => (JsonNode)ph.DeepClone());
        schedule["phases"] = new JsonArray([.. kept, .. phases.Select(ph => (JsonNode)ph)]);
        if (!active)
        {
            return start <= now ? Begin(schedule, now) : null;
        }

        previous["current_phase"] = schedule["current_phase"]!.DeepClone();
        schedule["current_phase"] = CurrentPhase(phases[0]);
        return ChangesOf(stored[index], phases[0]) ? Apply(schedule, stored[index], phases[0], now, proration) : null;
    }

    /// <summary>Cancels the schedule and, when it has started, its subscription now (<c>invoice_now</c>, <c>prorate</c> as the subscription's cancel takes them).</summary>
    public StripeResponse Cancel(string id, JsonObject p)
    {
        if (Refused(p, CancelParams) is { } refused)
        {
            return refused;
        }

        if (!StripeLists.TryBool(p, "invoice_now", out var invoiceNow, out var badFlag) || !StripeLists.TryBool(p, "prorate", out var prorate, out badFlag))
        {
            return badFlag!;
        }

        if (invoiceNow == true && prorate == true)
        {
            return StripeErrors.InvalidParam("invoice_now=true with prorate=true is not simulated by the sandbox: cancel with either one alone.", "prorate");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } schedule)
            {
                return StripeErrors.NoSuch(Type, id, "schedule");
            }

            if (NotOpen(schedule, "canceled") is { } closed)
            {
                return closed;
            }

            var now = customers.NowFor(schedule.Str("customer"));
            var subscriptionId = schedule.Str("subscription");
            Close(schedule, "canceled", "canceled_at", now);
            if (subscriptionId is not null)
            {
                var cancel = new JsonObject();
                foreach (var flag in CancelFlags.Where(f => p[f] is not null))
                {
                    cancel[flag] = p[flag]!.DeepClone();
                }

                subscriptions.Cancel(subscriptionId, cancel, now);
            }

            webhooks.Send(id, [new StripeEvent("subscription_schedule.canceled", View(schedule, null))]);
            return StripeResponse.Ok(View(schedule, p));
        });
    }

    /// <summary>
    /// Releases the schedule: the subscription stays as it is, no longer managed (<c>schedule</c> null). With
    /// <c>preserve_cancel_date</c> an <c>end_behavior=cancel</c> schedule leaves its cancel on the subscription.
    /// </summary>
    public StripeResponse Release(string id, JsonObject p)
    {
        if (Refused(p, ReleaseParams) is { } refused)
        {
            return refused;
        }

        if (!StripeLists.TryBool(p, "preserve_cancel_date", out var preserve, out var badFlag))
        {
            return badFlag!;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } schedule)
            {
                return StripeErrors.NoSuch(Type, id, "schedule");
            }

            if (NotOpen(schedule, "released") is { } closed)
            {
                return closed;
            }

            var subscription = schedule.Str("subscription") is { } subscriptionId ? objects.Get(subscriptionId, "subscription") : null;
            var keepCancel = preserve == true && schedule.Str("end_behavior") == "cancel" && subscription is not null;
            if (keepCancel && Phases(schedule)[^1]["end_date"]!.GetValue<long>() != subscription!["current_period_end"]!.GetValue<long>())
            {
                return StripeErrors.InvalidParam(
                    "preserve_cancel_date=true is simulated only when the schedule ends at its subscription's current period end (kept as cancel_at_period_end).", "preserve_cancel_date");
            }

            var now = customers.NowFor(schedule.Str("customer"));
            webhooks.Send(id, Release(schedule, now));
            if (keepCancel)
            {
                subscriptions.Update(subscription!.Str("id")!, new JsonObject { ["cancel_at_period_end"] = "true" }, now);
            }

            return StripeResponse.Ok(View(schedule, p));
        });
    }

    private static StripeResponse? Refused(JsonObject p, IReadOnlySet<string> allowed) =>
        p.Select(kv => kv.Key).FirstOrDefault(UnsimulatedParams.Contains) is { } unsimulated
            ? StripeErrors.InvalidParam($"{unsimulated} is not simulated by the sandbox's subscription schedules.", unsimulated)
            : StripeLists.Unknown(p, allowed);

    private static StripeResponse? ReadEndBehavior(JsonObject p, out string behavior)
    {
        behavior = p.Str("end_behavior") ?? "release";
        return EndBehaviors.Contains(behavior) ? null
            : StripeErrors.InvalidParam($"Invalid end_behavior: must be one of {string.Join(", ", EndBehaviors)}", "end_behavior");
    }

    private static StripeResponse? NotOpen(JsonObject schedule, string action) =>
        Open.Contains(schedule.Str("status")) ? null
            : StripeErrors.InvalidParam(
                $"You cannot {(action == "updated" ? "update" : action == "canceled" ? "cancel" : "release")} a subscription schedule that is currently in the `{schedule.Str("status")}` status. It must be in either the `not_started` or `active` status to be {action}.",
                null);
}
