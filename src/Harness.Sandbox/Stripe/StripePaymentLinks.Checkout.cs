using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The Checkout Sessions a payment link opens: made by the same <see cref="Create(JsonObject, IReadOnlySet{string})"/> as the API's, from the link's
/// settings and the buyer's quantities, carrying <c>payment_link</c>; and the link's completed-session count, kept in
/// the completion's own store unit.
/// </summary>
public sealed partial class CheckoutSessions
{
    /// <summary>A link's <c>payment_intent_data</c> texts its checkouts are created with (beside its metadata).</summary>
    private static readonly string[] LinkIntentTexts = ["description", "setup_future_usage"];

    /// <summary>
    /// A session for <paramref name="linkId"/> with <paramref name="quantities"/> (one per line; 0 leaves the line out),
    /// or null when the link no longer takes buyers. The link is read in the same unit the session is made in, so a
    /// link that just reached its limit or was deactivated opens nothing.
    /// </summary>
    public StripeResponse? OpenForLink(string linkId, IReadOnlyList<long> quantities) => objects.Atomically(() =>
    {
        if (objects.Get(linkId, StripePaymentLinks.Type) is not { } link || !StripePaymentLinks.Open(link))
        {
            return null;
        }

        var created = Create(SessionParams(link, quantities), StripePaymentLinks.InlinePricesOf(link));
        if (created.Status != 200)
        {
            return created;
        }

        var session = objects.Get(created.Body.Str("id")!, Type)!;
        session["payment_link"] = linkId;
        session["submit_type"] = link.Str("submit_type");
        if (link["after_completion"]?["hosted_confirmation"] is JsonObject confirmation)
        {
            session["_confirmation_message"] = confirmation.Str("custom_message");
        }

        objects.Put(session);
        return StripeResponse.Ok(Public(session, null));
    });

    /// <summary>The create parameters a link's session is made with, as the API would be given them.</summary>
    private static JsonObject SessionParams(JsonObject link, IReadOnlyList<long> quantities)
    {
        var mode = link.Str("_mode")!;
        var lines = new JsonArray();
        var stored = ((JsonArray)link["_line_items"]!).OfType<JsonObject>().ToList();
        for (var i = 0; i < stored.Count; i++)
        {
            if (quantities[i] == 0 && !StripePrices.Metered(stored[i]["price"]))
            {
                continue;
            }

            var line = new JsonObject { ["price"] = stored[i]["price"].Str("id") };
            if (!StripePrices.Metered(stored[i]["price"]))
            {
                line["quantity"] = quantities[i].ToString(CultureInfo.InvariantCulture);
            }

            lines.Add(line);
        }

        var p = new JsonObject
        {
            ["mode"] = mode,
            ["line_items"] = lines,
            ["billing_address_collection"] = link.Str("billing_address_collection"),
            ["metadata"] = link["metadata"]!.DeepClone(),
        };
        if (link["allow_promotion_codes"]!.GetValue<bool>())
        {
            p["allow_promotion_codes"] = "true";
        }

        if (mode == "payment")
        {
            p["customer_creation"] = link.Str("customer_creation");
        }

        if (link["payment_method_types"] is JsonArray types)
        {
            p["payment_method_types"] = types.DeepClone();
        }

        if (link["after_completion"]?["redirect"].Str("url") is { } url)
        {
            p["success_url"] = url;
        }

        if (link["subscription_data"] is JsonObject subscription)
        {
            var data = new JsonObject { ["metadata"] = subscription["metadata"]!.DeepClone() };
            if (subscription["trial_period_days"] is JsonValue days)
            {
                data["trial_period_days"] = days.GetValue<long>().ToString(CultureInfo.InvariantCulture);
            }

            p["subscription_data"] = data;
        }

        if (link["payment_intent_data"] is JsonObject intentData)
        {
            var data = new JsonObject();
            foreach (var key in LinkIntentTexts)
            {
                if (intentData.Str(key) is { } value)
                {
                    data[key] = value;
                }
            }

            if (intentData["metadata"] is JsonObject { Count: > 0 } metadata)
            {
                data["metadata"] = metadata.DeepClone();
            }

            p["payment_intent_data"] = data;
        }

        return p;
    }

    /// <summary>One more completed session on the session's link, in the unit that completes it: concurrent pays count exactly.</summary>
    private void CountForLink(JsonObject session)
    {
        if (session.Str("payment_link") is { } linkId && objects.Get(linkId, StripePaymentLinks.Type) is { } link
            && link["restrictions"]?["completed_sessions"] is JsonObject completed)
        {
            completed["count"] = completed["count"]!.GetValue<long>() + 1;
            objects.Put(link);
        }
    }
}
