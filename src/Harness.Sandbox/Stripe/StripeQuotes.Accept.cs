using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// <c>POST /v1/quotes/{id}/accept</c>: an open quote becomes <c>accepted</c> and makes, in the same store unit, what
/// its lines call for — through the sandbox's own create calls, so they behave (and send their events) as if the
/// merchant had made them: recurring lines a subscription (its one-time lines as <c>add_invoice_items</c>), or a
/// subscription schedule starting at a future <c>subscription_data[effective_date]</c>; one-time lines only a draft
/// invoice, as Stripe makes. A refusal of any of them leaves nothing behind and the quote open.
/// </summary>
public sealed partial class StripeQuotes
{
    /// <summary>The days a <c>send_invoice</c> quote's invoices give when the quote names none: Stripe's default payment terms (net 30).</summary>
    public const long DefaultDaysUntilDue = 30;

    public StripeResponse Accept(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, ExpandOnly) is { } unknown)
        {
            return unknown;
        }

        return objects.Atomically(() =>
        {
            if (Find(id) is not { } quote)
            {
                return StripeErrors.NoSuch(Type, id, "quote");
            }

            if (quote.Str("status") != "open")
            {
                return quote.Str("status") == "draft"
                    ? StripeErrors.InvalidParam("This quote cannot be accepted because it has a status of `draft`. Finalize it first.", null)
                    : WrongState(quote, "accepted");
            }

            var now = customers.NowFor(quote.Str("customer"));
            if (quote["expires_at"]!.GetValue<long>() <= now)
            {
                return StripeErrors.InvalidParam("This quote has expired and can no longer be accepted.", null);
            }

            var lines = ((JsonArray)quote["_lines"]!).OfType<JsonObject>().ToList();
            if (!lines.Any(StripeQuoteTotals.Recurring))
            {
                quote["invoice"] = Made(MakeInvoice(quote, lines)).Str("id");
            }
            else if (quote["subscription_data"]!["effective_date"] is JsonValue effective && effective.GetValue<long>() > now)
            {
                quote["subscription_schedule"] = Made(schedules.Create(SchedulePhase(quote, lines, effective.GetValue<long>()))).Str("id");
            }
            else
            {
                var subscription = Made(subscriptions.Create(SubscriptionTerms(quote, lines)));
                quote["subscription"] = subscription.Str("id");
                Describe(subscription.Str("id")!, quote["subscription_data"].Str("description"));
                quote["invoice"] = subscription["latest_invoice"] is JsonObject latest ? latest.Str("id") : subscription.Str("latest_invoice");
            }

            quote["status"] = "accepted";
            quote["status_transitions"]!["accepted_at"] = now;
            objects.Put(quote);
            webhooks.Send(id, [new StripeEvent("quote.accepted", StripeLists.Public(quote))]);
            return StripeResponse.Ok(View(quote, p));
        });
    }

    /// <summary>
    /// What a create answered; a refusal throws out of the request's store unit, so the unit rolls back whatever
    /// acceptance made before it, and the route answers the refusal (<see cref="StripeQuoteAcceptanceRefusedException"/>).
    /// </summary>
    private static JsonObject Made(StripeResponse response) =>
        response.Status == 200 ? response.Body : throw new StripeQuoteAcceptanceRefusedException(response);

    /// <summary>A line as a subscription item, phase item or added invoice item: its price (or the <c>price_data</c> it was given), quantity and own rates.</summary>
    private static JsonObject ItemOf(JsonObject line)
    {
        var item = line["_price_data"] is JsonObject data ? new JsonObject { ["price_data"] = data.DeepClone() } : new JsonObject { ["price"] = line["price"].Str("id") };
        item["quantity"] = line["quantity"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture);
        if (((JsonArray)line["_tax_rates"]!).Count > 0)
        {
            item["tax_rates"] = line["_tax_rates"]!.DeepClone();
        }

        return item;
    }

    /// <summary>The terms a subscription and a schedule phase share: items, one-time lines, default rates, the discount, description and metadata.</summary>
    private static JsonObject Terms(JsonObject quote, List<JsonObject> lines)
    {
        var terms = new JsonObject { ["items"] = new JsonArray([.. lines.Where(StripeQuoteTotals.Recurring).Select(l => (JsonNode)ItemOf(l))]) };
        if (lines.Where(l => !StripeQuoteTotals.Recurring(l)).Select(l => (JsonNode)ItemOf(l)).ToList() is { Count: > 0 } oneTime)
        {
            terms["add_invoice_items"] = new JsonArray([.. oneTime]);
        }

        if (quote["default_tax_rates"] is JsonArray { Count: > 0 } rates)
        {
            terms["default_tax_rates"] = rates.DeepClone();
        }

        if (quote["_discount_entries"] is JsonNode entries)
        {
            terms["discounts"] = entries.DeepClone();
        }

        var data = (JsonObject)quote["subscription_data"]!;
        if (data.Str("description") is { } description)
        {
            terms["description"] = description;
        }

        if (data["metadata"] is JsonObject metadata)
        {
            terms["metadata"] = metadata.DeepClone();
        }

        return terms;
    }

    private static JsonObject SubscriptionTerms(JsonObject quote, List<JsonObject> lines)
    {
        var terms = Terms(quote, lines);
        terms["customer"] = quote.Str("customer");
        terms["collection_method"] = quote.Str("collection_method");
        if (quote.Str("collection_method") == "send_invoice")
        {
            terms["days_until_due"] = (quote["invoice_settings"]!["days_until_due"]?.GetValue<long>() ?? DefaultDaysUntilDue).ToString(CultureInfo.InvariantCulture);
        }

        if (quote["subscription_data"]!["trial_period_days"] is JsonValue days)
        {
            terms["trial_period_days"] = days.ToString();
        }

        return terms;
    }

    /// <summary>A schedule starting at the effective date with one open-ended phase of the quote's terms (its trial ending <c>trial_period_days</c> after the start), released at its end.</summary>
    private static JsonObject SchedulePhase(JsonObject quote, List<JsonObject> lines, long start)
    {
        var phase = Terms(quote, lines);
        if (quote["subscription_data"]!["trial_period_days"] is JsonValue days)
        {
            phase["trial_end"] = (start + (days.GetValue<long>() * 86_400)).ToString(CultureInfo.InvariantCulture);
        }

        return new JsonObject
        {
            ["customer"] = quote.Str("customer"),
            ["start_date"] = start.ToString(CultureInfo.InvariantCulture),
            ["end_behavior"] = "release",
            ["phases"] = new JsonArray(phase),
        };
    }

    /// <summary>
    /// One-time lines only: a draft invoice (Stripe's acceptance leaves it a draft to finalize) holding one invoice item
    /// per line, of the line's price, then the quote's discount and default rates set on it as a draft's update sets them.
    /// </summary>
    private StripeResponse MakeInvoice(JsonObject quote, List<JsonObject> lines)
    {
        var customerId = quote.Str("customer")!;
        var draft = new JsonObject { ["customer"] = customerId, ["currency"] = quote.Str("currency"), ["collection_method"] = quote.Str("collection_method") };
        if (quote.Str("collection_method") == "send_invoice")
        {
            draft["days_until_due"] = (quote["invoice_settings"]!["days_until_due"]?.GetValue<long>() ?? DefaultDaysUntilDue).ToString(CultureInfo.InvariantCulture);
        }

        if (quote.Str("description") is { } description)
        {
            draft["description"] = description;
        }

        var invoiceId = Made(invoices.Create(draft)).Str("id")!;
        var now = customers.NowFor(customerId);
        foreach (var line in lines)
        {
            var price = (JsonObject)line["price"]!;
            var quantity = line["quantity"]!.GetValue<long>();
            var item = StripeInvoiceItems.New(new StripeInvoiceItems.Draft(customerId, price.Str("currency")!, StripeTiers.Advance(price, quantity), quantity, line.Str("description"), now, now, now)
            {
                Price = price,
                TestClock = quote.Str("test_clock"),
            });
            item["invoice"] = invoiceId;
            StripeInvoicing.SetRates(objects, item, new JsonObject { ["tax_rates"] = line["_tax_rates"]!.DeepClone() }, "tax_rates");
            objects.Put(item);
            webhooks.Send(customerId, [new StripeEvent("invoiceitem.created", StripeLists.Public(item))]);
        }

        var terms = new JsonObject();
        if (quote["default_tax_rates"] is JsonArray { Count: > 0 } rates)
        {
            terms["default_tax_rates"] = rates.DeepClone();
        }

        if (quote["_discount_entries"] is JsonNode entries)
        {
            terms["discounts"] = entries.DeepClone();
        }

        // The update prices the draft with its items, discount and rates, as any draft's update does.
        return invoices.Update(invoiceId, terms);
    }

    /// <summary><c>subscription_data[description]</c> on the subscription acceptance made (the subscription create itself keeps none).</summary>
    private void Describe(string subscriptionId, string? description)
    {
        if (description is not null && objects.Get(subscriptionId, "subscription") is { } subscription)
        {
            subscription["description"] = description;
            objects.Put(subscription);
        }
    }
}

/// <summary>A create that a quote's acceptance called refused: thrown out of the request's store unit so nothing of the acceptance lands.</summary>
public sealed class StripeQuoteAcceptanceRefusedException(StripeResponse response) : Exception("The quote's acceptance was refused.")
{
    public StripeResponse Response { get; } = response;
}
