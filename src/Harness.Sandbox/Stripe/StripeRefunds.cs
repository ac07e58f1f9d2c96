using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Refunds (<c>POST /v1/refunds</c> by charge or payment intent, full or partial, with <c>charge.refunded</c>),
/// charges (list) and the event log (<c>GET /v1/events</c>); a refund's later life is in <c>StripeRefunds.Lifecycle.cs</c>.
/// </summary>
public sealed partial class StripeRefunds(SandboxContext context, ProviderObjects objects, StripeWebhooks webhooks)
{
    private static readonly HashSet<string> CreateParams = ["charge", "payment_intent", "amount", "reason", "metadata", "expand", "instructions_email"];

    private static readonly string[] Reasons = ["duplicate", "fraudulent", "requested_by_customer"];

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error))
        {
            return error!;
        }

        if (p.Str("reason") is { } reason && !Reasons.Contains(reason))
        {
            return StripeErrors.InvalidParam($"Invalid reason: must be one of {string.Join(", ", Reasons)}", "reason");
        }

        long? requested = null;
        if (p["amount"] is not null)
        {
            if (!StripeJson.TryLong(p.Str("amount"), out var amount))
            {
                return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(p["amount"]!.ToJsonString())}", "amount");
            }

            if (amount < 1)
            {
                return StripeErrors.InvalidParam("This value must be greater than or equal to 1.", "amount");
            }

            requested = amount;
        }

        return objects.Atomically(() =>
        {
            JsonObject? charge;
            if (p.Str("charge") is { } chargeId)
            {
                charge = objects.Get(chargeId, "charge");
                if (charge is null)
                {
                    return StripeErrors.NoSuch("charge", chargeId, "charge");
                }
            }
            else if (p.Str("payment_intent") is { } intentId)
            {
                if (objects.Get(intentId, "payment_intent") is not { } intent)
                {
                    return StripeErrors.NoSuch("payment_intent", intentId, "payment_intent");
                }

                charge = intent.Str("latest_charge") is { } latest ? objects.Get(latest, "charge") : null;
                if (charge is null || charge.Str("status") != "succeeded")
                {
                    return StripeErrors.Envelope(400, "invalid_request_error",
                        $"This PaymentIntent ({intentId}) does not have a successful charge to refund.", "charge_not_refundable", "payment_intent");
                }
            }
            else
            {
                return StripeErrors.InvalidParam("One of the following params should be provided for this request: payment_intent or charge.", null, "parameter_missing");
            }

            if (charge.Str("status") != "succeeded")
            {
                return StripeErrors.Envelope(400, "invalid_request_error", $"Charge {charge.Str("id")} has not succeeded and cannot be refunded.", "charge_not_refundable", "charge");
            }

            if (StripeDisputes.RefundRefusal(objects, charge) is { } disputed)
            {
                return disputed;
            }

            var captured = charge["amount_captured"]!.GetValue<long>();
            var refunded = charge["amount_refunded"]!.GetValue<long>();
            var remaining = captured - refunded;
            if (remaining <= 0)
            {
                return StripeErrors.Envelope(400, "invalid_request_error", $"Charge {charge.Str("id")} has already been refunded.", "charge_already_refunded", "charge");
            }

            var refundAmount = requested ?? remaining;
            if (refundAmount > remaining)
            {
                return StripeErrors.Envelope(400, "invalid_request_error",
                    $"Refund amount ({refundAmount}) is greater than unrefunded amount on charge ({remaining})", "amount_too_large", "amount");
            }

            var now = StripeJson.Unix(context.Clock.GetUtcNow());
            var later = LaterOutcome(charge);
            var refund = new JsonObject
            {
                ["id"] = StripeJson.NewId("re"),
                ["object"] = "refund",
                ["amount"] = refundAmount,
                ["balance_transaction"] = null,
                ["charge"] = charge.Str("id"),
                ["created"] = now,
                ["currency"] = charge.Str("currency"),
                ["metadata"] = metadata,
                ["payment_intent"] = charge.Str("payment_intent"),
                ["reason"] = p.Str("reason"),
                ["receipt_number"] = null,
                ["status"] = later == RefundOutcome.Succeeds ? "pending" : "succeeded",
            };
            if (later == RefundOutcome.Succeeds)
            {
                refund["pending_reason"] = "processing";
            }

            StripeBalance.RecordRefund(objects, refund, charge, now);
            objects.Put(refund);
            if (later is { } outcome)
            {
                Schedule(refund, outcome, now);
            }

            var previous = new JsonObject { ["amount_refunded"] = refunded, ["refunded"] = charge["refunded"]!.DeepClone() };
            charge["amount_refunded"] = refunded + refundAmount;
            charge["refunded"] = refunded + refundAmount == captured;
            var refunds = (JsonArray)charge["refunds"]!["data"]!;
            refunds.Insert(0, refund.DeepClone());
            objects.Put(charge);
            List<StripeEvent> events = [new("refund.created", refund), new("charge.refunded", charge, previous)];
            if (StripeEarlyFraudWarnings.Settled(objects, charge.Str("id")!) is { } warned)
            {
                events.Add(warned);
            }

            webhooks.Send(charge.Str("id")!, events);
            return StripeResponse.Ok(refund);
        });
    }

    public StripeResponse ListCharges(JsonObject query)
    {
        IEnumerable<JsonObject> charges = objects.Newest("charge", query.Str("starting_after"));
        foreach (var filter in new[] { "customer", "payment_intent" })
        {
            if (query.Str(filter) is { } value)
            {
                charges = charges.Where(c => c.Str(filter) == value);
            }
        }

        return StripeLists.Page("/v1/charges", charges, query);
    }

    /// <summary>Events, newest first; <c>type</c> (with a trailing <c>*</c> wildcard, as Stripe allows) or <c>types[]</c>.</summary>
    public StripeResponse ListEvents(JsonObject query)
    {
        if (query["type"] is not null && query["types"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: type, types.", "types");
        }

        IEnumerable<JsonObject> events = objects.Newest("event", query.Str("starting_after"));
        if (query["type"] is not null)
        {
            if (query.Str("type") is not { } type)
            {
                return StripeErrors.InvalidParam("Invalid string", "type");
            }

            events = events.Where(e => Matches(e.Str("type")!, type));
        }
        else if (query["types"] is not null)
        {
            if (query["types"] is not JsonArray types || types.Any(t => t is not JsonValue))
            {
                return StripeErrors.InvalidParam("Invalid array", "types");
            }

            var wanted = types.Select(t => t!.ToString()).ToList();
            events = events.Where(e => wanted.Any(w => Matches(e.Str("type")!, w)));
        }

        return StripeLists.Page("/v1/events", events, query, e => e);
    }

    public StripeResponse RetrieveEvent(string id) =>
        objects.Get(id, "event") is { } evt ? StripeResponse.Ok(evt) : StripeErrors.NoSuch("event", id, "id");

    private static bool Matches(string type, string pattern) =>
        pattern.EndsWith('*') ? type.StartsWith(pattern[..^1], StringComparison.Ordinal) : type == pattern;
}
