using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The PaymentIntents API (docs.stripe.com/api/payment_intents), the integration Stripe Elements and the mobile SDKs
/// use: create, update, confirm with a test PaymentMethod (<see cref="StripeTestPaymentMethods"/>), 3-D Secure through
/// the hosted page, manual capture and cancel, with the charge and the webhooks Stripe sends at each step. Every
/// PaymentIntent is also a sandbox payment: its hosted page plays the Payment Element (a test card confirms it) or
/// the 3-D Secure challenge.
/// </summary>
public sealed partial class StripePaymentIntents(SandboxContext context, ProviderObjects objects, StripeWebhooks webhooks, StripePaymentMethods methods, StripeAuthorizations authorizations, StripeDisputes disputes)
{
    public const string Type = "payment_intent";
    public const string Path = "/v1/payment_intents";

    internal static readonly DateTime NeverExpires = new(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Stripe's largest amount for a charge (99,999,999 in the smallest unit).</summary>
    private const long MaxAmount = 99_999_999;

    private static readonly HashSet<string> CreateParams =
    [
        "amount", "currency", "customer", "description", "metadata", "payment_method", "payment_method_types", "automatic_payment_methods",
        "confirm", "capture_method", "return_url", "receipt_email", "setup_future_usage", "off_session", "statement_descriptor",
        "statement_descriptor_suffix", "error_on_requires_action", "mandate", "mandate_data", "expand",
    ];

    private static readonly HashSet<string> UpdateParams =
        ["amount", "currency", "customer", "description", "metadata", "payment_method", "receipt_email", "setup_future_usage", "capture_method", "expand"];

    private static readonly HashSet<string> CaptureParams = ["amount_to_capture", "metadata", "expand", "statement_descriptor"];
    private static readonly HashSet<string> CancelParams = ["cancellation_reason", "expand"];

    /// <summary>The fields an update copies as they come.</summary>
    private static readonly string[] PlainUpdates = ["description", "receipt_email", "setup_future_usage", "capture_method", "customer"];

    private static readonly HashSet<string> ConfirmParams = ["payment_method", "return_url", "off_session", "error_on_requires_action", "receipt_email", "mandate", "mandate_data", "expand"];

    private static readonly string[] CaptureMethods = ["automatic", "automatic_async", "manual"];
    private static readonly string[] CancellationReasons = ["duplicate", "fraudulent", "requested_by_customer", "abandoned"];
    private static readonly string[] Cancelable = ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"];

    /// <summary>The smallest amount Stripe charges, by currency (its "minimum charge amounts"); 1 for the others.</summary>
    private static readonly Dictionary<string, long> Minimums = new(StringComparer.Ordinal)
    {
        ["usd"] = 50, ["eur"] = 50, ["gbp"] = 30, ["cad"] = 50, ["aud"] = 50, ["jpy"] = 50, ["chf"] = 50, ["cny"] = 400, ["hkd"] = 400, ["sgd"] = 50, ["twd"] = 1500,
    };

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (ReadCurrency(p, required: true, out var currency) is { } badCurrency)
        {
            return badCurrency;
        }

        if (ReadAmount(p, required: true, out var amount) is { } badAmount)
        {
            return badAmount;
        }

        if ((CheckTypes(p, currency!) ?? StripeMandates.Read(p)) is { } badChoice)
        {
            return badChoice;
        }

        if (Common(p, out var metadata, out var methodId) is { } bad)
        {
            return bad;
        }

        if (!StripeLists.TryBool(p, "confirm", out var confirm, out var badConfirm) || !StripeLists.TryBool(p, "off_session", out var offSession, out badConfirm))
        {
            return badConfirm!;
        }

        if (offSession == true && confirm != true)
        {
            return StripeErrors.InvalidParam("`off_session` can only be used when `confirm` is set to true.", "off_session");
        }

        if (confirm == true && methodId is null)
        {
            return Unexpected("You cannot confirm this PaymentIntent because it's missing a payment method. Create it with a payment_method, or confirm it later with one.", "payment_method");
        }

        var now = StripeJson.Unix(context.Clock.GetUtcNow());
        return objects.Atomically(() =>
        {
            if (p.Str("customer") is { } customer && objects.Get(customer, "customer") is null)
            {
                return StripeErrors.NoSuch("customer", customer, "customer");
            }

            var (method, refused) = methodId is null ? (null, null) : methods.Use(methodId, p.Str("customer"));
            if (refused is not null)
            {
                return refused;
            }

            var automatic = p["automatic_payment_methods"] is JsonObject auto && auto.Str("enabled") == "true";
            var intent = New(amount, currency!, p.Str("customer"), p.Str("description"), metadata, method?.Id, now);
            var id = intent.Str("id")!;
            intent["automatic_payment_methods"] = automatic ? new JsonObject { ["allow_redirects"] = "always", ["enabled"] = true } : null;
            intent["capture_method"] = p.Str("capture_method") ?? "automatic_async";
            intent["payment_method_types"] = p["payment_method_types"]?.DeepClone() ?? new JsonArray("card");
            intent["receipt_email"] = p.Str("receipt_email");
            intent["setup_future_usage"] = p.Str("setup_future_usage");
            intent["statement_descriptor"] = p.Str("statement_descriptor");
            intent["statement_descriptor_suffix"] = p.Str("statement_descriptor_suffix");
            Open(intent, p.Str("description") ?? "PaymentIntent");
            webhooks.Send(id, [("payment_intent.created", Public(intent, null))]);
            return confirm == true ? Attempt(intent, method, p.Str("return_url"), offSession == true, p) : StripeResponse.Ok(Public(intent, p));
        });
    }

    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (ReadCurrency(p, required: false, out var currency) is { } badCurrency)
        {
            return badCurrency;
        }

        if (ReadAmount(p, required: false, out var amount) is { } badAmount)
        {
            return badAmount;
        }

        if (Common(p, out var metadata, out var methodId) is { } bad)
        {
            return bad;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } intent)
            {
                return StripeErrors.NoSuch(Type, id, "intent");
            }

            var status = intent.Str("status");
            var changesPayment = p["amount"] is not null || p["currency"] is not null || p["payment_method"] is not null || p["capture_method"] is not null;
            if (changesPayment && status is not ("requires_payment_method" or "requires_confirmation" or "requires_action"))
            {
                return Unexpected($"You cannot update this PaymentIntent because it has a status of {status}. Updates to amount, currency, payment_method and capture_method are only allowed while it requires a payment method, confirmation or action.");
            }

            if (p.Str("customer") is { } customer && objects.Get(customer, "customer") is null)
            {
                return StripeErrors.NoSuch("customer", customer, "customer");
            }

            var (method, refused) = methodId is null ? (null, null) : methods.Use(methodId, p.Str("customer") ?? intent.Str("customer"));
            if (refused is not null)
            {
                return refused;
            }

            foreach (var field in PlainUpdates)
            {
                if (p.Str(field) is { } value)
                {
                    intent[field] = value;
                }
            }

            if (p["metadata"] is not null)
            {
                var merged = (JsonObject)intent["metadata"]!;
                foreach (var (key, value) in metadata)
                {
                    merged[key] = value?.DeepClone();
                }
            }

            if (p["amount"] is not null || p["currency"] is not null)
            {
                intent["amount"] = p["amount"] is null ? intent["amount"]!.GetValue<long>() : amount;
                intent["currency"] = currency ?? intent.Str("currency");
                context.Payments.Revise(id, intent["amount"]!.GetValue<long>(), intent.Str("currency")!);
            }

            if (method is not null)
            {
                // A new payment method starts the attempt afresh: any pending challenge is dropped.
                intent["payment_method"] = method.Id;
                intent["status"] = "requires_confirmation";
                intent["next_action"] = null;
            }

            objects.Put(intent);
            return StripeResponse.Ok(Public(intent, p));
        });
    }

    public StripeResponse Confirm(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, ConfirmParams) is { } unknown)
        {
            return unknown;
        }

        if (StripeMandates.Read(p) is { } badMandate)
        {
            return badMandate;
        }

        if (Common(p, out _, out var methodId) is { } bad)
        {
            return bad;
        }

        if (!StripeLists.TryBool(p, "off_session", out var offSession, out var badFlag))
        {
            return badFlag!;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } intent)
            {
                return StripeErrors.NoSuch(Type, id, "intent");
            }

            if (intent.Str("status") is "succeeded" or "requires_capture" or "canceled" or "processing")
            {
                return Unexpected($"You cannot confirm this PaymentIntent because it has a status of {intent.Str("status")}.");
            }

            if (p.Str("receipt_email") is { } email)
            {
                intent["receipt_email"] = email;
            }

            var (method, refused) = methodId is null ? (methods.Find(intent.Str("payment_method")), null) : methods.Use(methodId, intent.Str("customer"));
            return refused ?? Attempt(intent, method, p.Str("return_url"), offSession == true, p);
        });
    }

    public StripeResponse Retrieve(string id, JsonObject query) =>
        objects.Get(id, Type) is { } intent ? StripeResponse.Ok(Public(intent, query)) : StripeErrors.NoSuch(Type, id, "intent");

    public StripeResponse List(JsonObject query)
    {
        var items = objects.Newest(Type, query.Str("starting_after"));
        if (query.Str("customer") is { } customer)
        {
            items = items.Where(i => i.Str("customer") == customer);
        }

        return StripeLists.Page(Path, items, query, i => Public(i, null));
    }

    private static StripeResponse Unexpected(string message, string? param = null) =>
        StripeErrors.Envelope(400, "invalid_request_error", message, "payment_intent_unexpected_state", param);

    /// <summary><c>metadata</c>, <c>capture_method</c> and <c>payment_method</c> as create, update and confirm read them.</summary>
    private StripeResponse? Common(JsonObject p, out JsonObject metadata, out string? methodId)
    {
        methodId = null;
        if (!StripeLists.TryMetadata(p, out metadata, out var error))
        {
            return error;
        }

        if (p.Str("capture_method") is { } capture && !CaptureMethods.Contains(capture))
        {
            return StripeErrors.InvalidParam($"Invalid capture_method: must be one of {string.Join(", ", CaptureMethods)}", "capture_method");
        }

        if (p["payment_method"] is not null)
        {
            methodId = p.Str("payment_method") ?? "";
            if (!methods.Exists(methodId))
            {
                return StripeErrors.NoSuch("PaymentMethod", StripeLists.Clip(methodId), "payment_method");
            }
        }

        return null;
    }

    private static StripeResponse? ReadAmount(JsonObject p, bool required, out long amount)
    {
        amount = 0;
        if (p["amount"] is null)
        {
            return required ? StripeErrors.Missing("amount") : null;
        }

        if (!StripeJson.TryLong(p.Str("amount"), out amount))
        {
            return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(p["amount"]!.ToJsonString())}", "amount");
        }

        var currency = p.Str("currency")?.ToLowerInvariant() ?? "usd";
        var minimum = Minimums.GetValueOrDefault(currency, 1);
        if (amount < minimum)
        {
            return StripeErrors.InvalidParam($"Amount must be at least {minimum} {currency}", "amount", "amount_too_small");
        }

        return amount > MaxAmount
            ? StripeErrors.InvalidParam($"Amount must be no more than {MaxAmount} {currency}", "amount", "amount_too_large")
            : null;
    }

    private static StripeResponse? ReadCurrency(JsonObject p, bool required, out string? currency)
    {
        currency = p.Str("currency")?.ToLowerInvariant();
        if (p["currency"] is null)
        {
            return required ? StripeErrors.Missing("currency") : null;
        }

        return currency is { Length: 3 } && currency.All(char.IsAsciiLetterLower)
            ? null
            : StripeErrors.InvalidParam($"Invalid currency: {StripeLists.Clip(p["currency"]!.ToJsonString())}. Stripe currencies are three-letter ISO codes, in lowercase.", "currency", "invalid_currency");
    }

    /// <summary>
    /// What the merchant sees: no sandbox fields, with <c>expand[]</c> of <c>latest_charge</c> (or
    /// <c>latest_charge.balance_transaction</c>, how a backend reads its fee), <c>customer</c> or <c>payment_method</c>.
    /// </summary>
    private JsonObject Public(JsonObject intent, JsonObject? query)
    {
        var copy = StripeLists.Public(intent);
        foreach (var field in (query?["expand"] as JsonArray)?.OfType<JsonValue>().Select(e => e.GetValue<string>()) ?? [])
        {
            if (field is "latest_charge" or "latest_charge.balance_transaction" && LatestCharge(copy) is { } charge)
            {
                if (field is "latest_charge.balance_transaction")
                {
                    StripeBalance.Expand(objects, charge, "balance_transaction", StripeJson.Unix(context.Clock.GetUtcNow()));
                }

                copy["latest_charge"] = charge;
            }
            else if (field is "customer" && copy.Str(field) is { } customerId)
            {
                copy[field] = objects.Get(customerId, "customer")?.DeepClone() ?? copy[field]?.DeepClone();
            }
            else if (field is "payment_method" && methods.View(copy.Str(field)) is { } method)
            {
                copy[field] = method;
            }
        }

        return copy;
    }

    /// <summary>The intent's latest charge as a public object, whether <paramref name="copy"/> already holds it expanded or only its id.</summary>
    private JsonObject? LatestCharge(JsonObject copy) => copy["latest_charge"] switch
    {
        JsonObject expanded => expanded,
        JsonValue id when objects.Get(id.ToString(), "charge") is { } charge => StripeLists.Public(charge),
        _ => null,
    };
}
