using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Automatic collection of a one-off invoice (<c>collection_method=charge_automatically</c>, <c>auto_advance=true</c>) and
/// its retries (docs.stripe.com/billing/revenue-recovery/smart-retries: Stripe retries failed one-time invoice payments
/// too) on the subscriptions' schedule, <see cref="StripeBilling.RetryDelayDays"/>: each failed attempt counts in
/// <c>attempt_count</c> and sends <c>invoice.payment_failed</c> carrying <c>next_payment_attempt</c>; a retry that pays
/// sends <c>invoice.paid</c>; after the last failure <c>next_payment_attempt</c> is null and the invoice stays <c>open</c>
/// (the sandbox's choice of Stripe's settings for one-time invoices). Each retry waits as a due record (<see cref="StripeDueRecords"/>)
/// on the invoice's clock.
/// </summary>
public sealed partial class StripeStandaloneInvoices
{
    private const string RetryType = "invoice_retry";

    private StripeDueRecords Retries => new(objects, RetryType, "retry_at", "done");

    /// <summary>
    /// Charges the open invoice off session at <paramref name="at"/> with its default card (the invoice's, else the
    /// customer's), and when that fails schedules the next retry. Without a card nothing is attempted or retried, as at
    /// Stripe. The caller holds the unit.
    /// </summary>
    private void CollectAutomatically(JsonObject invoice, long at)
    {
        if (StripePaymentMethods.SavedCard(objects, invoice) is not { } card)
        {
            return;
        }

        // Set before the attempt, so that invoice.payment_failed carries it; a payment clears it.
        var done = invoice["attempt_count"]!.GetValue<long>();
        var retryAt = done < StripeBilling.RetryDelayDays.Length ? at + (StripeBilling.RetryDelayDays[done] * StripeTrials.Day) : (long?)null;
        invoice["next_payment_attempt"] = invoice["auto_advance"]!.GetValue<bool>() ? retryAt : null;
        objects.Put(invoice);
        intents.Confirm(invoice.Str("_payment_intent")!, new JsonObject { ["payment_method"] = card.Str("id"), ["off_session"] = "true" });
        if (Find(invoice.Str("id")!) is { } after && after.Str("status") == "open" && after["next_payment_attempt"] is JsonValue next)
        {
            objects.Put(new JsonObject
            {
                ["id"] = StripeJson.NewId("invretry"),
                ["object"] = RetryType,
                ["invoice"] = after.Str("id"),
                ["retry_at"] = next.GetValue<long>(),
                ["test_clock"] = after.Str("test_clock"),
                ["done"] = false,
            });
        }
    }

    /// <summary>
    /// Runs the retries of one clock due by <paramref name="now"/>; a retry that fails schedules the next, which may itself
    /// be due (a test clock advanced past several), hence one pass per retry of the schedule.
    /// </summary>
    private void RunRetries(string? clockId, long now)
    {
        for (var pass = 0; pass < StripeBilling.RetryDelayDays.Length; pass++)
        {
            Retries.RunDue(now, Retry, clockId);
        }
    }

    /// <summary>A due retry, made only while the invoice still waits for it: open, collected automatically, not rescheduled.</summary>
    private void Retry(JsonObject record)
    {
        var at = record["retry_at"]!.GetValue<long>();
        if (Find(record.Str("invoice")!) is { } invoice && invoice.Str("status") == "open" && invoice["auto_advance"]!.GetValue<bool>()
            && invoice.Str("collection_method") == "charge_automatically" && invoice["next_payment_attempt"]?.GetValue<long>() == at)
        {
            CollectAutomatically(invoice, at);
        }
    }
}
