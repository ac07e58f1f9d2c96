using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>A Creem webhook to send: its <c>eventType</c> and the object it carries.</summary>
internal readonly record struct CreemEvent(string Type, JsonObject Object);

/// <summary>
/// Creem's subscription engine on the sandbox clock: the first transaction (or a trial charged at its end), renewal at
/// <c>current_period_end_date</c>, failed renewals retried 3, 5 and 7 days after the previous attempt then ended
/// (the end state), cancellation now or at the period end, pause and resume; upgrades are in CreemBilling.Changes.cs,
/// renewals, items and seats in CreemBilling.Items.cs, a redeemed discount in CreemBilling.Discounts.cs. Every
/// change is one unit of the store, so changes never interleave; events go to <paramref name="send"/> keyed by
/// subscription.
/// </summary>
internal sealed partial class CreemBilling(ProviderObjects objects, TimeProvider clock, Action<string, IReadOnlyList<CreemEvent>> send)
{
    /// <summary>Creem documents no retry schedule; the sandbox retries as a Stripe custom schedule of 3, 5 and 7 days would.</summary>
    public static readonly int[] RetryDelayDays = [3, 5, 7];

    /// <summary>Where a subscription ends when every retry failed.</summary>
    public static readonly string[] EndStates = ["canceled", "unpaid"];

    private static readonly string[] PeriodFields = ["_cycle", "current_period_start_date", "current_period_end_date", "next_transaction_date"];

    /// <summary>At most this many renewals per subscription per run; the scheduler comes straight back for the rest.</summary>
    private const int MaxStepsPerRun = 1000;

    /// <summary>
    /// A new active subscription from a paid checkout, with its first (already paid) transaction, or a trialing one
    /// when the product has <c>trial_period_days</c>, charged nothing (or its paid trial's price) until its trial ends; a <paramref name="discount"/>
    /// redeemed on the checkout keeps taking its share off for its duration, counted from the first charge.
    /// </summary>
    public JsonObject Start(JsonObject product, JsonObject customer, long units, JsonObject? metadata, string orderId, JsonObject? discount)
    {
        return objects.Atomically(() =>
        {
            var now = clock.GetUtcNow();
            var id = NewId("sub");
            var subscription = new JsonObject
            {
                ["id"] = id,
                ["mode"] = "test",
                ["object"] = "subscription",
                ["product"] = product.DeepClone(),
                ["customer"] = customer.DeepClone(),
                ["items"] = new JsonArray(new JsonObject
                {
                    ["id"] = NewId("sitem"),
                    ["mode"] = "test",
                    ["object"] = "subscription_item",
                    ["product_id"] = product.Str("id"),
                    ["units"] = units,
                }),
                ["collection_method"] = "charge_automatically",
                ["status"] = "active",
                ["canceled_at"] = null,
                ["metadata"] = metadata?.DeepClone() ?? new JsonObject(),
                ["created_at"] = Iso(now),
                ["updated_at"] = Iso(now),
                ["_anchor"] = Iso(now),
                ["_cycle"] = 0,
                ["_order"] = orderId,
                ["_failing"] = false,
                ["_end_state"] = "canceled",
                ["_pending_proration"] = 0L,
            };
            if (product["trial_period_days"]?.GetValue<long>() is { } trialDays)
            {
                // The trial is a period of its own, charged nothing; the paid periods run from its end (cycle 0).
                var trialEnd = now.AddDays(trialDays);
                subscription["status"] = "trialing";
                subscription["_anchor"] = Iso(trialEnd);
                subscription["_cycle"] = -1;
                subscription["current_period_start_date"] = Iso(now);
                subscription["current_period_end_date"] = Iso(trialEnd);
                subscription["next_transaction_date"] = Iso(trialEnd);
                if (discount is not null)
                {
                    Keep(subscription, discount, trialEnd);
                }

                // A paid trial's charge was taken by the checkout: it is the trial's transaction, not discounted.
                if (TrialCharge(product, units) is > 0 and var trialCharge)
                {
                    Charge(subscription, trialCharge, 0, now, "Trial start");
                }

                objects.Put(subscription);
                return subscription;
            }

            if (discount is not null)
            {
                Keep(subscription, discount, now);
            }

            SetPeriod(subscription, 0);
            var off = DiscountOn(subscription, Price(subscription));
            Charge(subscription, Price(subscription) - off, off, now, "Subscription creation");
            objects.Put(subscription);
            return subscription;
        });
    }

    /// <summary>
    /// What a checkout of <paramref name="units"/> of <paramref name="product"/> charges to start its trial:
    /// <c>trial_price</c> × units for a paid trial, 0 for a free one, null when the product has no trial.
    /// </summary>
    public static long? TrialCharge(JsonObject product, long units) =>
        product.Str("billing_type") != "recurring" || product["trial_period_days"] is null
            ? null
            : (product["trial_price"]?.GetValue<long>() ?? 0) * units;

    /// <summary>When the next renewal, retry or scheduled end falls due; null when nothing is scheduled.</summary>
    public DateTimeOffset? NextDueAt() =>
        objects.List("subscription").Select(DueAt).Min();

    public void RunDue()
    {
        objects.InTransaction(() =>
        {
            var now = clock.GetUtcNow();
            foreach (var subscription in objects.List("subscription"))
            {
                var events = new List<CreemEvent>();
                var steps = 0;
                for (; steps < MaxStepsPerRun && DueAt(subscription) is { } due && due <= now; steps++)
                {
                    Step(subscription, due, events);
                }

                // A retry that fails again changes the subscription without an event.
                if (steps > 0)
                {
                    objects.Put(subscription);
                    send(subscription.Str("id")!, events);
                }
            }
        });
    }

    /// <summary>
    /// Makes the subscription's next renewal, retry or scheduled end happen now, as if its time had come, without
    /// moving the sandbox clock (which other payments share); null when there is no such subscription.
    /// </summary>
    public (JsonObject? Subscription, string? Refusal) RunNext(string id)
    {
        return objects.Atomically<(JsonObject?, string?)>(() =>
        {
            if (objects.Get(id, "subscription") is not { } subscription)
            {
                return (null, null);
            }

            if (DueAt(subscription) is not { } due)
            {
                return (subscription, $"the subscription is {subscription.Str("status")}: nothing of it falls due");
            }

            var events = new List<CreemEvent>();
            Step(subscription, due, events);
            objects.Put(subscription);
            send(id, events);
            return (subscription, null);
        });
    }

    /// <summary>
    /// Cancels now (status <c>canceled</c>) or at the period end (<c>scheduled_cancel</c>; <paramref name="onExecute"/>
    /// <c>pause</c> pauses instead); a trial canceled either way ends without a charge.
    /// </summary>
    public (JsonObject? Subscription, string? Refusal) Cancel(string id, bool immediately, string onExecute) => Change(id, (subscription, now, events) =>
    {
        var status = subscription.Str("status");
        if (status == "canceled")
        {
            return "Subscription is already canceled";
        }

        if (immediately)
        {
            End(subscription, "canceled", now, events);
            return null;
        }

        if (status is not ("active" or "trialing"))
        {
            return $"Only an active or trialing subscription can be scheduled to cancel; this one is {status}";
        }

        subscription["status"] = "scheduled_cancel";
        subscription["_on_execute"] = onExecute;
        subscription["_resumes_as"] = status;
        events.Add(Snapshot("subscription.scheduled_cancel", subscription));
        return null;
    });

    public (JsonObject? Subscription, string? Refusal) Pause(string id) => Change(id, (subscription, _, events) =>
    {
        if (subscription.Str("status") != "active")
        {
            return $"Only an active subscription can be paused; this one is {subscription.Str("status")}";
        }

        subscription["status"] = "paused";
        events.Add(Snapshot("subscription.paused", subscription));
        return null;
    });

    /// <summary>Undoes a scheduled cancel, or resumes a paused subscription (a period that ended meanwhile renews at once).</summary>
    public (JsonObject? Subscription, string? Refusal) Resume(string id) => Change(id, (subscription, now, events) =>
    {
        if (subscription.Str("status") is not ("scheduled_cancel" or "paused"))
        {
            return $"Only a paused subscription or one scheduled to cancel can be resumed; this one is {subscription.Str("status")}";
        }

        if (subscription.Str("status") == "paused" && ParseIso(subscription.Str("current_period_end_date")!) <= now)
        {
            // Paused months are not billed: a new period starts now, its charge made by the next run as a renewal.
            subscription["_anchor"] = Iso(now);
            SetPeriod(subscription, -1);
        }

        // Undoing a scheduled cancel returns a trial to its trial; a paused subscription resumes active.
        subscription["status"] = subscription.Str("status") == "scheduled_cancel" ? subscription.Str("_resumes_as") ?? "active" : "active";
        subscription.Remove("_on_execute");
        subscription.Remove("_resumes_as");
        events.Add(Snapshot("subscription.update", subscription));
        return null;
    });

    /// <summary>Makes the subscription's charges decline (or succeed again) from the next one on; <paramref name="endState"/> applies once every retry failed.</summary>
    public JsonObject? SetFailing(string id, bool failing, string endState)
    {
        return objects.Atomically<JsonObject?>(() =>
        {
            if (objects.Get(id, "subscription") is not { } subscription)
            {
                return null;
            }

            subscription["_failing"] = failing;
            subscription["_end_state"] = endState;
            objects.Put(subscription);
            return subscription;
        });
    }

    /// <summary>Renewal, retry or scheduled end: what falls due at <see cref="DueAt"/>.</summary>
    private void Step(JsonObject subscription, DateTimeOffset due, List<CreemEvent> events)
    {
        switch (subscription.Str("status"))
        {
            case "scheduled_cancel":
                End(subscription, subscription.Str("_on_execute") == "pause" ? "paused" : "canceled", due, events);
                return;
            case "active" or "trialing" when !Renew(subscription, due):
                // A trial whose first charge declined has never been active: its recovery is its activation.
                subscription["_unpaid_trial"] = subscription.Str("status") == "trialing";
                subscription["status"] = "past_due";
                subscription["_attempts"] = 1;
                subscription["_retry_at"] = Iso(due.AddDays(RetryDelayDays[0]));
                subscription["next_transaction_date"] = subscription["_retry_at"]!.DeepClone();
                events.Add(Snapshot("subscription.past_due", subscription));
                return;
            case "active":
                events.Add(Snapshot("subscription.paid", subscription));
                return;
            case "trialing":
                // The trial's end is the first charge: the subscription becomes active as a paid checkout's does.
                subscription["status"] = "active";
                events.Add(Snapshot("subscription.active", subscription));
                events.Add(Snapshot("subscription.paid", subscription));
                return;
            case "past_due" when Renew(subscription, due):
                subscription["status"] = "active";
                subscription.Remove("_retry_at");
                subscription.Remove("_attempts");
                if (subscription["_unpaid_trial"]?.GetValue<bool>() == true)
                {
                    events.Add(Snapshot("subscription.active", subscription));
                }

                subscription.Remove("_unpaid_trial");
                events.Add(Snapshot("subscription.paid", subscription));
                return;
            case "past_due":
                var attempts = subscription["_attempts"]!.GetValue<int>();
                if (attempts > RetryDelayDays.Length - 1)
                {
                    // The period ended without a payment and no retry is left.
                    events.Add(Snapshot("subscription.expired", subscription));
                    End(subscription, subscription.Str("_end_state")!, due, events);
                    return;
                }

                subscription["_attempts"] = attempts + 1;
                subscription["_retry_at"] = Iso(due.AddDays(RetryDelayDays[attempts]));
                subscription["next_transaction_date"] = subscription["_retry_at"]!.DeepClone();
                return;
        }
    }

    private static void End(JsonObject subscription, string status, DateTimeOffset at, List<CreemEvent> events)
    {
        subscription["status"] = status;
        subscription["updated_at"] = Iso(at);
        subscription.Remove("_retry_at");
        subscription.Remove("next_transaction_date");
        if (status == "canceled")
        {
            subscription["canceled_at"] = Iso(at);
        }

        events.Add(Snapshot("subscription." + status, subscription));
    }

    /// <summary>Records a paid transaction of <paramref name="amount"/> (<paramref name="discountAmount"/> already taken off) on the subscription; false (and nothing recorded) when its card declines, which a charge of nothing never does.</summary>
    private bool Charge(JsonObject subscription, long amount, long discountAmount, DateTimeOffset at, string description)
    {
        if (amount > 0 && subscription["_failing"]!.GetValue<bool>())
        {
            return false;
        }

        var product = (JsonObject)subscription["product"]!;
        var transaction = new JsonObject
        {
            ["id"] = NewId("tran"),
            ["mode"] = "test",
            ["object"] = "transaction",
            ["amount"] = amount,
            ["amount_paid"] = amount,
            ["discount_amount"] = discountAmount,
            ["currency"] = product.Str("currency"),
            ["type"] = "invoice",
            ["tax_country"] = null,
            ["tax_amount"] = 0,
            ["status"] = "paid",
            ["refunded_amount"] = null,
            ["order"] = subscription.Str("_order"),
            ["subscription"] = subscription.Str("id"),
            ["customer"] = subscription["customer"].Str("id"),
            ["description"] = description,
            ["period_start"] = ParseIso(subscription.Str("current_period_start_date")!).ToUnixTimeMilliseconds(),
            ["period_end"] = ParseIso(subscription.Str("current_period_end_date")!).ToUnixTimeMilliseconds(),
            ["created_at"] = at.ToUnixTimeMilliseconds(),
        };
        objects.Put(transaction);
        subscription["last_transaction_id"] = transaction.Str("id");
        subscription["last_transaction"] = transaction.DeepClone();
        subscription["last_transaction_date"] = Iso(at);
        subscription["updated_at"] = Iso(at);
        return true;
    }

    private (JsonObject? Subscription, string? Refusal) Change(string id, Func<JsonObject, DateTimeOffset, List<CreemEvent>, string?> change)
    {
        return objects.Atomically<(JsonObject?, string?)>(() =>
        {
            if (objects.Get(id, "subscription") is not { } subscription)
            {
                return (null, null);
            }

            var events = new List<CreemEvent>();
            var now = clock.GetUtcNow();
            if (change(subscription, now, events) is { } refusal)
            {
                return (subscription, refusal);
            }

            subscription["updated_at"] = Iso(now);
            objects.Put(subscription);
            send(id, events);
            return (subscription, null);
        });
    }

    /// <summary>Period <paramref name="cycle"/> runs between the anchor moved on by whole billing periods, so a 31st stays a 31st where it can.</summary>
    private static void SetPeriod(JsonObject subscription, int cycle)
    {
        var anchor = ParseIso(subscription.Str("_anchor")!);
        var product = (JsonObject)subscription["product"]!;
        subscription["_cycle"] = cycle;
        subscription["current_period_start_date"] = Iso(After(anchor, product, cycle));
        subscription["current_period_end_date"] = Iso(After(anchor, product, cycle + 1));
        subscription["next_transaction_date"] = subscription["current_period_end_date"]!.DeepClone();
    }

    private static DateTimeOffset After(DateTimeOffset anchor, JsonObject product, int cycles) => product.Str("billing_period") switch
    {
        "custom" => Custom(anchor, product.Str("recurring_interval"), checked(product["recurring_interval_count"]!.GetValue<int>() * cycles)),
        "every-day" => anchor.AddDays(cycles),
        "every-three-months" => anchor.AddMonths(3 * cycles),
        "every-six-months" => anchor.AddMonths(6 * cycles),
        "every-year" => anchor.AddYears(cycles),
        _ => anchor.AddMonths(cycles),
    };

    /// <summary>A <c>custom</c> period: <c>recurring_interval_count</c> days, weeks, months or years.</summary>
    private static DateTimeOffset Custom(DateTimeOffset anchor, string? interval, int count) => interval switch
    {
        "day" => anchor.AddDays(count),
        "week" => anchor.AddDays(7 * count),
        "year" => anchor.AddYears(count),
        _ => anchor.AddMonths(count),
    };

    /// <summary>The event carries the subscription as it is now: later steps of the same run change it further.</summary>
    private static CreemEvent Snapshot(string type, JsonObject subscription) => new(type, (JsonObject)subscription.DeepClone());

    /// <summary>When the subscription's next renewal, retry or scheduled end falls due; null when none will.</summary>
    public static DateTimeOffset? DueAt(JsonObject subscription) => subscription.Str("status") switch
    {
        "active" or "trialing" or "scheduled_cancel" => ParseIso(subscription.Str("current_period_end_date")!),
        "past_due" => ParseIso(subscription.Str("_retry_at")!),
        _ => null,
    };
}
