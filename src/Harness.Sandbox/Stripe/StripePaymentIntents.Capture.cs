using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The end of a PaymentIntent's life: a manual capture of what was authorised (all or part of it, the rest released),
/// or a cancel, each with its charge, its sandbox payment closed and the webhooks Stripe sends.
/// </summary>
public sealed partial class StripePaymentIntents
{
    public StripeResponse Capture(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, CaptureParams) is { } unknown)
        {
            return unknown;
        }

        long? requested = null;
        if (p["amount_to_capture"] is not null)
        {
            if (!StripeJson.TryLong(p.Str("amount_to_capture"), out var value) || value < 1)
            {
                return StripeErrors.InvalidParam("This value must be greater than or equal to 1.", "amount_to_capture");
            }

            requested = value;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } intent)
            {
                return StripeErrors.NoSuch(Type, id, "intent");
            }

            if (intent.Str("status") != "requires_capture")
            {
                return Unexpected($"This PaymentIntent could not be captured because it has a status of {intent.Str("status")}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.");
            }

            var capturable = intent["amount_capturable"]!.GetValue<long>();
            var captured = requested ?? capturable;
            if (captured > capturable)
            {
                return StripeErrors.InvalidParam($"The amount_to_capture ({captured}) must be less than or equal to the amount_capturable ({capturable}).", "amount_to_capture", "amount_too_large");
            }

            // What is not captured goes back to the cardholder: Stripe shows it as refunded on the charge.
            var charge = objects.Get(intent.Str("latest_charge")!, "charge")!;
            charge["captured"] = true;
            charge["amount_captured"] = captured;
            charge["amount_refunded"] = capturable - captured;
            StripeBalance.RecordCharge(objects, charge, StripeJson.Unix(context.Clock.GetUtcNow()));
            objects.Put(charge);
            intent["amount_capturable"] = 0L;
            intent["amount_received"] = captured;
            intent["status"] = "succeeded";
            objects.Put(intent);
            webhooks.Send(id, [("charge.captured", StripeLists.Public(charge)), ("payment_intent.succeeded", Public(intent, null))]);
            return StripeResponse.Ok(Public(intent, p));
        });
    }

    public StripeResponse Cancel(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, CancelParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("cancellation_reason") is { } reason && !CancellationReasons.Contains(reason))
        {
            return StripeErrors.InvalidParam($"Invalid cancellation_reason: must be one of {string.Join(", ", CancellationReasons)}", "cancellation_reason");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } intent)
            {
                return StripeErrors.NoSuch(Type, id, "intent");
            }

            if (!Cancelable.Contains(intent.Str("status")))
            {
                return Unexpected($"You cannot cancel this PaymentIntent because it has a status of {intent.Str("status")}. Only a PaymentIntent with one of the following statuses may be canceled: {string.Join(", ", Cancelable)}.");
            }

            var events = new List<(string, JsonObject)>();
            if (intent.Str("status") == "requires_capture")
            {
                // Releasing an authorisation refunds the whole uncaptured charge.
                var charge = objects.Get(intent.Str("latest_charge")!, "charge")!;
                charge["amount_refunded"] = charge["amount"]!.GetValue<long>();
                charge["refunded"] = true;
                objects.Put(charge);
                events.Add(("charge.refunded", StripeLists.Public(charge)));
            }

            intent["status"] = "canceled";
            intent["canceled_at"] = StripeJson.Unix(context.Clock.GetUtcNow());
            intent["cancellation_reason"] = p.Str("cancellation_reason");
            intent["amount_capturable"] = 0L;
            intent["next_action"] = null;
            objects.Put(intent);
            context.Payments.TryClose(id, PaymentStatus.Canceled);
            events.Add(("payment_intent.canceled", Public(intent, null)));
            webhooks.Send(id, events);
            return StripeResponse.Ok(Public(intent, p));
        });
    }
}
