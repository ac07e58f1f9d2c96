using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// What a payment-mode checkout asks of the PaymentIntent it makes (<c>payment_intent_data</c>): its <c>description</c>
/// and <c>metadata</c>, and whether it saves the buyer's card (<c>setup_future_usage</c>, or
/// <c>saved_payment_method_options[payment_method_save]=enabled</c>: the sandbox's buyer always ticks the box it shows).
/// </summary>
public sealed partial class CheckoutSessions
{
    private static readonly string[] FutureUsages = ["on_session", "off_session"];

    private static readonly HashSet<string> IntentDataParams = ["description", "metadata", "setup_future_usage", "capture_method"];

    /// <summary>Stripe's other <c>payment_intent_data</c> fields: refused by name, never stored and ignored.</summary>
    private static readonly HashSet<string> UnsimulatedIntentData =
    [
        "application_fee_amount", "on_behalf_of", "receipt_email", "shipping", "statement_descriptor", "statement_descriptor_suffix",
        "transfer_data", "transfer_group",
    ];

    /// <summary>A checkout's <c>payment_intent_data</c> as read: what the PaymentIntent carries and whether the card is saved.</summary>
    private sealed record IntentData(string? FutureUsage, bool Save, string? Description, JsonObject? Metadata);

    private static StripeResponse? ReadIntentData(JsonObject p, string mode, out IntentData read)
    {
        read = new IntentData(null, false, null, null);
        if (p["payment_intent_data"] is { } given && given is not JsonObject)
        {
            return StripeErrors.InvalidParam("Invalid object", "payment_intent_data");
        }

        if (p["saved_payment_method_options"] is { } options && options is not JsonObject)
        {
            return StripeErrors.InvalidParam("Invalid object", "saved_payment_method_options");
        }

        var data = p["payment_intent_data"] as JsonObject ?? [];
        foreach (var key in data.Select(kv => kv.Key))
        {
            if (UnsimulatedIntentData.Contains(key) || (key == "capture_method" && data.Str(key) != "automatic"))
            {
                return StripeErrors.NotSimulated($"payment_intent_data[{key}]",
                    "the sandbox's Checkout captures a payment when it is made, with no fees, transfers, descriptors, receipts or shipping of its own");
            }

            if (!IntentDataParams.Contains(key))
            {
                return StripeErrors.InvalidParam($"Received unknown parameter: payment_intent_data[{key}]", $"payment_intent_data[{key}]", "parameter_unknown");
            }
        }

        var futureUsage = data.Str("setup_future_usage");
        var choice = (p["saved_payment_method_options"] as JsonObject).Str("payment_method_save");
        if (futureUsage is not null && !FutureUsages.Contains(futureUsage))
        {
            return StripeErrors.InvalidParam($"Invalid payment_intent_data[setup_future_usage]: must be one of {string.Join(", ", FutureUsages)}", "payment_intent_data[setup_future_usage]");
        }

        if (choice is not (null or "enabled" or "disabled"))
        {
            return StripeErrors.InvalidParam("Invalid saved_payment_method_options[payment_method_save]: must be one of enabled, disabled", "saved_payment_method_options[payment_method_save]");
        }

        if ((futureUsage is not null || choice is not null) && mode != "payment")
        {
            return StripeErrors.InvalidParam($"Saving the payment method with payment_intent_data or saved_payment_method_options is only for `payment` mode, not `{mode}`.",
                futureUsage is not null ? "payment_intent_data[setup_future_usage]" : "saved_payment_method_options[payment_method_save]");
        }

        if (data.Count > 0 && mode != "payment")
        {
            return StripeErrors.InvalidParam($"`payment_intent_data` can only be used in `payment` mode, not `{mode}`.", "payment_intent_data");
        }

        if (data["description"] is not null && data.Str("description") is not { Length: <= 1000 })
        {
            return StripeErrors.InvalidParam("Invalid string: payment_intent_data[description] must be a string of at most 1000 characters.", "payment_intent_data[description]");
        }

        if (!StripeLists.TryMetadata(data, out var metadata, out _))
        {
            return StripeErrors.InvalidParam("Invalid object", "payment_intent_data[metadata]");
        }

        read = new IntentData(futureUsage, futureUsage is not null || choice == "enabled", data.Str("description"), metadata.Count > 0 ? metadata : null);
        return null;
    }
}
