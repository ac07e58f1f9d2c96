using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The Subscriptions API: create (customer plus recurring price items, a trial, how the first payment is made), retrieve,
/// list, update (<c>cancel_at_period_end</c>, <c>metadata</c>, <c>trial_end</c>, the plan, <c>pause_collection</c>), resume a paused one and cancel now (<c>DELETE</c>). Renewal is <see cref="StripeBilling"/>'s.
/// </summary>
public sealed partial class StripeSubscriptions(
    ProviderObjects objects, StripeCatalog catalog, StripeCustomers customers, StripeBilling billing, StripeWebhooks webhooks, StripePaymentMethods methods, StripePaymentIntents intents, StripeDiscounts discounts)
{
    private static readonly string[] CancellationFields = ["cancel_at", "cancel_at_period_end", "canceled_at", "cancellation_details"];

    private const string Type = "subscription";
    private const long MaxQuantity = 999_999;

    private static readonly HashSet<string> CreateParams =
        [
            "customer", "items", "metadata", "cancel_at_period_end", "expand", "payment_behavior", "collection_method", "default_payment_method", "description",
            "trial_period_days", "trial_end", "trial_settings", "payment_settings", "discounts",
            "billing_cycle_anchor", "billing_cycle_anchor_config", "proration_behavior", "off_session", "default_tax_rates", "add_invoice_items",
        ];

    private static readonly HashSet<string> UpdateParams =
        [
            "cancel_at_period_end", "metadata", "expand", "cancellation_details", "trial_end", "default_payment_method",
            "items", "proration_behavior", "proration_date", "billing_cycle_anchor", "discounts", "payment_behavior", "pause_collection", "default_tax_rates",
            "add_invoice_items",
        ];

    private static readonly HashSet<string> CancelParams = ["expand", "invoice_now", "prorate", "cancellation_details"];

    private static readonly string[] Statuses = ["active", "past_due", "unpaid", "canceled", "incomplete", "incomplete_expired", "trialing", "paused", "all", "ended"];

    public StripeResponse Create(JsonObject p) => Create(p, null, null);

    /// <summary>A create at <paramref name="at"/> (a schedule's phase start; null: the customer's now), managed by <paramref name="schedule"/> when given.</summary>
    internal StripeResponse Create(JsonObject p, long? at, string? schedule)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("customer") is not { } customerId)
        {
            return StripeErrors.Missing("customer");
        }

        if (objects.Get(customerId, "customer") is not { } customer || customer["deleted"] is not null)
        {
            return StripeErrors.NoSuch("customer", customerId, "customer");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "cancel_at_period_end", out var cancelAtEnd, out error))
        {
            return error!;
        }

        if (p["items"] is not JsonArray { Count: > 0 } array)
        {
            return p["items"] is null ? StripeErrors.Missing("items") : StripeErrors.InvalidParam("Invalid array", "items");
        }

        var items = new List<(JsonObject Price, long Quantity)>();
        for (var i = 0; i < array.Count; i++)
        {
            var param = $"items[{i}]";
            if (array[i] is not JsonObject item)
            {
                return StripeErrors.InvalidParam("Invalid object", param);
            }

            var quantity = 1L;
            if (item.Str("quantity") is { } quantityText && (!StripeJson.TryLong(quantityText, out quantity) || quantity is < 1 or > MaxQuantity))
            {
                return StripeErrors.InvalidParam($"This value must be greater than or equal to 1 and less than or equal to {MaxQuantity}.", $"{param}[quantity]");
            }

            if (ReadItemPrice(item, param, out var price, scheduled: schedule is not null) is { } badPrice)
            {
                return badPrice;
            }

            if (StripePrices.Metered(price!))
            {
                // A metered item bills its usage, not a quantity (stored as 0, so it adds nothing to what is billed in advance).
                if (item["quantity"] is not null)
                {
                    return StripeBilling.MeteredQuantity(param);
                }

                quantity = 0;
            }

            if (items.Count > 0 && (items[0].Price.Str("currency") != price!.Str("currency") || !StripeBilling.SameInterval(items[0].Price["recurring"], price!["recurring"])))
            {
                return StripeErrors.InvalidParam("All prices on a subscription must have the same `currency`, `recurring[interval]` and `recurring[interval_count]`.", $"{param}[{(item["price_data"] is null ? "price" : "price_data")}]");
            }

            items.Add((price!, quantity));
        }

        if (ReadCreateTaxRates(p, array, items, out var taxes) is { } badTaxes)
        {
            return badTaxes;
        }

        var amount = 0L;
        foreach (var (price, quantity) in items)
        {
            amount = checked(amount + StripeTiers.Advance(price, quantity));
        }

        // The card its renewals charge, saved to the customer; without one they charge the customer's default.
        if (p.Str("default_payment_method") is { Length: > 0 } card && methods.CheckSaved(card, customerId, "default_payment_method") is { } notSaved)
        {
            return notSaved;
        }

        var now = at ?? customers.NowFor(customerId);
        if (StripeTrials.ReadCreate(p, now, out var trial) is { } badTrial)
        {
            return badTrial;
        }

        if (ReadAddInvoiceItems(p, customerId, items[0].Price.Str("currency")!, now, out var added, scheduled: schedule is not null) is { } badAdded)
        {
            return badAdded;
        }

        if (trial is not null && added.Count > 0)
        {
            return StripeErrors.NotSimulated(AddInvoiceItems, "a trial's first invoice is $0 in the sandbox; add the one-off charge when the trial ends");
        }

        if (StripeAnchors.ReadCreate(p, items[0].Price["recurring"], now, trial is null ? null : StripeTrials.EndOf(trial, now), out var anchor) is { } badAnchor)
        {
            return badAnchor;
        }

        // Up to a future anchor the first invoice charges each item's share of the period, or nothing.
        amount = anchor is null ? amount : items.Sum(i => StripeAnchors.Due(StripeTiers.Advance(i.Price, i.Quantity), anchor, i.Price["recurring"], now));

        if (ReadPaymentBehavior(p, out var behavior, out var saveCard) is { } badBehavior)
        {
            return badBehavior;
        }

        if (ReadDiscounts(p, customerId, items, [], out var stack) is { } badDiscount)
        {
            return badDiscount;
        }

        var chosen = p.Str("default_payment_method") is { Length: > 0 } given ? given : null;
        return objects.Atomically(() =>
        {
            var started = Start(new FirstPayment(customerId, items, amount, metadata, cancelAtEnd == true, trial, chosen, behavior, saveCard, stack, anchor, now, taxes, schedule, added), p);
            if (started.Status == 200)
            {
                stack.ForEach(discounts.Redeem);
                RedeemAddedDiscounts(added);
            }

            return started;
        });
    }

    public StripeResponse Retrieve(string id, JsonObject query) =>
        objects.Get(id, Type) is { } subscription ? StripeResponse.Ok(View(subscription, query)) : StripeErrors.NoSuch(Type, id, "id");

    public StripeResponse List(JsonObject query)
    {
        var status = query.Str("status");
        if (status is not null && !Statuses.Contains(status))
        {
            return StripeErrors.InvalidParam($"Invalid status: must be one of {string.Join(", ", Statuses)}", "status");
        }

        IEnumerable<JsonObject> subscriptions = objects.Newest(Type, query.Str("starting_after"));
        subscriptions = status switch
        {
            null => subscriptions.Where(s => s.Str("status") is not ("canceled" or "incomplete_expired")),
            "all" => subscriptions,
            "ended" => subscriptions.Where(s => s.Str("status") is "canceled" or "incomplete_expired"),
            _ => subscriptions.Where(s => s.Str("status") == status),
        };
        foreach (var filter in new[] { "customer", "test_clock" })
        {
            if (query.Str(filter) is { } value)
            {
                subscriptions = subscriptions.Where(s => s.Str(filter) == value);
            }
        }

        if (query.Str("price") is { } priceId)
        {
            subscriptions = subscriptions.Where(s => ((JsonArray)s["items"]!["data"]!).Any(i => i!["price"].Str("id") == priceId));
        }

        return StripeLists.Page("/v1/subscriptions", subscriptions, query, s => View(s, query));
    }

    /// <summary>
    /// <c>cancel_at_period_end=true</c> schedules the cancel at the period end; <c>false</c> resumes before it.
    /// <c>trial_end=now</c> ends a trial at once: the first charge, as at the trial's end (<see cref="StripeBilling.EndTrialNow"/>);
    /// a future <c>trial_end</c> moves a trial's end or adds a trial to an active subscription (<see cref="StripeBilling.AddTrial"/>).
    /// <c>items[n]</c> adds, changes or removes items, with prorations (<see cref="ReadChange"/>, <see cref="StripeBilling.ChangeItem"/>).
    /// </summary>
    public StripeResponse Update(string id, JsonObject p) => Update(id, p, null);

    /// <summary>An update at <paramref name="at"/> (a schedule's phase boundary; null: the customer's now).</summary>
    internal StripeResponse Update(string id, JsonObject p, long? at)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryBool(p, "cancel_at_period_end", out var cancelAtEnd, out var error) || !StripeLists.TryMetadata(p, out var metadata, out error)
            || (error = ReadUpdateBehavior(p, out var behavior)) is not null || (error = ReadCancellationDetails(p, out var details)) is not null)
        {
            return error!;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } subscription)
            {
                return StripeErrors.NoSuch(Type, id, "id");
            }

            if (subscription.Str("status") is "canceled" or "incomplete_expired" && cancelAtEnd is not null)
            {
                return StripeErrors.InvalidParam("A canceled subscription can only update its cancellation_details and metadata.", "cancel_at_period_end");
            }

            var now = at ?? customers.NowFor(subscription.Str("customer"));
            if (StripeTrials.ReadUpdate(p, subscription, now, out var endTrial, out var moveTrialTo) is { } badTrial)
            {
                return badTrial;
            }

            if (ReadChange(p, subscription, now, out var change, scheduled: at is not null) is { } badChange)
            {
                return badChange;
            }

            if (ReadUpdateAddedItems(p, subscription, behavior, now, at is not null, out var added) is { } badAdded)
            {
                return badAdded;
            }

            if (ReadPauseCollection(p, subscription, now, out var pauseGiven, out var pause) is { } badPause)
            {
                return badPause;
            }

            if (ReadDefaultTaxRates(p, subscription, out var defaultTaxRates) is { } badTaxRates)
            {
                return badTaxRates;
            }

            // Only a change whose invoice would not pay is refused or kept pending; any other applies as usual.
            var pend = false;
            if (change is not null && behavior is "error_if_incomplete" or "pending_if_incomplete" && billing.DeclineOfChange(subscription, change, now) is { } decline)
            {
                if (behavior == "error_if_incomplete")
                {
                    return new StripeResponse(402, new JsonObject { ["error"] = decline }, Stored: true);
                }

                pend = true;
            }

            // A new plan change replaces a pending update: its invoice is voided, its changes discarded.
            var previous = new JsonObject();
            var discarded = change is null ? [] : billing.DiscardPending(subscription, now, previous);
            if (ChangeDiscounts(p, subscription, previous) is { } badDiscount)
            {
                return badDiscount;
            }

            var addTrial = moveTrialTo is not null && subscription.Str("status") != "trialing";
            if (moveTrialTo is { } trialEnd && !addTrial)
            {
                StripeBilling.MoveTrialEnd(subscription, trialEnd, now, previous);
            }

            if (p["default_payment_method"] is not null)
            {
                var card = p.Str("default_payment_method") is { Length: > 0 } chosen ? chosen : null;
                if (card is not null && methods.CheckSaved(card, subscription.Str("customer")!, "default_payment_method") is { } notSaved)
                {
                    return notSaved;
                }

                previous["default_payment_method"] = subscription["default_payment_method"]?.DeepClone();
                subscription["default_payment_method"] = card;
            }

            // Before the invoices of a trial or a plan change, which are held or collected as the pause now says.
            if (pauseGiven)
            {
                ChangePauseCollection(subscription, pause, previous);
            }

            // After the last refusal: adding a trial stores its credit (and an always_invoice invoice) at once.
            List<StripeEvent> trialEvents = addTrial ? billing.AddTrial(subscription, moveTrialTo!.Value, change?.ProrationBehavior ?? "create_prorations", now, previous) : [];

            if (cancelAtEnd is { } cancel && cancel != subscription["cancel_at_period_end"]!.GetValue<bool>())
            {
                foreach (var field in CancellationFields)
                {
                    previous[field] = subscription[field]?.DeepClone();
                }

                subscription["cancel_at_period_end"] = cancel;
                subscription["cancel_at"] = cancel ? subscription["current_period_end"]!.DeepClone() : null;
                subscription["canceled_at"] = cancel ? now : null;
                subscription["cancellation_details"] = new JsonObject { ["comment"] = null, ["feedback"] = null, ["reason"] = cancel ? "cancellation_requested" : null };
            }

            RecordCancellationDetails(subscription, details, previous);

            // A pending update's metadata waits with it.
            if (p["metadata"] is not null && !pend)
            {
                StripeLists.MergeMetadata(subscription, metadata, previous);
            }

            ChangeDefaultTaxRates(subscription, defaultTaxRates, previous);

            // Before the plan change, whose invoice (if it makes one now) sweeps them in; else the next invoice does.
            webhooks.Send(id, KeepAddedItems(subscription, added));

            // The plan change last: its invoice, if any, sees the rest of the update.
            var followers = change is null ? []
                : pend ? billing.Pend(subscription, change, p["metadata"] is JsonObject ? metadata : null, now, previous)
                : billing.ChangeItem(subscription, change, now, previous, confirmLater: behavior == "default_incomplete");
            objects.Put(subscription);
            if (previous.Count > 0)
            {
                webhooks.Send(id, [.. discarded, new StripeEvent("customer.subscription.updated", StripeLists.Public(subscription), previous), .. trialEvents, .. followers]);
            }

            if (endTrial)
            {
                billing.EndTrialNow(subscription, now);
            }
            else if (addTrial)
            {
                billing.SendDueNotice(subscription, now);
            }

            return StripeResponse.Ok(View(subscription, p));
        });
    }

    /// <summary>
    /// Cancels now: <c>status=canceled</c>, <c>customer.subscription.deleted</c>, no further invoice (with <c>prorate</c>, the
    /// unused time credited as pending invoice items); an incomplete one's
    /// open first invoice is voided first (<c>invoice.voided</c>).
    /// </summary>
    public StripeResponse Cancel(string id, JsonObject p) => Cancel(id, p, null);

    /// <summary>Called as a subscription is canceled, at its end time: the events of the schedule that managed it, which ends with it.</summary>
    internal Func<JsonObject, long, IReadOnlyList<StripeEvent>>? ScheduleEnds { get; set; }

    /// <summary>A cancel at <paramref name="at"/> (a schedule's end; null: the customer's now).</summary>
    internal StripeResponse Cancel(string id, JsonObject p, long? at)
    {
        if (StripeLists.Unknown(p, CancelParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryBool(p, "invoice_now", out var invoiceNow, out var badFlag) || !StripeLists.TryBool(p, "prorate", out var prorate, out badFlag)
            || (badFlag = ReadCancellationDetails(p, out var details)) is not null)
        {
            return badFlag!;
        }

        // A final invoice that also sweeps the credit for unused time is not built; the credit alone stays pending.
        if (invoiceNow == true && prorate == true)
        {
            return StripeErrors.InvalidParam("invoice_now=true with prorate=true is not simulated by the sandbox: cancel with either one alone.", "prorate");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } subscription)
            {
                return StripeErrors.NoSuch(Type, id, "id");
            }

            if (subscription.Str("status") is "canceled" or "incomplete_expired")
            {
                return StripeErrors.Envelope(400, "invalid_request_error", $"This subscription has already been canceled: {id}", "resource_missing", "id");
            }

            var now = at ?? customers.NowFor(subscription.Str("customer"));
            // An incomplete subscription's first invoice can no longer be paid: it is voided, its PaymentIntent canceled.
            var events = subscription.Str("status") == "incomplete" ? billing.VoidOpenInvoice(subscription, now) : billing.DiscardPending(subscription, now, new JsonObject());
            if (invoiceNow == true && StripeBilling.Bills(subscription))
            {
                // invoice_now bills the metered usage of the period so far on a final invoice.
                events.AddRange(billing.BillFinalUsage(subscription, now));
            }
            else if (prorate == true && StripeBilling.Bills(subscription))
            {
                events.AddRange(billing.CreditUnusedTime(subscription, now));
            }

            subscription.Remove("_incomplete_expires_at");
            subscription["status"] = "canceled";
            subscription["canceled_at"] = now;
            subscription["ended_at"] = now;
            subscription["cancel_at"] = null;
            subscription["cancel_at_period_end"] = false;
            subscription["cancellation_details"] = new JsonObject { ["comment"] = null, ["feedback"] = null, ["reason"] = "cancellation_requested" };
            RecordCancellationDetails(subscription, details, new JsonObject());
            subscription.Remove("_retry_invoice");
            objects.Put(subscription);
            events.Add(new StripeEvent("customer.subscription.deleted", StripeLists.Public(subscription)));
            events.AddRange(ScheduleEnds?.Invoke(subscription, now) ?? []);
            webhooks.Send(id, events);
            return StripeResponse.Ok(View(subscription, p));
        });
    }

    /// <summary>
    /// The public subscription, with <c>expand[]</c> of <c>latest_invoice</c> and <c>customer</c>, and of the latest
    /// invoice's payment (<see cref="InvoiceView"/>).
    /// </summary>
    private JsonObject View(JsonObject subscription, JsonObject? query)
    {
        var copy = StripeLists.Public(subscription);
        var fields = (query?["expand"] as JsonArray)?.OfType<JsonValue>().Select(e => e.ToString()).ToList() ?? [];
        if (copy.Str("customer") is { } customerId && fields.Contains("customer"))
        {
            copy["customer"] = objects.Get(customerId, "customer") is { } customer ? StripeLists.Public(customer) : customerId;
        }

        const string Invoice = "latest_invoice";
        var nested = fields.Where(f => f.StartsWith(Invoice + ".", StringComparison.Ordinal)).Select(f => f[(Invoice.Length + 1)..]).ToList();
        if ((fields.Contains(Invoice) || nested.Count > 0) && copy.Str(Invoice) is { } invoiceId && objects.Get(invoiceId, "invoice") is { } invoice)
        {
            copy[Invoice] = InvoiceView(invoice, nested);
        }

        return copy;
    }
}
