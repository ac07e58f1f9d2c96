using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A schedule on its clock: the subscription created at the start date, each phase boundary applied to it as a
/// subscription update at that very time (before the renewal due then, which bills the new phase), the end as
/// <c>end_behavior</c> says, <c>subscription_schedule.expiring</c> seven days before it, and the end of a schedule
/// whose subscription was canceled under it.
/// </summary>
public sealed partial class StripeSubscriptionSchedules
{
    /// <summary>How long before its end a schedule sends <c>subscription_schedule.expiring</c>.</summary>
    public const long ExpiringNoticeSeconds = 7 * 86_400;

    private const int MaxStepsPerRun = 1000;

    /// <summary>The phase fields whose change applies to the subscription.</summary>
    private static readonly string[] BilledFields = ["items", "default_tax_rates", "discounts", "trial_end", "metadata", "description"];

    /// <summary>The next start, phase boundary or expiring notice of a schedule on the sandbox clock.</summary>
    public DateTimeOffset? NextDueAt() =>
        objects.List(Type).Where(s => s.Str("test_clock") is null && Open.Contains(s.Str("status"))).Select(DueAt).Where(d => d is not null).Min() is { } due
            ? DateTimeOffset.FromUnixTimeSeconds(Math.Min(due, StripeBilling.MaxUnix))
            : null;

    /// <summary>
    /// Runs what falls due up to <paramref name="now"/> for the schedules on one clock (null: the sandbox clock), in time
    /// order, <paramref name="runBilling"/> first running the subscriptions' own billing up to just before each boundary.
    /// </summary>
    public void RunDue(string? clockId, long now, Action<string?, long> runBilling)
    {
        objects.InTransaction(() =>
        {
            for (var step = 0; step < MaxStepsPerRun; step++)
            {
                EndUnderCanceled(clockId);
                var next = objects.List(Type)
                    .Where(s => s.Str("test_clock") == clockId && Open.Contains(s.Str("status")))
                    .Select(s => (Schedule: s, At: DueAt(s)))
                    .Where(d => d.At is { } at && at <= now)
                    .OrderBy(d => d.At)
                    .FirstOrDefault();
                if (next.Schedule is null)
                {
                    return;
                }

                runBilling(clockId, next.At!.Value - 1);
                Step(objects.Get(next.Schedule.Str("id")!, Type)!, next.At.Value);
            }
        });
    }

    /// <summary>
    /// <see cref="StripeSubscriptions.ScheduleEnds"/>: a managed subscription canceled directly cancels its schedule
    /// (<c>subscription_schedule.canceled</c>); one canceled for failed payments aborts it (<c>subscription_schedule.aborted</c>).
    /// </summary>
    public IReadOnlyList<StripeEvent> SubscriptionEnded(JsonObject subscription, long at)
    {
        if (subscription.Str("schedule") is not { } id || objects.Get(id, Type) is not { } schedule || schedule.Str("status") != "active")
        {
            return [];
        }

        Close(schedule, "canceled", "canceled_at", at);
        var aborted = subscription["cancellation_details"]?.Str("reason") == "payment_failed";
        return [new StripeEvent(aborted ? "subscription_schedule.aborted" : "subscription_schedule.canceled", View(schedule, null))];
    }

    /// <summary>Active schedules whose subscription billing ended (a scheduled cancel, failed payments) end with it.</summary>
    private void EndUnderCanceled(string? clockId)
    {
        foreach (var schedule in objects.List(Type).Where(s => s.Str("test_clock") == clockId && s.Str("status") == "active"))
        {
            if (objects.Get(schedule.Str("subscription")!, "subscription") is { } subscription && subscription.Str("status") is "canceled" or "incomplete_expired")
            {
                webhooks.Send(schedule.Str("id")!, SubscriptionEnded(subscription, subscription["ended_at"]?.GetValue<long>() ?? subscription["canceled_at"]!.GetValue<long>()));
            }
        }
    }

    private static long? DueAt(JsonObject schedule)
    {
        var phases = Phases(schedule);
        if (schedule.Str("status") == "not_started")
        {
            return phases[0]["start_date"]!.GetValue<long>();
        }

        var boundary = phases[schedule["_phase"]!.GetValue<int>()]["end_date"]!.GetValue<long>();
        var end = phases[^1]["end_date"]!.GetValue<long>();
        return schedule["_expiring_sent"] is null ? Math.Min(boundary, Math.Max(end - ExpiringNoticeSeconds, schedule["created"]!.GetValue<long>())) : boundary;
    }

    /// <summary>Does the schedule's next due thing at <paramref name="at"/>: its start, its expiring notice, a phase boundary or its end.</summary>
    private void Step(JsonObject schedule, long at)
    {
        var id = schedule.Str("id")!;
        if (schedule.Str("status") == "not_started")
        {
            // A start that the subscription refuses (a price archived since) leaves the schedule canceled rather than due forever.
            if (Begin(schedule, at) is not null)
            {
                Close(schedule, "canceled", "canceled_at", at);
                webhooks.Send(id, [new StripeEvent("subscription_schedule.canceled", View(schedule, null))]);
                return;
            }

            objects.Put(schedule);
            webhooks.Send(id, [new StripeEvent("subscription_schedule.updated", View(schedule, null), new JsonObject { ["status"] = "not_started", ["subscription"] = null, ["current_phase"] = null })]);
            return;
        }

        var phases = Phases(schedule);
        var index = schedule["_phase"]!.GetValue<int>();
        if (schedule["_expiring_sent"] is null && at < phases[index]["end_date"]!.GetValue<long>())
        {
            schedule["_expiring_sent"] = true;
            objects.Put(schedule);
            webhooks.Send(id, [new StripeEvent("subscription_schedule.expiring", View(schedule, null))]);
            return;
        }

        if (index == phases.Count - 1)
        {
            End(schedule, at);
            return;
        }

        var previous = new JsonObject { ["current_phase"] = schedule["current_phase"]!.DeepClone() };
        schedule["_phase"] = index + 1;
        schedule["current_phase"] = CurrentPhase(phases[index + 1]);
        Apply(schedule, phases[index], phases[index + 1], at, null, starts: true);
        objects.Put(schedule);
        webhooks.Send(id, [new StripeEvent("subscription_schedule.updated", View(schedule, null), previous)]);
    }

    /// <summary>The last phase ended: <c>release</c> leaves the subscription running, <c>cancel</c> cancels it and completes the schedule.</summary>
    private void End(JsonObject schedule, long at)
    {
        var id = schedule.Str("id")!;
        if (schedule.Str("end_behavior") == "release")
        {
            webhooks.Send(id, Release(schedule, at));
            return;
        }

        var subscriptionId = schedule.Str("subscription")!;
        Close(schedule, "completed", "completed_at", at);
        subscriptions.Cancel(subscriptionId, new JsonObject(), at);
        webhooks.Send(id, [new StripeEvent("subscription_schedule.completed", View(schedule, null))]);
    }

    /// <summary>Releases the schedule at <paramref name="at"/>: the subscription is no longer managed; answers the events.</summary>
    private List<StripeEvent> Release(JsonObject schedule, long at)
    {
        var subscriptionId = schedule.Str("subscription");
        schedule["released_subscription"] = subscriptionId;
        Close(schedule, "released", "released_at", at);
        var events = new List<StripeEvent> { new("subscription_schedule.released", View(schedule, null)) };
        if (subscriptionId is not null && objects.Get(subscriptionId, "subscription") is { } subscription)
        {
            subscription["schedule"] = null;
            objects.Put(subscription);
            events.Add(new StripeEvent("customer.subscription.updated", StripeLists.Public(subscription), new JsonObject { ["schedule"] = schedule.Str("id") }));
        }

        return events;
    }

    /// <summary>Ends the schedule's management: <paramref name="status"/> from <paramref name="at"/>, no current phase, no subscription.</summary>
    private void Close(JsonObject schedule, string status, string timeField, long at)
    {
        schedule["status"] = status;
        schedule[timeField] = at;
        schedule["current_phase"] = null;
        schedule["subscription"] = null;
        schedule.Remove("_phase");
        objects.Put(schedule);
    }

    /// <summary>Creates the subscription of the first phase at <paramref name="at"/>, managed by the schedule; a refusal names the phase's parameter.</summary>
    private StripeResponse? Begin(JsonObject schedule, long at)
    {
        var phase = Phases(schedule)[0];
        var p = new JsonObject { ["customer"] = schedule.Str("customer"), ["items"] = ItemParamsOf(phase, null) };
        AddSettings(p, null, phase, at);
        AddInvoiceItemParamsOf(phase, p);
        var created = subscriptions.Create(p, at, schedule.Str("id"));
        if (created.Status != 200)
        {
            return Nested(created, "phases[0]");
        }

        var subscriptionId = created.Body.Str("id")!;
        schedule["status"] = "active";
        schedule["subscription"] = subscriptionId;
        schedule["current_phase"] = CurrentPhase(phase);
        schedule["_phase"] = 0;
        Describe(subscriptionId, phase);
        return null;
    }

    /// <summary>
    /// Moves the subscription from phase <paramref name="from"/> to <paramref name="to"/> at <paramref name="at"/> as a
    /// subscription update: items matched by price, the phase's proration (nothing to prorate at a period end), its
    /// anchor, trial, taxes, discounts and metadata. A change the subscription refuses (a paused one) leaves it as it is.
    /// </summary>
    private StripeResponse? Apply(JsonObject schedule, JsonObject from, JsonObject to, long at, string? proration, bool starts = false)
    {
        var subscriptionId = schedule.Str("subscription")!;
        if (objects.Get(subscriptionId, "subscription") is not { } subscription)
        {
            return null;
        }

        var atPeriodEnd = subscription["current_period_end"]!.GetValue<long>() == at;
        var p = new JsonObject
        {
            ["items"] = ItemParamsOf(to, subscription),
            ["proration_behavior"] = atPeriodEnd ? "none" : proration ?? to.Str("proration_behavior"),
        };
        if (to.Str("billing_cycle_anchor") == "phase_start" && to["trial_end"] is null && subscription.Str("status") != "trialing" && !atPeriodEnd)
        {
            p["billing_cycle_anchor"] = "now";
        }

        AddSettings(p, from, to, at);
        if (starts)
        {
            AddInvoiceItemParamsOf(to, p);
        }

        if (p.Str("trial_end") is { } trialEnd && subscription["trial_end"]?.ToString() == trialEnd)
        {
            p.Remove("trial_end");
        }

        var updated = subscriptions.Update(subscriptionId, p, at);
        if (updated.Status == 200)
        {
            Describe(subscriptionId, to);
        }

        return updated.Status == 200 ? null : Nested(updated, "phases[0]");
    }

    /// <summary>Whether the current phase's replacement changes what the subscription bills now.</summary>
    private static bool ChangesOf(JsonObject before, JsonObject after) =>
        BilledFields.Any(f => !JsonNode.DeepEquals(before[f], after[f]));

    /// <summary>The phase's items as subscription <c>items[n]</c>: a price the subscription has keeps its item, others are added, the rest deleted.</summary>
    private static JsonArray ItemParamsOf(JsonObject phase, JsonObject? subscription)
    {
        var current = subscription is null ? [] : ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>().ToList();
        var items = new JsonArray();
        foreach (var item in ((JsonArray)phase["items"]!).OfType<JsonObject>())
        {
            var entry = new JsonObject();
            if (current.FirstOrDefault(i => i["price"].Str("id") == item.Str("price")) is { } kept)
            {
                entry["id"] = kept.Str("id");
                current.Remove(kept);
            }
            else
            {
                entry["price"] = item.Str("price");
            }

            if (item["quantity"] is JsonValue quantity)
            {
                entry["quantity"] = quantity.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            entry["tax_rates"] = ((JsonArray)item["tax_rates"]!).Count > 0 ? item["tax_rates"]!.DeepClone() : "";
            items.Add(entry);
        }

        foreach (var gone in current)
        {
            items.Add(new JsonObject { ["id"] = gone.Str("id"), ["deleted"] = "true" });
        }

        return items;
    }

    /// <summary>The phase's trial, taxes, discounts and metadata as subscription parameters (what changed since <paramref name="from"/>, on an update).</summary>
    private static void AddSettings(JsonObject p, JsonObject? from, JsonObject to, long at)
    {
        if (to["trial_end"] is JsonValue trialEnd && trialEnd.GetValue<long>() > at)
        {
            p["trial_end"] = trialEnd.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var field in new[] { "default_tax_rates", "discounts" })
        {
            var given = (JsonArray)to[field]!;
            if (from is null ? given.Count > 0 : !JsonNode.DeepEquals(from[field], given))
            {
                p[field] = given.Count > 0 ? field == "discounts" ? DiscountParams(given) : given.DeepClone() : "";
            }
        }

        if (((JsonObject)to["metadata"]!).Count > 0)
        {
            p["metadata"] = to["metadata"]!.DeepClone();
        }
    }

    private static JsonArray DiscountParams(JsonArray discounts) => new([.. discounts.OfType<JsonObject>().Select(d =>
        (JsonNode)(d.Str("coupon") is { } coupon ? new JsonObject { ["coupon"] = coupon } : new JsonObject { ["promotion_code"] = d.Str("promotion_code") }))]);

    /// <summary>The phase's description, shown on the subscription it applies to.</summary>
    private void Describe(string subscriptionId, JsonObject phase)
    {
        if (objects.Get(subscriptionId, "subscription") is { } subscription)
        {
            subscription["description"] = phase.Str("description");
            objects.Put(subscription);
        }
    }

    /// <summary>A <c>from_subscription</c> schedule's one phase: the subscription as it is, over its current period.</summary>
    private static JsonObject PhaseOf(JsonObject subscription)
    {
        var items = ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>().Select(i => (JsonNode)new JsonObject
        {
            ["billing_thresholds"] = null,
            ["discounts"] = new JsonArray(),
            ["metadata"] = i["metadata"]?.DeepClone() ?? new JsonObject(),
            ["plan"] = i["price"].Str("id"),
            ["price"] = i["price"].Str("id"),
            ["quantity"] = StripePrices.Metered((JsonObject)i["price"]!) ? null : i["quantity"]!.DeepClone(),
            ["tax_rates"] = new JsonArray([.. (i["tax_rates"] as JsonArray ?? []).Select(r => (JsonNode)r.Str("id")!)]),
        });
        var trialing = subscription.Str("status") == "trialing";
        return new JsonObject
        {
            ["add_invoice_items"] = new JsonArray(),
            ["application_fee_percent"] = null,
            ["billing_cycle_anchor"] = null,
            ["billing_thresholds"] = null,
            ["collection_method"] = "charge_automatically",
            ["currency"] = subscription.Str("currency"),
            ["default_payment_method"] = subscription.Str("default_payment_method"),
            ["default_tax_rates"] = new JsonArray([.. (subscription["default_tax_rates"] as JsonArray ?? []).Select(r => (JsonNode)r.Str("id")!)]),
            ["description"] = subscription.Str("description"),
            ["discounts"] = new JsonArray(),
            ["end_date"] = subscription["current_period_end"]!.DeepClone(),
            ["invoice_settings"] = null,
            ["items"] = new JsonArray([.. items]),
            ["metadata"] = new JsonObject(),
            ["on_behalf_of"] = null,
            ["proration_behavior"] = "create_prorations",
            ["start_date"] = subscription["current_period_start"]!.DeepClone(),
            ["transfer_data"] = null,
            ["trial_end"] = trialing ? subscription["trial_end"]!.DeepClone() : null,
        };
    }
}
