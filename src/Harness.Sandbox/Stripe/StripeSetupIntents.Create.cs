using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Creating, updating and canceling a SetupIntent, and the parameters they read: what the sandbox builds, what it
/// refuses by name as not simulated, and Stripe's own refusals.
/// </summary>
public sealed partial class StripeSetupIntents
{
    /// <summary>Stripe's create parameters the sandbox does not build: refused by name.</summary>
    private static readonly string[] CreateNotSimulated =
    [
        "attach_to_self", "confirmation_token", "customer_account", "excluded_payment_method_types", "flow_directions",
        "on_behalf_of", "payment_method_configuration", "payment_method_data", "single_use", "use_stripe_sdk",
    ];

    private static readonly HashSet<string> CreateParams =
    [
        "customer", "payment_method", "payment_method_types", "automatic_payment_methods", "usage", "description", "metadata",
        "confirm", "return_url", "payment_method_options", "mandate_data", "expand", .. CreateNotSimulated,
    ];

    private static readonly HashSet<string> UpdateParams =
    [
        "customer", "description", "metadata", "payment_method", "payment_method_types", "payment_method_options", "expand",
        "attach_to_self", "customer_account", "excluded_payment_method_types", "flow_directions", "payment_method_configuration", "payment_method_data",
    ];

    private static readonly HashSet<string> CancelParams = ["cancellation_reason", "expand"];
    private static readonly string[] Usages = ["off_session", "on_session"];
    private static readonly string[] ThreeDSecureRequests = ["any", "automatic", "challenge"];
    private static readonly string[] CancellationReasons = ["abandoned", "duplicate", "requested_by_customer"];

    public StripeResponse Create(JsonObject p)
    {
        if (Read(p, CreateParams, out var metadata) is { } bad)
        {
            return bad;
        }

        if (!StripeLists.TryBool(p, "confirm", out var confirm, out var badConfirm))
        {
            return badConfirm!;
        }

        if (p.Str("usage") is { } usage && !Usages.Contains(usage))
        {
            return StripeErrors.InvalidParam($"Invalid usage: must be one of {string.Join(", ", Usages)}", "usage");
        }

        if (p["return_url"] is not null && confirm != true)
        {
            return StripeErrors.InvalidParam("`return_url` can only be used when `confirm` is set to true.", "return_url");
        }

        var now = StripeJson.Unix(context.Clock.GetUtcNow());
        return objects.Atomically(() =>
        {
            var customer = p.Str("customer");
            if (customer is not null && (objects.Get(customer, "customer") is not { } found || found["deleted"] is not null))
            {
                return StripeErrors.NoSuch("customer", customer, "customer");
            }

            string? method = null;
            if (p["payment_method"] is not null && Usable(p.Str("payment_method")!, customer, null, out method) is { } refused)
            {
                return refused;
            }

            var intent = New(customer, now);
            var id = intent.Str("id")!;
            intent["description"] = p.Str("description");
            intent["metadata"] = metadata;
            intent["usage"] = p.Str("usage") ?? "off_session";
            ApplyMethodChoice(intent, p);
            if (method is not null)
            {
                intent["payment_method"] = method;
                intent["status"] = "requires_confirmation";
            }

            objects.Put(intent);
            webhooks.Send(id, [("setup_intent.created", Public(intent, null))]);
            if (confirm != true)
            {
                return StripeResponse.Ok(Public(intent, p));
            }

            return intent.Str("payment_method") is null
                ? Unexpected(intent, MissingMethod, "payment_method")
                : Attempt(intent, p.Str("return_url"), p);
        });
    }

    public StripeResponse Update(string id, JsonObject p)
    {
        if (Read(p, UpdateParams, out var metadata) is { } bad)
        {
            return bad;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } intent)
            {
                return NoSuch(id);
            }

            var status = intent.Str("status")!;
            var changesSetup = p["payment_method"] is not null || p["customer"] is not null || p["payment_method_types"] is not null
                || p["payment_method_options"] is not null || p["automatic_payment_methods"] is not null;
            if (changesSetup && (!Pending.Contains(status) || intent["_checkout"] is not null))
            {
                return Unexpected(intent, intent["_checkout"] is not null
                    ? "You cannot update the payment method of a SetupIntent created by a Checkout Session: the buyer sets it up on the session's page."
                    : $"You cannot update this SetupIntent because it has a status of {status}.");
            }

            var customer = p.Str("customer") ?? intent.Str("customer");
            if (p.Str("customer") is { } given && (objects.Get(given, "customer") is not { } found || found["deleted"] is not null))
            {
                return StripeErrors.NoSuch("customer", given, "customer");
            }

            string? method = null;
            if (p["payment_method"] is not null && Usable(p.Str("payment_method")!, customer, intent, out method) is { } refused)
            {
                return refused;
            }

            intent["customer"] = customer;
            if (p["description"] is not null)
            {
                intent["description"] = p.Str("description") is { Length: > 0 } description ? description : null;
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(intent, metadata, new JsonObject());
            }

            ApplyMethodChoice(intent, p);
            if (method is not null)
            {
                // A new payment method starts the setup afresh: any pending challenge is dropped.
                intent["payment_method"] = method;
                intent["status"] = "requires_confirmation";
                intent["next_action"] = null;
            }

            objects.Put(intent);
            return StripeResponse.Ok(Public(intent, p));
        });
    }

    public StripeResponse Cancel(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, CancelParams) is { } unknown)
        {
            return unknown;
        }

        if (p["cancellation_reason"] is not null && !CancellationReasons.Contains(p.Str("cancellation_reason")))
        {
            return StripeErrors.InvalidParam($"Invalid cancellation_reason: must be one of {string.Join(", ", CancellationReasons)}", "cancellation_reason");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } intent)
            {
                return NoSuch(id);
            }

            var status = intent.Str("status")!;
            if (intent["_checkout"] is not null)
            {
                return Unexpected(intent, "You cannot cancel a SetupIntent created by a Checkout Session. Expire the Checkout Session instead.");
            }

            if (status == "canceled")
            {
                return Unexpected(intent, "You cannot cancel this SetupIntent because it is already canceled.");
            }

            if (!Pending.Contains(status))
            {
                return Unexpected(intent, $"You cannot cancel this SetupIntent because it has a status of {status}. "
                    + "Only a SetupIntent with one of the following statuses may be canceled: `requires_payment_method`, `requires_confirmation`, or `requires_action`.");
            }

            intent["status"] = "canceled";
            intent["cancellation_reason"] = p.Str("cancellation_reason");
            intent["next_action"] = null;
            objects.Put(intent);
            context.Payments.TryClose(id, PaymentStatus.Canceled);
            webhooks.Send(id, [("setup_intent.canceled", Public(intent, null))]);
            return StripeResponse.Ok(Public(intent, p));
        });
    }

    /// <summary>
    /// The parameters create and update share: unknown ones, the ones not simulated, <c>metadata</c>, the payment method
    /// types (only card PaymentMethods exist in the sandbox) and the card options.
    /// </summary>
    private StripeResponse? Read(JsonObject p, HashSet<string> allowed, out JsonObject metadata)
    {
        metadata = new JsonObject();
        if (StripeLists.Unknown(p, allowed) is { } unknown)
        {
            return unknown;
        }

        if (CreateNotSimulated.FirstOrDefault(n => p[n] is not null) is { } notSimulated)
        {
            return StripeErrors.NotSimulated(notSimulated, "the sandbox's SetupIntents set up the sandbox's test PaymentMethods for the account itself");
        }

        if (StripeMandates.Read(p) is { } badMandate)
        {
            return badMandate;
        }

        if (NotText(p, "customer", "description", "usage", "return_url", "payment_method") is { } notText)
        {
            return notText;
        }

        if (p.Str("return_url") is { } returnUrl && !HttpUrl.IsValid(returnUrl))
        {
            return StripeErrors.InvalidParam("Not a valid URL", "return_url", "url_invalid");
        }

        if (!StripeLists.TryMetadata(p, out metadata, out var badMetadata))
        {
            return badMetadata;
        }

        if (p["payment_method"] is not null && !methods.Exists(p.Str("payment_method") ?? ""))
        {
            return StripeErrors.NoSuch("PaymentMethod", StripeLists.Clip(p.Str("payment_method") ?? ""), "payment_method");
        }

        if (p["payment_method_types"] is not null && p["automatic_payment_methods"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: automatic_payment_methods, payment_method_types.", "automatic_payment_methods");
        }

        if (p["payment_method_types"] is { } types)
        {
            if (types is not JsonArray list || list.Count == 0 || list.Any(t => t is not JsonValue))
            {
                return StripeErrors.InvalidParam("Invalid array", "payment_method_types");
            }

            if (list.Select(t => t!.ToString()).FirstOrDefault(t => t is not ("card" or StripeBankDebits.PaymentMethod)) is { } other)
            {
                return StripeErrors.NotSimulated("payment_method_types", $"the sandbox's SetupIntents set up card and {StripeBankDebits.PaymentMethod} PaymentMethods, not {StripeLists.Clip(other)}");
            }
        }

        if (p["automatic_payment_methods"] is { } automatic && (automatic is not JsonObject auto || auto.Str("enabled") is not ("true" or "false")
            || auto.Any(kv => kv.Key is not ("enabled" or "allow_redirects")) || auto.Str("allow_redirects") is not (null or "always" or "never")))
        {
            return StripeErrors.InvalidParam("Invalid automatic_payment_methods: enabled must be true or false, allow_redirects always or never.", "automatic_payment_methods");
        }

        return ReadCardOptions(p);
    }

    /// <summary>Stripe's 400 for the first of <paramref name="names"/> given as something other than a string (an array, a hash).</summary>
    private static StripeResponse? NotText(JsonObject p, params string[] names) =>
        names.FirstOrDefault(n => p[n] is not null && p.Str(n) is null) is { } name ? StripeErrors.InvalidParam("Invalid string", name) : null;

    /// <summary><c>payment_method_options[card][request_three_d_secure]</c>, the one card option the sandbox plays.</summary>
    private static StripeResponse? ReadCardOptions(JsonObject p)
    {
        if (p["payment_method_options"] is not { } options)
        {
            return null;
        }

        if (options is not JsonObject byType || byType["card"] is not JsonObject card)
        {
            return options is JsonObject other && other.Select(kv => kv.Key).FirstOrDefault(k => k != "card") is { } type
                ? StripeErrors.NotSimulated($"payment_method_options[{type}]", "only card PaymentMethods exist in the sandbox")
                : StripeErrors.InvalidParam("Invalid object", "payment_method_options");
        }

        if (byType.Select(kv => kv.Key).FirstOrDefault(k => k != "card") is { } otherType)
        {
            return StripeErrors.NotSimulated($"payment_method_options[{otherType}]", "only card PaymentMethods exist in the sandbox");
        }

        if (card.Select(kv => kv.Key).FirstOrDefault(k => k != "request_three_d_secure") is { } option)
        {
            return StripeErrors.NotSimulated($"payment_method_options[card][{option}]", "the sandbox plays only request_three_d_secure of a card's options");
        }

        return card["request_three_d_secure"] is not null && !ThreeDSecureRequests.Contains(card.Str("request_three_d_secure"))
            ? StripeErrors.InvalidParam($"Invalid payment_method_options[card][request_three_d_secure]: must be one of {string.Join(", ", ThreeDSecureRequests)}", "payment_method_options[card][request_three_d_secure]")
            : null;
    }

    /// <summary>Copies the payment method choices given (types, automatic payment methods, card options) onto the intent.</summary>
    private static void ApplyMethodChoice(JsonObject intent, JsonObject p)
    {
        if (p["payment_method_types"] is JsonArray types)
        {
            intent["payment_method_types"] = new JsonArray([.. types.Select(t => t!.ToString()).Distinct().Select(t => (JsonNode?)t)]);
        }

        if (p["automatic_payment_methods"] is JsonObject automatic)
        {
            intent["automatic_payment_methods"] = automatic.Str("enabled") == "true"
                ? new JsonObject { ["allow_redirects"] = automatic.Str("allow_redirects") ?? "always", ["enabled"] = true }
                : new JsonObject { ["enabled"] = false };
        }

        if (p["payment_method_options"]?["card"].Str("request_three_d_secure") is { } request)
        {
            intent["payment_method_options"] = CardOptions(request);
        }
    }

    /// <summary>
    /// Whether <paramref name="id"/> may be set up for <paramref name="customer"/>: not another customer's, not used up.
    /// <paramref name="methodId"/> is the stored PaymentMethod (a fresh one for a test id). Refusals carry the intent
    /// when there is one, as Stripe's do.
    /// </summary>
    private StripeResponse? Usable(string id, string? customer, JsonObject? intent, out string? methodId)
    {
        methodId = null;
        if (methods.Materialize(id) is not { } method)
        {
            return StripeErrors.NoSuch("PaymentMethod", StripeLists.Clip(id), "payment_method");
        }

        methodId = method.Str("id");

        var owner = method.Str("customer");
        string? message = owner is null || owner == customer ? null
            : customer is null ? $"The payment method supplied ({method.Str("id")}) belongs to the Customer {owner}. Please include the Customer in the `customer` parameter on the SetupIntent."
            : $"The PaymentMethod {method.Str("id")} does not belong to the Customer you supplied {customer}. Please use this PaymentMethod with the Customer that it belongs to instead.";
        if (message is not null)
        {
            var refusal = StripeErrors.InvalidParam(message, "payment_method");
            refusal.Body["error"]!.AsObject().Remove("code");
            refusal.Body["error"]!.AsObject().Remove("doc_url");
            if (intent is not null)
            {
                refusal.Body["error"]!["setup_intent"] = Public(intent, null);
            }

            return refusal;
        }

        return methods.Use(method.Str("id")!, customer).Refusal;
    }
}
