using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A refund after it is made: Stripe's refund test cards settle or fail it later on the sandbox clock
/// (docs.stripe.com/testing#refunds), and <c>GET /v1/refunds</c>, <c>POST /v1/refunds/{id}</c> and
/// <c>POST /v1/refunds/{id}/cancel</c> read and change it.
/// </summary>
public sealed partial class StripeRefunds
{
    /// <summary>How long after it is made a test card's refund settles (pending → succeeded) or fails (succeeded → failed).</summary>
    public static readonly TimeSpan SettlementDelay = TimeSpan.FromSeconds(30);

    /// <summary>What Stripe gives as <c>failure_reason</c> for a refund to 4000 0000 0000 5126.</summary>
    public const string FailureReason = "expired_or_canceled_card";

    // The sandbox's own record of a refund whose status changes later: never served, so not a Stripe object type.
    private const string SettlementType = "sandbox.refund_settlement";

    private static readonly HashSet<string> UpdateParams = ["metadata", "expand"];

    private static readonly HashSet<string> CancelParams = ["expand"];

    private enum RefundOutcome
    {
        Succeeds,
        Fails,
    }

    private StripeDueRecords Due => new(objects, SettlementType, "settles_at", "settled");

    /// <summary>When the next test card refund settles or fails; null when none is waiting.</summary>
    public DateTimeOffset? NextDueAt() => Due.NextDueAt();

    public void RunDue(long now) => Due.RunDue(now, Settle);

    /// <summary><c>GET /v1/refunds</c>: newest first, by <c>charge</c>, <c>payment_intent</c> and <c>created</c>, paged both ways.</summary>
    public StripeResponse List(JsonObject query) => StripeLists.CreatedFilter(query, out var created) ?? StripeLists.Page("/v1/refunds", after =>
        objects.Newest("refund", after).Where(r =>
            (query.Str("charge") is not { } charge || r.Str("charge") == charge)
            && (query.Str("payment_intent") is not { } intent || r.Str("payment_intent") == intent)
            && created(r["created"]!.GetValue<long>())), query);

    /// <summary><c>POST /v1/refunds/{id}</c>: only <c>metadata</c> changes (merged, an empty value unsets its key).</summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error))
        {
            return error!;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, "refund") is not { } refund)
            {
                return StripeErrors.NoSuch("refund", id, "id");
            }

            if (metadata.Count == 0)
            {
                return StripeResponse.Ok(refund);
            }

            var previous = new JsonObject();
            StripeLists.MergeMetadata(refund, metadata, previous);
            Save(refund, previous);
            return StripeResponse.Ok(refund);
        });
    }

    /// <summary>
    /// <c>POST /v1/refunds/{id}/cancel</c>: Stripe cancels only a refund waiting for the customer's action
    /// (<c>requires_action</c>, bank refunds that need details). A card refund never waits so, so each is refused.
    /// </summary>
    public StripeResponse Cancel(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, CancelParams) is { } unknown)
        {
            return unknown;
        }

        return objects.Get(id, "refund") is not { } refund
            ? StripeErrors.NoSuch("refund", id, "id")
            : StripeErrors.Envelope(400, "invalid_request_error",
                $"Refund {id} cannot be canceled because it has a status of {refund.Str("status")}. Only refunds with a status of requires_action can be canceled.",
                "refund_cannot_be_canceled", null);
    }

    /// <summary>What later happens to a refund of <paramref name="charge"/>: null for every card but the refund test cards; a SEPA debit's refund settles later.</summary>
    private static RefundOutcome? LaterOutcome(JsonObject charge) => StripeTestCards.Last4(charge) switch
    {
        // A SEPA Direct Debit refund is a credit transfer back to the account: pending until the bank has it, as at Stripe.
        _ when charge["payment_method_details"].Str("type") == StripeBankDebits.PaymentMethod => RefundOutcome.Succeeds,
        var last4 when last4 == StripeTestCards.RefundFails[^4..] => RefundOutcome.Fails,
        var last4 when last4 == StripeTestCards.RefundPending[^4..] => RefundOutcome.Succeeds,
        _ => null,
    };

    private void Schedule(JsonObject refund, RefundOutcome outcome, long now) => objects.Put(new JsonObject
    {
        ["id"] = StripeJson.NewId("rfset"),
        ["object"] = SettlementType,
        ["refund"] = refund.Str("id"),
        ["fails"] = outcome == RefundOutcome.Fails,
        ["settles_at"] = now + (long)SettlementDelay.TotalSeconds,
        ["settled"] = false,
    });

    /// <summary>
    /// A pending refund succeeds; a refund to 5126 fails, and what it took off the charge is given back (the charge is
    /// no longer refunded by it), with <c>refund.failed</c> after the updates.
    /// </summary>
    private void Settle(JsonObject settlement)
    {
        var refund = objects.Get(settlement.Str("refund")!, "refund")!;
        var fails = settlement["fails"]!.GetValue<bool>();
        var previous = new JsonObject { ["status"] = refund.Str("status") };
        refund["status"] = fails ? "failed" : "succeeded";
        if (fails)
        {
            refund["failure_reason"] = FailureReason;
            StripeBalance.RecordRefundFailure(objects, refund, StripeJson.Unix(context.Clock.GetUtcNow()));
        }
        else
        {
            previous["pending_reason"] = refund.Str("pending_reason");
            refund.Remove("pending_reason");
        }

        Save(refund, previous, fails ? objects.Get(refund.Str("charge")!, "charge") : null);
    }

    /// <summary>
    /// Stores a changed refund, and its copy in the charge's <c>refunds</c>, then sends <c>refund.updated</c> and
    /// <c>charge.refund.updated</c> (and <c>refund.failed</c> for a failure). <paramref name="givingBack"/> is the charge
    /// whose <c>amount_refunded</c> a failed refund no longer counts.
    /// </summary>
    private void Save(JsonObject refund, JsonObject previous, JsonObject? givingBack = null)
    {
        objects.Put(refund);
        var charge = givingBack ?? objects.Get(refund.Str("charge")!, "charge")!;
        if (givingBack is not null)
        {
            var refunded = charge["amount_refunded"]!.GetValue<long>() - refund["amount"]!.GetValue<long>();
            charge["amount_refunded"] = refunded;
            charge["refunded"] = refunded == charge["amount_captured"]!.GetValue<long>();
        }

        var copies = (JsonArray)charge["refunds"]!["data"]!;
        var at = copies.Select((r, i) => (r, i)).First(c => c.r.Str("id") == refund.Str("id")).i;
        copies[at] = refund.DeepClone();
        objects.Put(charge);

        List<StripeEvent> events = [new("refund.updated", refund, previous), new("charge.refund.updated", refund, previous)];
        if (refund.Str("status") == "failed")
        {
            events.Add(new StripeEvent("refund.failed", refund));
        }

        webhooks.Send(charge.Str("id")!, events);
    }
}
