using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The SetupIntent behind a <c>mode=setup</c> Checkout Session (providers.md §5.2 <c>setup_intent</c>): made with the
/// session, <c>succeeded</c> with the PaymentMethod of the buyer's card when the buyer completes it, <c>canceled</c> when
/// the session expires.
/// </summary>
internal static class StripeSetupIntents
{
    public const string Type = "setup_intent";

    /// <summary>Stores a new SetupIntent waiting for the buyer's card; returns its <c>seti_…</c> id.</summary>
    public static string Open(ProviderObjects objects, string? customer, long created)
    {
        var intent = new JsonObject
        {
            ["id"] = StripeJson.NewId("seti"),
            ["object"] = Type,
            ["cancellation_reason"] = null,
            ["created"] = created,
            ["customer"] = customer,
            ["description"] = null,
            ["last_setup_error"] = null,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["next_action"] = null,
            ["payment_method"] = null,
            ["payment_method_types"] = new JsonArray("card"),
            ["status"] = "requires_payment_method",
            ["usage"] = "off_session",
        };
        objects.Put(intent);
        return intent.Str("id")!;
    }

    /// <summary>
    /// The buyer completed the session: the intent succeeds for <paramref name="customer"/> (null for a guest the
    /// session made no customer for) with <paramref name="paymentMethod"/>; null when the session has no intent.
    /// </summary>
    public static JsonObject? Succeed(ProviderObjects objects, string? id, string? customer, string paymentMethod) => Settle(objects, id, intent =>
    {
        intent["customer"] = customer;
        intent["payment_method"] = paymentMethod;
        intent["status"] = "succeeded";
    });

    /// <summary>The session expired: its intent is canceled, as Stripe cancels it.</summary>
    public static void Cancel(ProviderObjects objects, string? id) => Settle(objects, id, intent =>
    {
        intent["cancellation_reason"] = "abandoned";
        intent["status"] = "canceled";
    });

    private static JsonObject? Settle(ProviderObjects objects, string? id, Action<JsonObject> change)
    {
        if (id is null || objects.Get(id, Type) is not { } intent)
        {
            return null;
        }

        change(intent);
        objects.Put(intent);
        return intent;
    }
}
