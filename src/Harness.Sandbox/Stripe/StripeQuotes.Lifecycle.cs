using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A quote's states (docs.stripe.com/quotes/overview): <c>draft</c> → <c>open</c> (finalize) → <c>accepted</c>, or
/// <c>canceled</c> from either — by a cancel, or on the clock at <c>expires_at</c>.
/// </summary>
public sealed partial class StripeQuotes
{
    /// <summary>How long before an open quote expires <c>quote.will_expire</c> goes out (the sandbox's fixed reminder: seven days).</summary>
    public const long WillExpireSeconds = 7 * 86_400;

    private static readonly HashSet<string> ExpandOnly = ["expand"];

    private static readonly HashSet<string> FinalizeParams = ["expand", "expires_at"];

    /// <summary>Draft → open: a <c>number</c> (QT-, the customer's invoice prefix, the customer's quote sequence, revision 1), <c>quote.finalized</c>.</summary>
    public StripeResponse Finalize(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, FinalizeParams) is { } unknown)
        {
            return unknown;
        }

        return objects.Atomically(() =>
        {
            if (Find(id) is not { } quote)
            {
                return StripeErrors.NoSuch(Type, id, "quote");
            }

            if (quote.Str("status") != "draft")
            {
                return WrongState(quote, "finalized");
            }

            if (quote.Str("customer") is not { } customerId)
            {
                return StripeErrors.InvalidParam("A quote must have a `customer` to be finalized.", "customer");
            }

            var lines = ((JsonArray)quote["_lines"]!).OfType<JsonObject>().ToList();
            if (lines.Count == 0)
            {
                return StripeErrors.InvalidParam("A quote must have at least one line item to be finalized.", "line_items");
            }

            var now = customers.NowFor(customerId);
            if (p["expires_at"] is not null && Change(quote, new JsonObject { ["expires_at"] = p["expires_at"]!.DeepClone() }, now) is { } badExpiry)
            {
                return badExpiry;
            }

            if (quote["expires_at"]!.GetValue<long>() <= now)
            {
                return StripeErrors.InvalidParam("The quote's `expires_at` has passed: set a later one to finalize it.", "expires_at");
            }

            if (Unbuildable(quote, lines, now) is { } unbuildable)
            {
                return unbuildable;
            }

            var customer = objects.Get(customerId, "customer")!;
            var sequence = objects.Newest(Type).Count(q => q.Str("customer") == customerId && q["number"] is JsonValue) + 1;
            quote["number"] = $"QT-{customer.Str("invoice_prefix")}-{sequence.ToString("D4", CultureInfo.InvariantCulture)}-1";
            quote["status"] = "open";
            quote["status_transitions"]!["finalized_at"] = now;
            objects.Put(quote);
            webhooks.Send(id, [new StripeEvent("quote.finalized", StripeLists.Public(quote))]);
            return StripeResponse.Ok(View(quote, p));
        });
    }

    /// <summary>Draft or open → canceled, <c>quote.canceled</c>.</summary>
    public StripeResponse Cancel(string id, JsonObject p)
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

            if (quote.Str("status") is not ("draft" or "open"))
            {
                return WrongState(quote, "canceled");
            }

            MarkCanceled(quote, customers.NowFor(quote.Str("customer")));
            return StripeResponse.Ok(View(quote, p));
        });
    }

    /// <summary>The open quotes on the sandbox clock: when the next one is due a reminder or its expiry.</summary>
    public DateTimeOffset? NextDueAt() =>
        Waiting(null).Select(q => (long?)DueAt(q)).Min() is { } due ? DateTimeOffset.FromUnixTimeSeconds(due) : null;

    /// <summary>
    /// On one clock (null: the sandbox clock), each in a unit of its own: <c>quote.will_expire</c> for an open quote
    /// seven days before it expires, and a draft or open quote past its <c>expires_at</c> canceled (<c>quote.canceled</c>), as Stripe does.
    /// </summary>
    public void RunDue(string? clockId, long now)
    {
        foreach (var due in Waiting(clockId).Where(q => DueAt(q) <= now).ToList())
        {
            objects.InTransaction(() =>
            {
                // Read again inside the unit: a clock advance and the scheduler's loop may both have seen it waiting.
                if (Find(due.Str("id")!) is not { } quote || quote.Str("status") is not ("draft" or "open"))
                {
                    return;
                }

                var expires = quote["expires_at"]!.GetValue<long>();
                if (ReminderDue(quote) && expires - WillExpireSeconds <= now)
                {
                    quote["_will_expire_sent"] = true;
                    objects.Put(quote);
                    webhooks.Send(quote.Str("id")!, [new StripeEvent("quote.will_expire", StripeLists.Public(quote))]);
                }

                if (expires <= now)
                {
                    MarkCanceled(quote, expires);
                }
            });
        }
    }

    private IEnumerable<JsonObject> Waiting(string? clockId) =>
        objects.Newest(Type).Where(q => q.Str("status") is "draft" or "open" && q.Str("test_clock") == clockId);

    private static bool ReminderDue(JsonObject quote) => quote.Str("status") == "open" && quote["_will_expire_sent"] is null;

    private static long DueAt(JsonObject quote)
    {
        var expires = quote["expires_at"]!.GetValue<long>();
        return ReminderDue(quote) ? expires - WillExpireSeconds : expires;
    }

    private void MarkCanceled(JsonObject quote, long at)
    {
        quote["status"] = "canceled";
        quote["status_transitions"]!["canceled_at"] = at;
        objects.Put(quote);
        webhooks.Send(quote.Str("id")!, [new StripeEvent("quote.canceled", StripeLists.Public(quote))]);
    }

    private static StripeResponse WrongState(JsonObject quote, string verb) =>
        StripeErrors.InvalidParam($"This quote cannot be {verb} because it has a status of `{quote.Str("status")}`.", null);

    /// <summary>What acceptance could not build in the sandbox, refused when the quote is finalized rather than when the customer accepts it.</summary>
    private static StripeResponse? Unbuildable(JsonObject quote, IReadOnlyList<JsonObject> lines, long now)
    {
        var data = (JsonObject)quote["subscription_data"]!;
        var recurring = lines.Any(StripeQuoteTotals.Recurring);
        if (!recurring && data["trial_period_days"] is JsonValue)
        {
            return StripeErrors.InvalidParam("`subscription_data[trial_period_days]` needs at least one line item with a recurring price.", "subscription_data[trial_period_days]");
        }

        if (recurring && data["trial_period_days"] is JsonValue && lines.Any(l => !StripeQuoteTotals.Recurring(l)))
        {
            return StripeErrors.NotSimulated("subscription_data[trial_period_days]",
                "a trial on a quote that also has one-time lines (the sandbox's trial invoice charges nothing); quote the one-time lines apart");
        }

        if (recurring && quote["_discount"] is not null && lines.Any(l => !StripeQuoteTotals.Recurring(l)))
        {
            return StripeErrors.NotSimulated("discounts",
                "a discount on a quote with both recurring and one-time lines (the sandbox's subscription invoices do not discount one-time items added to them); quote the one-time lines apart");
        }

        return recurring && data["effective_date"] is JsonValue effective && effective.GetValue<long>() > now && quote.Str("collection_method") == "send_invoice"
            ? StripeErrors.NotSimulated("subscription_data[effective_date]", "a future start with `collection_method=send_invoice` (the sandbox's subscription schedules charge automatically)")
            : null;
    }

    /// <summary>The quote's PDF; a draft has none yet (Stripe serves PDFs of finalized quotes).</summary>
    public (byte[]? Pdf, StripeResponse? Refusal) Pdf(string id) =>
        Find(id) is not { } quote ? (null, StripeErrors.NoSuch(Type, id, "quote"))
        : quote.Str("status") == "draft" ? (null, StripeErrors.InvalidParam("Only finalized quotes have a PDF: finalize the quote before downloading it.", null))
        : (StripeQuotePdf.Render(quote, StripeQuoteTotals.Items(quote, upfrontOnly: false)), null);
}
