using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The billing engine behind subscriptions: the first invoice, renewal at <c>current_period_end</c> (on the
/// sandbox clock, or on the customer's test clock when it is advanced), each with an invoice and a charge;
/// failed charges retried on a custom retry schedule of 3, 5 and 7 days after the previous attempt, then the
/// subscription's end state; scheduled cancellation at the period end; and trials (<see cref="StripeTrials"/>): a
/// trialing first period with a paid invoice of what is due now, <c>customer.subscription.trial_will_end</c> three
/// days before its end, and the first charge at <c>trial_end</c>.
/// </summary>
public sealed partial class StripeBilling(ProviderObjects objects, StripeCustomers customers, StripeWebhooks webhooks, StripePaymentIntents intents)
{
    /// <summary>
    /// Days between attempts after a failed renewal: Stripe's custom retry schedule (Billing › Revenue recovery ›
    /// Retries, https://docs.stripe.com/billing/revenue-recovery/smart-retries#custom-retry-schedule) configured as
    /// three retries, 3, 5 and 7 days after the previous attempt: attempts on days 0, 3, 8 and 15.
    /// </summary>
    public static readonly long[] RetryDelayDays = [3, 5, 7];

    /// <summary>What happens when every retry failed, as Stripe's "if all retries for a payment fail" setting.</summary>
    public static readonly string[] EndStates = ["canceled", "unpaid", "past_due"];

    /// <summary>At most this many renewals per subscription per run; the scheduler comes straight back for the rest.</summary>
    private const int MaxStepsPerRun = 1000;

    /// <summary>9999-12-31T23:59:59Z, the last second DateTimeOffset holds.</summary>
    public const long MaxUnix = 253_402_300_799;

    /// <summary>Whether the subscription still bills: trials end, periods renew and retries run only for these.</summary>
    public static bool Bills(JsonObject subscription) => subscription.Str("status") is "trialing" or "active" or "past_due";

    /// <summary>Whether two prices' <c>recurring</c> bill the same period: the same interval and <c>interval_count</c>.</summary>
    public static bool SameInterval(JsonNode? recurring, JsonNode? other) =>
        recurring.Str("interval") == other.Str("interval") && IntervalCount(recurring) == IntervalCount(other);

    /// <summary>
    /// The end of the period of a price's <paramref name="recurring"/> that starts at <paramref name="start"/> on the cycle
    /// anchored at <paramref name="anchor"/>, on the calendar (<see cref="StripePeriods"/>).
    /// </summary>
    public static long PeriodEndOf(JsonNode? recurring, long anchor, long start) =>
        StripePeriods.End(anchor, start, recurring.Str("interval"), IntervalCount(recurring));

    private static long IntervalCount(JsonNode? recurring) => recurring?["interval_count"]?.GetValue<long>() ?? 1;

    /// <summary>
    /// Creates an active subscription and its paid first invoice (<paramref name="firstAmount"/>, which may include
    /// one-time items of a checkout), or, with a <paramref name="trial"/> (<see cref="StripeTrials.ReadCheckout"/>), a
    /// trialing one whose first period is the trial and whose first invoice bills only <paramref name="firstAmount"/>
    /// (the one-time items; 0, and paid without a charge, when there are none). The caller stores nothing more and
    /// sends the events it needs. An <paramref name="incomplete"/> one (<see cref="IncompleteSeconds"/>) waits for its first
    /// invoice, open and not attempted. With a future <paramref name="anchor"/> the first period ends at it and its invoice's
    /// lines are prorations; with nothing due for it (<c>proration_behavior=none</c>) there is no first invoice, as at Stripe.
    /// It starts <paramref name="at"/>, the time the caller figured <paramref name="firstAmount"/> at (so a prorated
    /// charge and its lines agree to the cent), or the customer's now. <paramref name="taxes"/> are its
    /// <c>default_tax_rates</c> and its items' <c>tax_rates</c>; the first invoice is taxed after its discounts.
    /// </summary>
    public (JsonObject Subscription, JsonObject? Invoice) Start(
        string customerId, IReadOnlyList<(JsonObject Price, long Quantity)> items, long firstAmount, JsonObject metadata, bool cancelAtPeriodEnd,
        JsonObject? trial = null, string? defaultPaymentMethod = null, bool incomplete = false, IReadOnlyList<JsonObject>? discounts = null, StripeAnchor? anchor = null,
        long? at = null, SubscriptionTaxRates? taxes = null, string? schedule = null, IReadOnlyList<JsonObject>? added = null)
    {
        return objects.Atomically(() =>
        {
            var now = at ?? customers.NowFor(customerId);
            var clock = customers.TestClockOf(customerId)?.Str("id");
            var recurring = items.Select((i, n) => (i.Price, i.Quantity, Rates: taxes?.PerItem[n] ?? [])).Where(i => i.Price["recurring"] is JsonObject).ToList();
            long? trialEnd = trial is null ? null : StripeTrials.EndOf(trial, now);
            var (start, end) = trialEnd is { } until ? (now, until) : StripeAnchors.FirstPeriod(anchor, recurring[0].Price["recurring"], now);
            var id = StripeJson.NewId("sub");
            var subscription = new JsonObject
            {
                ["id"] = id,
                ["object"] = "subscription",
                // Stripe anchors the billing cycle at the end of a trial, unless an anchor after it is given.
                ["billing_cycle_anchor"] = anchor?.At ?? trialEnd ?? now,
                ["billing_cycle_anchor_config"] = anchor?.Config?.DeepClone(),
                ["cancel_at"] = cancelAtPeriodEnd ? end : null,
                ["cancel_at_period_end"] = cancelAtPeriodEnd,
                ["canceled_at"] = cancelAtPeriodEnd ? now : null,
                ["cancellation_details"] = new JsonObject { ["comment"] = null, ["feedback"] = null, ["reason"] = cancelAtPeriodEnd ? "cancellation_requested" : null },
                ["collection_method"] = "charge_automatically",
                ["created"] = now,
                ["currency"] = recurring[0].Price.Str("currency"),
                ["current_period_end"] = end,
                ["current_period_start"] = start,
                ["customer"] = customerId,
                ["default_payment_method"] = defaultPaymentMethod,
                ["default_tax_rates"] = StripeInvoicing.Shown(taxes?.Defaults ?? []),
                ["ended_at"] = null,
                ["items"] = StripeJson.List($"/v1/subscription_items?subscription={id}", recurring.Select(i => (JsonNode)NewItem(id, i.Price, i.Quantity, [], now, start, end, i.Rates)), false),
                ["latest_invoice"] = null,
                ["livemode"] = false,
                ["metadata"] = metadata.DeepClone(),
                ["pause_collection"] = null,
                ["pending_update"] = null,
                ["schedule"] = schedule,
                ["start_date"] = now,
                ["status"] = incomplete ? "incomplete" : trialEnd is null ? "active" : "trialing",
                ["test_clock"] = clock,
                ["trial_end"] = trialEnd,
                ["trial_settings"] = StripeTrials.Settings(trial?.Str("missing_payment_method") ?? StripeTrials.DefaultMissingPaymentMethod),
                ["trial_start"] = trialEnd is null ? null : now,
                ["_failing"] = false,
                ["_end_state"] = "canceled",
            };
            if (trialEnd is not null && !StripeTrials.NoticeAtOnce(subscription))
            {
                subscription["_trial_will_end_at"] = end - StripeTrials.NoticeSeconds;
            }

            StripeAnchors.Remember(subscription, anchor);
            subscription["discounts"] = StripeDiscounts.Attach(objects, discounts ?? [], subscription, now);
            if (anchor is { Prorate: false } && anchor.At > now && firstAmount == 0 && added is not { Count: > 0 })
            {
                objects.Put(subscription);
                return (subscription, (JsonObject?)null);
            }

            var invoice = StripeInvoicing.NewInvoice(objects, subscription, now, end, "subscription_create", firstAmount, trial: trialEnd is not null);
            if (anchor is not null && trialEnd is null)
            {
                StripeAnchors.ProrateLines(objects, invoice, subscription, anchor, now);
            }

            StripeInvoicing.ApplyDiscounts(objects, invoice, subscription);
            if (added is { Count: > 0 })
            {
                // add_invoice_items: the create's one-off charges, the subscription's own invoice items, on its first invoice.
                foreach (var item in added)
                {
                    StripeInvoiceItems.Attach(item, subscription);
                }

                StripeInvoicing.SweepAdded(objects, invoice, subscription, added);
            }
            else
            {
                StripeInvoicing.TaxSubscriptionInvoice(objects, invoice, subscription, []);
            }

            if (incomplete)
            {
                subscription["_incomplete_expires_at"] = now + IncompleteSeconds;
            }
            else if (firstAmount > 0 || added is { Count: > 0 } || (trialEnd is null && anchor is null && !recurring.All(i => StripePrices.Metered(i.Price))))
            {
                StripeInvoicing.Attempt(objects, invoice, subscription, now);
            }
            else
            {
                StripeInvoicing.PaidWithoutCharge(invoice, now);
            }

            subscription["latest_invoice"] = invoice.Str("id");
            objects.Put(invoice);
            objects.Put(subscription);
            return (subscription, (JsonObject?)invoice);
        });
    }

    /// <summary>Sandbox-clock subscriptions: the next renewal or retry, for the scheduler's sleep.</summary>
    public DateTimeOffset? NextDueAt()
    {
        var due = objects.List("subscription")
            .Where(s => s.Str("test_clock") is null && (Bills(s) || Expires(s)))
            .Select(DueAt)
            .DefaultIfEmpty(long.MaxValue)
            .Min();
        // Beyond what DateTimeOffset holds (a yearly plan started in 9999) is never due.
        return due == long.MaxValue ? null : due >= MaxUnix ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds(due);
    }

    /// <summary>Runs everything due up to <paramref name="now"/> for the subscriptions on one clock (null: the sandbox clock).</summary>
    public void RunDue(string? clockId, long now)
    {
        objects.InTransaction(() =>
        {
            foreach (var id in objects.List("subscription").Where(s => s.Str("test_clock") == clockId && (Bills(s) || Expires(s))).Select(s => s.Str("id")!))
            {
                for (var step = 0; step < MaxStepsPerRun && Step(id, now); step++)
                {
                }
            }
        });
    }

    /// <summary>
    /// How far one advance of a test clock may go from <paramref name="frozen"/>: two billing intervals of its live
    /// subscriptions' shortest, on the calendar from <paramref name="frozen"/> (null when none bills).
    /// </summary>
    public long? AdvanceLimit(string clockId, long frozen) =>
        objects.List("subscription")
            .Where(s => s.Str("test_clock") == clockId && Bills(s))
            .Select(s => Recurring(s))
            .Select(r => (long?)StripePeriods.End(frozen, frozen, r.Str("interval"), 2 * IntervalCount(r)))
            .Min();

    /// <summary>Sets whether the subscription's charges decline, and its state once the retries are exhausted.</summary>
    public JsonObject? SetFailing(string id, bool failing, string endState)
    {
        return objects.Atomically(() =>
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

    /// <summary>
    /// <c>trial_end=now</c> on an update: <c>trial_will_end</c> if it has not gone out yet, then the trial ends at
    /// <paramref name="at"/> as at its end, but with a <c>subscription_update</c> invoice. The caller holds the unit.
    /// </summary>
    public void EndTrialNow(JsonObject subscription, long at)
    {
        if (subscription["_trial_will_end_at"] is not null)
        {
            TrialWillEnd(subscription);
        }

        PeriodEnd(subscription, at, "subscription_update");
    }

    /// <summary>The end of the subscription's billing period that starts at <paramref name="start"/>, on its billing cycle anchor.</summary>
    private static long CycleEnd(JsonObject subscription, long start) =>
        PeriodEndOf(Recurring(subscription), StripeAnchors.CycleAnchor(subscription), start);

    private static JsonNode? Recurring(JsonObject subscription) => subscription["items"]!["data"]![0]!["price"]!["recurring"];

    private long DueAt(JsonObject subscription)
    {
        if (Expires(subscription))
        {
            return subscription["_incomplete_expires_at"]!.GetValue<long>();
        }

        var due = subscription["current_period_end"]!.GetValue<long>();
        if (subscription["_trial_will_end_at"] is JsonValue notice)
        {
            due = Math.Min(due, notice.GetValue<long>());
        }

        if (subscription.Str("_retry_invoice") is { } invoiceId && objects.Get(invoiceId, "invoice")?["next_payment_attempt"] is JsonValue next)
        {
            due = Math.Min(due, next.GetValue<long>());
        }

        if (subscription["_pending"]?["expires_at"] is JsonValue pendingExpires)
        {
            due = Math.Min(due, pendingExpires.GetValue<long>());
        }

        return ResumesAt(subscription) is { } resumesAt ? Math.Min(due, resumesAt) : due;
    }

    /// <summary>Does the next due thing (a trial's notice, a retry or a period end) when it is due; false when nothing is.</summary>
    private bool Step(string id, long now)
    {
        var subscription = objects.Get(id, "subscription")!;
        if (Expires(subscription))
        {
            return ExpireWhenDue(subscription, now);
        }

        if (!Bills(subscription))
        {
            return false;
        }

        // A pending update expires, and a paused collection resumes, at the latest when the period or the trial ends, so before that end is billed.
        if (ExpirePendingWhenDue(subscription, now) || ResumeCollectionWhenDue(subscription, now))
        {
            return true;
        }

        // The notice is due at the latest when the trial ends, so it always goes out before the first charge.
        if (subscription["_trial_will_end_at"] is JsonValue notice && notice.GetValue<long>() <= now)
        {
            TrialWillEnd(subscription);
            return true;
        }

        var periodEnd = subscription["current_period_end"]!.GetValue<long>();
        var retryInvoice = subscription.Str("_retry_invoice") is { } invoiceId ? objects.Get(invoiceId, "invoice") : null;
        if (retryInvoice?["next_payment_attempt"] is JsonValue next && next.GetValue<long>() is var retryAt && retryAt <= periodEnd && retryAt <= now)
        {
            Retry(subscription, retryInvoice, retryAt);
            return true;
        }

        if (periodEnd <= now)
        {
            PeriodEnd(subscription, periodEnd, "subscription_cycle");
            return true;
        }

        return false;
    }

    private void TrialWillEnd(JsonObject subscription)
    {
        subscription.Remove("_trial_will_end_at");
        objects.Put(subscription);
        webhooks.Send(subscription.Str("id")!, [new StripeEvent("customer.subscription.trial_will_end", StripeLists.Public(subscription))]);
    }

    /// <summary>
    /// The period (or the trial) ends at <paramref name="at"/>: a scheduled cancel ends the subscription; otherwise the
    /// next period starts with an invoice for it and a charge, and a trial becomes active, or past_due if declined.
    /// </summary>
    private void PeriodEnd(JsonObject subscription, long at, string billingReason)
    {
        var id = subscription.Str("id")!;
        var cancelNow = subscription["cancel_at_period_end"]!.GetValue<bool>() && at == subscription["current_period_end"]!.GetValue<long>();
        if (cancelNow)
        {
            var finalEvents = BillFinalUsage(subscription, at);
            subscription["status"] = "canceled";
            subscription["ended_at"] = at;
            subscription["canceled_at"] ??= at;
            subscription.Remove("_retry_invoice");
            objects.Put(subscription);
            webhooks.Send(id, [.. finalEvents, new StripeEvent("customer.subscription.deleted", StripeLists.Public(subscription))]);
            return;
        }

        if (EndedForMissingCard(subscription, at))
        {
            return;
        }

        var previous = new JsonObject
        {
            ["current_period_end"] = subscription["current_period_end"]!.DeepClone(),
            ["current_period_start"] = subscription["current_period_start"]!.DeepClone(),
            ["latest_invoice"] = subscription["latest_invoice"]?.DeepClone(),
        };
        var status = subscription.Str("status")!;
        // A trial ended early (trial_end=now) moves its end, the billing cycle anchor and a scheduled cancel with it.
        var trialEndedEarly = status == "trialing" && subscription["trial_end"]!.GetValue<long>() != at;
        if (trialEndedEarly)
        {
            previous["trial_end"] = subscription["trial_end"]!.DeepClone();
            previous["billing_cycle_anchor"] = subscription["billing_cycle_anchor"]!.DeepClone();
            subscription["trial_end"] = at;
            subscription["billing_cycle_anchor"] = at;
        }

        var end = CycleEnd(subscription, at);
        if (trialEndedEarly && subscription["cancel_at_period_end"]!.GetValue<bool>())
        {
            previous["cancel_at"] = subscription["cancel_at"]!.DeepClone();
            subscription["cancel_at"] = end;
        }

        StartPeriod(subscription, at, end);
        var invoice = PeriodInvoice(subscription, at, end, billingReason, status == "trialing");
        if (status != "trialing")
        {
            BillUsage(subscription, invoice, previous["current_period_start"]!.GetValue<long>(), at);
        }

        StripeInvoicing.ApplyDiscounts(objects, invoice, subscription);
        subscription["latest_invoice"] = invoice.Str("id");
        var invoiceEvents = Collect(subscription, invoice, at, previous);
        webhooks.Send(id, [new StripeEvent("customer.subscription.updated", StripeLists.Public(subscription), previous), .. invoiceEvents]);
    }

    /// <summary>Starts a period from <paramref name="at"/> to <paramref name="end"/>, on the subscription and its items.</summary>
    private static void StartPeriod(JsonObject subscription, long at, long end)
    {
        subscription["current_period_start"] = at;
        subscription["current_period_end"] = end;
        foreach (var item in ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>())
        {
            item["current_period_start"] = at;
            item["current_period_end"] = end;
        }
    }

    /// <summary>What the subscription's items cost a period: each licensed item's price for its quantity.</summary>
    private static long ItemsAmount(JsonObject subscription) => ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>()
        .Sum(i => StripeTiers.Advance(i["price"]!, i["quantity"]!.GetValue<long>()));

    /// <summary>
    /// Finalizes and collects a subscription invoice made at <paramref name="at"/>: the pending invoice items swept in,
    /// the customer's balance applied, then what is due charged (nothing due: paid without a charge). Paid, a trial
    /// becomes <c>active</c>; declined, the invoice waits for the retry schedule and the subscription is <c>past_due</c>.
    /// With <paramref name="confirmLater"/> (<c>default_incomplete</c> on an update) no charge is made: the invoice's
    /// PaymentIntent waits for the merchant to confirm it, and the subscription is past_due meanwhile. While collection
    /// is paused nothing is charged: the invoice is held (<see cref="HoldWhilePaused"/>). Stores both, notes a status
    /// change in <paramref name="previous"/> and answers the invoice's events, after <c>invoice.created</c> and
    /// <c>invoice.finalized</c> when <paramref name="announce"/>.
    /// </summary>
    private List<StripeEvent> Collect(JsonObject subscription, JsonObject invoice, long at, JsonObject previous, bool announce = false, bool confirmLater = false)
    {
        if (HoldWhilePaused(subscription, invoice, at, previous) is { } held)
        {
            return held;
        }

        StripeInvoicing.Sweep(objects, invoice, subscription);
        StripeInvoicing.ApplyBalance(objects, invoice, at);
        var events = new List<StripeEvent>();
        if (announce)
        {
            var finalized = StripeLists.Public(invoice);
            events.AddRange([new StripeEvent("invoice.created", finalized), new StripeEvent("invoice.finalized", finalized)]);
        }

        var paid = true;
        var awaiting = false;
        if (invoice["amount_due"]!.GetValue<long>() == 0)
        {
            StripeInvoicing.PaidWithoutCharge(invoice, at);
        }
        else if (confirmLater)
        {
            intents.OpenForInvoice(invoice, StripePaymentMethods.SavedCard(objects, subscription)?.Str("id"), confirm: false, saveCard: false, "Subscription update");
            paid = false;
            awaiting = true;
        }
        else
        {
            paid = StripeInvoicing.Attempt(objects, invoice, subscription, at);
        }

        if (!paid && !awaiting)
        {
            invoice["next_payment_attempt"] = at + (RetryDelayDays[0] * 86_400);
            subscription["_retry_invoice"] = invoice.Str("id");
        }

        var status = subscription.Str("status")!;
        var next = paid ? (status == "trialing" ? "active" : status) : (status is "active" or "trialing" ? "past_due" : status);
        if (next != status)
        {
            previous["status"] = status;
            subscription["status"] = next;
        }

        objects.Put(invoice);
        objects.Put(subscription);
        var publicInvoice = StripeLists.Public(invoice);
        events.AddRange(paid
            ? [new StripeEvent("invoice.paid", publicInvoice), new StripeEvent("invoice.payment_succeeded", publicInvoice)]
            : awaiting ? [] : [new StripeEvent("invoice.payment_failed", publicInvoice)]);
        return events;
    }
}
