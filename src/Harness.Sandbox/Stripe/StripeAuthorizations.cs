using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Uncaptured card payments: a PaymentIntent held for a manual capture is canceled automatically when it is not
/// captured within <see cref="CaptureWindow"/> (Stripe's default for online card payments), on the sandbox clock:
/// <c>canceled</c> with <c>cancellation_reason</c> <c>automatic</c>, the held amount released (the charge refunded in
/// full), <c>charge.expired</c> and <c>payment_intent.canceled</c>. A capture after that is refused as any capture
/// of a canceled intent is.
/// </summary>
public sealed class StripeAuthorizations(SandboxContext context, ProviderObjects objects, StripeWebhooks webhooks)
{
    /// <summary>How long Stripe holds an online card authorisation before it releases it.</summary>
    public static readonly TimeSpan CaptureWindow = TimeSpan.FromDays(7);

    // The sandbox's own record of a hold waiting for its capture: never served, so not a Stripe object type.
    private const string Type = "sandbox.authorization";

    private StripeDueRecords Due => new(objects, Type, "lapses_at", "done");

    /// <summary>Records the hold of an intent just authorised, due to lapse after <see cref="CaptureWindow"/>; the caller holds the unit.</summary>
    public void Hold(JsonObject intent) => objects.Put(new JsonObject
    {
        ["id"] = StripeJson.NewId("hold"),
        ["object"] = Type,
        ["payment_intent"] = intent.Str("id"),
        ["lapses_at"] = StripeJson.Unix(context.Clock.GetUtcNow() + CaptureWindow),
        ["done"] = false,
    });

    /// <summary>When the next hold lapses; null when none is waiting.</summary>
    public DateTimeOffset? NextDueAt() => Due.NextDueAt();

    /// <summary>Cancels every intent whose hold lapsed by <paramref name="now"/> and is still uncaptured, each in a unit with its events.</summary>
    public void RunDue(long now) => Due.RunDue(now, hold =>
    {
        // A capture or a cancel since then leaves nothing to release.
        if (objects.Get(hold.Str("payment_intent")!, StripePaymentIntents.Type) is { } intent && intent.Str("status") == "requires_capture")
        {
            Lapse(intent, hold["lapses_at"]!.GetValue<long>());
        }
    });

    private void Lapse(JsonObject intent, long at)
    {
        var charge = objects.Get(intent.Str("latest_charge")!, "charge")!;
        charge["amount_refunded"] = charge["amount"]!.GetValue<long>();
        charge["refunded"] = true;
        objects.Put(charge);
        intent["status"] = "canceled";
        intent["canceled_at"] = at;
        intent["cancellation_reason"] = "automatic";
        intent["amount_capturable"] = 0L;
        objects.Put(intent);
        webhooks.Send(intent.Str("id")!, [("charge.expired", StripeLists.Public(charge)), ("payment_intent.canceled", StripeLists.Public(intent))]);
    }
}
