using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>A payment link's create parameters: what the sandbox builds, and a 400 naming each one it does not.</summary>
public sealed partial class StripePaymentLinks
{
    private static readonly HashSet<string> CreateParams =
    [
        "line_items", "after_completion", "allow_promotion_codes", "metadata", "currency", "customer_creation", "billing_address_collection",
        "payment_method_types", "submit_type", "subscription_data", "invoice_creation", "payment_intent_data", "restrictions", "inactive_message", "expand",
    ];

    /// <summary>Stripe's create parameters the sandbox does not simulate: refused by name, never ignored.</summary>
    private static readonly HashSet<string> NotSimulatedOnCreate =
    [
        "application_fee_amount", "application_fee_percent", "automatic_tax", "consent_collection", "custom_fields", "custom_text", "managed_payments",
        "name_collection", "on_behalf_of", "optional_items", "payment_method_collection", "payment_method_options", "phone_number_collection",
        "shipping_address_collection", "shipping_options", "tax_id_collection", "transfer_data",
    ];

    private static readonly string[] SubmitTypes = ["auto", "book", "donate", "pay", "subscribe"];

    private StripeResponse? ReadCreate(JsonObject p, out JsonObject link)
    {
        link = [];
        if (p.Select(kv => kv.Key).FirstOrDefault(NotSimulatedOnCreate.Contains) is { } unbuilt)
        {
            return StripeErrors.NotSimulated(unbuilt, "the sandbox's payment links sell their line items through its hosted Checkout page without it");
        }

        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "allow_promotion_codes", out var codes, out error))
        {
            return error!;
        }

        if (ReadLines(p["line_items"], out var lines) is { } badLines)
        {
            return badLines;
        }

        var prices = lines.Select(l => (JsonObject)l["price"]!).ToList();
        var currency = prices[0].Str("currency")!;
        if (p.Str("currency") is { } asked && !asked.Equals(currency, StringComparison.OrdinalIgnoreCase))
        {
            return StripeErrors.InvalidParam($"The currency `{asked}` is not supported by every line item's price: they are in `{currency}`.", "currency");
        }

        var mode = prices.Any(price => price["recurring"] is JsonObject) ? "subscription" : "payment";
        if ((ReadChoice(p, "customer_creation", ["always", "if_required"]) ?? ReadChoice(p, "billing_address_collection", ["auto", "required"])
            ?? ReadChoice(p, "submit_type", SubmitTypes) ?? StripeBankDebits.Check(p["payment_method_types"], currency)) is { } badChoice)
        {
            return badChoice;
        }

        if (ReadAfterCompletion(p["after_completion"], out var afterCompletion) is { } badAfter)
        {
            return badAfter;
        }

        if (ReadRestrictions(p["restrictions"], count: 0, out var restrictions) is { } badRestrictions)
        {
            return badRestrictions;
        }

        if (ReadInactiveMessage(p) is { } badMessage)
        {
            return badMessage;
        }

        if (ReadSubscriptionData(p, mode, out var subscriptionData) is { } badSubscription)
        {
            return badSubscription;
        }

        if (ReadPaymentIntentData(p, mode, out var intentData) is { } badIntent)
        {
            return badIntent;
        }

        if (ReadInvoiceCreation(p, mode, out var invoiceCreation) is { } badInvoice)
        {
            return badInvoice;
        }

        link = new JsonObject
        {
            ["object"] = Type,
            ["active"] = true,
            ["after_completion"] = afterCompletion,
            ["allow_promotion_codes"] = codes ?? false,
            ["application"] = null,
            ["application_fee_amount"] = null,
            ["application_fee_percent"] = null,
            ["automatic_tax"] = new JsonObject { ["enabled"] = false, ["liability"] = null },
            ["billing_address_collection"] = p.Str("billing_address_collection") ?? "auto",
            ["consent_collection"] = null,
            ["currency"] = currency,
            ["custom_fields"] = new JsonArray(),
            ["custom_text"] = new JsonObject { ["after_submit"] = null, ["shipping_address"] = null, ["submit"] = null, ["terms_of_service_acceptance"] = null },
            ["customer_creation"] = p.Str("customer_creation") ?? "if_required",
            ["inactive_message"] = p.Str("inactive_message"),
            ["invoice_creation"] = invoiceCreation,
            ["livemode"] = false,
            ["metadata"] = metadata,
            ["on_behalf_of"] = null,
            ["optional_items"] = new JsonArray(),
            ["payment_intent_data"] = intentData,
            ["payment_method_collection"] = "always",
            ["payment_method_types"] = p["payment_method_types"]?.DeepClone(),
            ["phone_number_collection"] = new JsonObject { ["enabled"] = false },
            ["restrictions"] = restrictions,
            ["shipping_address_collection"] = null,
            ["shipping_options"] = new JsonArray(),
            ["submit_type"] = p.Str("submit_type") ?? "auto",
            ["subscription_data"] = subscriptionData,
            ["tax_id_collection"] = new JsonObject { ["enabled"] = false, ["required"] = "never" },
            ["transfer_data"] = null,
            // Not Stripe fields: what the link sells, and the mode its sessions take.
            ["_line_items"] = new JsonArray([.. lines]),
            ["_mode"] = mode,
        };
        return null;
    }

    private static StripeResponse? ReadChoice(JsonObject p, string name, string[] allowed) =>
        p[name] is null || allowed.Contains(p.Str(name))
            ? null
            : StripeErrors.InvalidParam($"Invalid {name}: must be one of {string.Join(", ", allowed)}", name);

    /// <summary><c>after_completion</c>: the hosted confirmation (the default, with an optional message) or a redirect to a URL.</summary>
    private static StripeResponse? ReadAfterCompletion(JsonNode? node, out JsonObject afterCompletion)
    {
        afterCompletion = new JsonObject { ["hosted_confirmation"] = new JsonObject { ["custom_message"] = null }, ["type"] = "hosted_confirmation" };
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject given || StripeLists.Unknown(given, new HashSet<string> { "type", "hosted_confirmation", "redirect" }) is not null)
        {
            return StripeErrors.InvalidParam("Invalid after_completion: give type, with hosted_confirmation[custom_message] or redirect[url]", "after_completion");
        }

        switch (given.Str("type"))
        {
            case null:
                return StripeErrors.Missing("after_completion[type]");
            case "hosted_confirmation":
                var message = given["hosted_confirmation"].Str("custom_message");
                if (message is { Length: > 500 })
                {
                    return StripeErrors.InvalidParam("Invalid string: must be at most 500 characters", "after_completion[hosted_confirmation][custom_message]");
                }

                afterCompletion["hosted_confirmation"]!["custom_message"] = message;
                return null;
            case "redirect":
                if (given["redirect"].Str("url") is not { } url)
                {
                    return StripeErrors.Missing("after_completion[redirect][url]");
                }

                if (!HttpUrl.IsValid(url.Replace("{CHECKOUT_SESSION_ID}", "x", StringComparison.Ordinal)))
                {
                    return StripeErrors.InvalidParam("Not a valid URL", "after_completion[redirect][url]", "url_invalid");
                }

                afterCompletion = new JsonObject { ["redirect"] = new JsonObject { ["url"] = url }, ["type"] = "redirect" };
                return null;
            default:
                return StripeErrors.InvalidParam("Invalid after_completion[type]: must be one of hosted_confirmation, redirect", "after_completion[type]");
        }
    }

    /// <summary><c>restrictions[completed_sessions][limit]</c>, at least 1; <paramref name="count"/> is how many have completed so far.</summary>
    private static StripeResponse? ReadRestrictions(JsonNode? node, long count, out JsonObject? restrictions)
    {
        restrictions = null;
        if (node is null || (node is JsonValue empty && empty.ToString().Length == 0))
        {
            return null;
        }

        const string Param = "restrictions[completed_sessions][limit]";
        if (node is not JsonObject given || StripeLists.Unknown(given, new HashSet<string> { "completed_sessions" }) is not null
            || given["completed_sessions"] is not JsonObject completed || StripeLists.Unknown(completed, new HashSet<string> { "limit" }) is not null)
        {
            return StripeErrors.InvalidParam("Invalid restrictions: give completed_sessions[limit]", "restrictions");
        }

        if (completed["limit"] is null)
        {
            return StripeErrors.Missing(Param);
        }

        if (!StripeJson.TryLong(completed.Str("limit"), out var limit) || limit < 1)
        {
            return StripeErrors.InvalidParam("This value must be greater than or equal to 1.", Param);
        }

        restrictions = new JsonObject { ["completed_sessions"] = new JsonObject { ["count"] = count, ["limit"] = limit } };
        return null;
    }

    private static StripeResponse? ReadInactiveMessage(JsonObject p) =>
        p.Str("inactive_message") is { Length: > 500 } || (p["inactive_message"] is { } message and not JsonValue)
            ? StripeErrors.InvalidParam("Invalid string: must be at most 500 characters", "inactive_message")
            : null;

    /// <summary><c>subscription_data</c> of a subscription link: <c>metadata</c> and <c>trial_period_days</c>, checked as a Checkout Session checks them.</summary>
    private StripeResponse? ReadSubscriptionData(JsonObject p, string mode, out JsonObject? data)
    {
        data = null;
        if (p["subscription_data"] is null)
        {
            data = mode == "subscription" ? SubscriptionData(null, new JsonObject()) : null;
            return null;
        }

        if (p["subscription_data"] is not JsonObject given)
        {
            return StripeErrors.InvalidParam("Invalid object", "subscription_data");
        }

        if (given.Select(kv => kv.Key).FirstOrDefault(k => k is "description" or "invoice_settings" or "trial_settings") is { } unbuilt)
        {
            return StripeErrors.NotSimulated($"subscription_data[{unbuilt}]", "the subscription a link starts takes its metadata and trial_period_days only");
        }

        if (StripeLists.Unknown(given, new HashSet<string> { "metadata", "trial_period_days" }) is { } unknown)
        {
            return unknown;
        }

        if (mode != "subscription")
        {
            return StripeErrors.InvalidParam("`subscription_data` can only be used with recurring prices.", "subscription_data");
        }

        if (StripeTrials.ReadCheckout(p, mode, StripeJson.Unix(context.Clock.GetUtcNow()), out _) is { } badTrial)
        {
            return badTrial;
        }

        if (!StripeLists.TryMetadata(given, out var metadata, out _))
        {
            return StripeErrors.InvalidParam("Invalid object", "subscription_data[metadata]");
        }

        data = SubscriptionData(StripeJson.TryLong(given.Str("trial_period_days"), out var days) ? days : null, metadata);
        return null;
    }

    private static JsonObject SubscriptionData(long? trialDays, JsonObject metadata) => new()
    {
        ["description"] = null,
        ["invoice_settings"] = new JsonObject { ["issuer"] = new JsonObject { ["type"] = "account" } },
        ["metadata"] = metadata,
        ["trial_period_days"] = trialDays,
        ["trial_settings"] = null,
    };

    /// <summary>
    /// <c>payment_intent_data</c> of a one-time link: <c>description</c>, <c>metadata</c> and <c>setup_future_usage</c> go
    /// to the PaymentIntent its checkouts make; <c>capture_method</c> only as <c>automatic</c> (the sandbox's Checkout captures at once).
    /// </summary>
    private static StripeResponse? ReadPaymentIntentData(JsonObject p, string mode, out JsonObject? data)
    {
        data = null;
        if (p["payment_intent_data"] is null)
        {
            return null;
        }

        if (p["payment_intent_data"] is not JsonObject given)
        {
            return StripeErrors.InvalidParam("Invalid object", "payment_intent_data");
        }

        var unbuilt = given.Select(kv => kv.Key).FirstOrDefault(k => k is "statement_descriptor" or "statement_descriptor_suffix" or "transfer_group");
        if (unbuilt is null && given.Str("capture_method") is { } capture && capture != "automatic")
        {
            unbuilt = "capture_method";
        }

        if (unbuilt is not null)
        {
            return StripeErrors.NotSimulated($"payment_intent_data[{unbuilt}]", "the sandbox's Checkout captures a payment when it is made, with no descriptor or transfer group of its own");
        }

        if (StripeLists.Unknown(given, new HashSet<string> { "description", "metadata", "setup_future_usage", "capture_method" }) is { } unknown)
        {
            return unknown;
        }

        if (mode != "payment")
        {
            return StripeErrors.InvalidParam("`payment_intent_data` can only be used with one-time prices.", "payment_intent_data");
        }

        if (given.Str("setup_future_usage") is not (null or "on_session" or "off_session"))
        {
            return StripeErrors.InvalidParam("Invalid payment_intent_data[setup_future_usage]: must be one of on_session, off_session", "payment_intent_data[setup_future_usage]");
        }

        if (!StripeLists.TryMetadata(given, out var metadata, out _))
        {
            return StripeErrors.InvalidParam("Invalid object", "payment_intent_data[metadata]");
        }

        data = new JsonObject
        {
            ["capture_method"] = given.Str("capture_method"),
            ["description"] = given.Str("description"),
            ["metadata"] = metadata,
            ["setup_future_usage"] = given.Str("setup_future_usage"),
            ["statement_descriptor"] = null,
            ["statement_descriptor_suffix"] = null,
            ["transfer_group"] = null,
        };
        return null;
    }

    /// <summary><c>invoice_creation</c> of a one-time link: only <c>enabled=false</c>, the sandbox's Checkout makes no post-purchase invoice.</summary>
    private static StripeResponse? ReadInvoiceCreation(JsonObject p, string mode, out JsonObject? creation)
    {
        creation = mode == "payment" ? new JsonObject { ["enabled"] = false, ["invoice_data"] = null } : null;
        if (p["invoice_creation"] is null)
        {
            return null;
        }

        if (p["invoice_creation"] is not JsonObject given || given.Select(kv => kv.Key).Any(k => k != "enabled") || given.Str("enabled") == "true")
        {
            return StripeErrors.NotSimulated("invoice_creation", "the sandbox's Checkout makes no post-purchase invoice; only invoice_creation[enabled]=false is taken");
        }

        if (given.Str("enabled") != "false")
        {
            return StripeErrors.InvalidParam("Invalid boolean", "invoice_creation[enabled]");
        }

        return mode == "payment" ? null : StripeErrors.InvalidParam("`invoice_creation` can only be used with one-time prices.", "invoice_creation");
    }
}
