using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>Checkout Sessions: create, retrieve, list, expire, line items, and what paying one creates.</summary>
public sealed partial class CheckoutSessions(SandboxContext context, ProviderObjects objects, StripeCatalog catalog, StripeBilling billing, StripePaymentMethods methods, StripeDiscounts discounts)
{
    private const string Type = "checkout.session";

    /// <summary>Stripe amounts have at most eight digits: 99,999,999 minor units ($999,999.99), per price and per session.</summary>
    private const long MaxAmount = StripeCatalog.MaxAmount;

    /// <summary>The largest line-item quantity Stripe documents (the ceiling of <c>adjustable_quantity[maximum]</c>).</summary>
    private const long MaxQuantity = 999_999;

    private static readonly HashSet<string> CreateParams =
    [
        "mode", "line_items", "success_url", "cancel_url", "client_reference_id", "customer", "customer_email", "customer_creation",
        "metadata", "allow_promotion_codes", "expires_at", "payment_method_types", "subscription_data", "ui_mode", "expand",
        "locale", "payment_intent_data", "billing_address_collection", "submit_type", "currency", "saved_payment_method_options", "discounts",
    ];


    private static readonly string[] Modes = ["payment", "subscription", "setup"];

    public StripeResponse Create(JsonObject p) => Create(p, NoInlinePrices);

    /// <summary>A session of <paramref name="p"/>, whose lines may name <paramref name="inlinePrices"/> (a payment link's own, inactive) by id.</summary>
    private StripeResponse Create(JsonObject p, IReadOnlySet<string> inlinePrices)
    {
        if (p.Select(kv => kv.Key).FirstOrDefault(k => !CreateParams.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {unknown}", unknown, "parameter_unknown");
        }

        var mode = p.Str("mode");
        if (mode is null)
        {
            return StripeErrors.Missing("mode");
        }

        if (!Modes.Contains(mode))
        {
            return StripeErrors.InvalidParam($"Invalid mode: must be one of {string.Join(", ", Modes)}", "mode");
        }

        if (p.Str("ui_mode") is { } ui && ui != "hosted")
        {
            return StripeErrors.InvalidParam("The sandbox only hosts Checkout pages: ui_mode must be hosted.", "ui_mode");
        }

        if (p.Str("customer_creation") is { } creation)
        {
            if (creation is not ("always" or "if_required"))
            {
                return StripeErrors.InvalidParam("Invalid customer_creation: must be one of always, if_required", "customer_creation");
            }

            // A subscription always has a customer, so there is nothing to choose.
            if (mode == "subscription")
            {
                return StripeErrors.InvalidParam("`customer_creation` can only be used in `payment` and `setup` mode.", "customer_creation");
            }
        }

        if (p["metadata"] is { } metadata and not JsonObject)
        {
            return StripeErrors.InvalidParam("Invalid object", "metadata");
        }

        var now = context.Clock.GetUtcNow();
        var expiresAt = now.AddHours(24);
        if (p.Str("expires_at") is { } expiresText)
        {
            if (!StripeJson.TryLong(expiresText, out var unix))
            {
                return StripeErrors.InvalidParam($"Invalid integer: {expiresText}", "expires_at");
            }

            // Compared as numbers first: a timestamp beyond year 9999 has no DateTimeOffset.
            if (unix < StripeJson.Unix(now.AddMinutes(30)) || unix > StripeJson.Unix(now.AddHours(24)))
            {
                return StripeErrors.InvalidParam("The `expires_at` timestamp must be at least 30 minutes and at most 24 hours after Checkout Session creation.", "expires_at");
            }

            expiresAt = DateTimeOffset.FromUnixTimeSeconds(unix);
        }

        string? customerId = null;
        if (p.Str("customer") is { } customer)
        {
            if (objects.Get(customer, "customer") is not { } found || found["deleted"] is not null)
            {
                return StripeErrors.NoSuch("customer", customer, "customer");
            }

            customerId = customer;
        }

        if (p.Str("success_url") is { } success && !IsAbsoluteUrl(success))
        {
            return StripeErrors.InvalidParam("Not a valid URL", "success_url", "url_invalid");
        }

        if (p.Str("cancel_url") is { } cancel && !IsAbsoluteUrl(cancel))
        {
            return StripeErrors.InvalidParam("Not a valid URL", "cancel_url", "url_invalid");
        }

        var items = ReadLineItems(p["line_items"], mode, inlinePrices, out var error);
        if (error is not null)
        {
            return error;
        }

        var currency = items.Count > 0 ? items[0].Price.Str("currency")! : (p.Str("currency") ?? "usd");
        if (StripeBankDebits.Check(p["payment_method_types"], currency) is { } refused)
        {
            return refused;
        }

        var total = items.Sum(i => i.Amount);
        if (total > MaxAmount)
        {
            return StripeErrors.InvalidParam(
                $"The Checkout Session's total amount due must be no more than {StripeCatalog.CheckoutAmount(MaxAmount, currency)}.", "line_items", "amount_too_large");
        }

        if (StripeTrials.ReadCheckout(p, mode, StripeJson.Unix(now), out var trial) is { } badTrial)
        {
            return badTrial;
        }

        if (StripeAnchors.ReadCheckout(p, mode, items.FirstOrDefault(i => i.Price["recurring"] is JsonObject)?.Price["recurring"], StripeJson.Unix(now), trial, out var anchor) is { } badAnchor)
        {
            return badAnchor;
        }

        if (ReadIntentData(p, mode, out var intentData) is { } badIntentData)
        {
            return badIntentData;
        }

        // With a trial only one-time items are due now: the recurring ones are first charged when it ends.
        total = trial is null ? total : items.Where(i => i.Price["recurring"] is not JsonObject).Sum(i => i.Amount);
        if (ReadDiscount(p, customerId, items, trial, currency, out var discount) is { } badDiscount)
        {
            return badDiscount;
        }

        if (ReadDefaultTaxRates(p, mode, items, out var defaultTaxRates) is { } badTaxRates)
        {
            return badTaxRates;
        }

        var id = StripeJson.NewId("cs_test");
        var session = new JsonObject
        {
            ["id"] = id,
            ["object"] = Type,
            ["after_expiration"] = null,
            ["allow_promotion_codes"] = p.Str("allow_promotion_codes") == "true",
            ["amount_subtotal"] = total,
            ["amount_total"] = total,
            ["automatic_tax"] = new JsonObject { ["enabled"] = false, ["liability"] = null, ["status"] = null },
            ["billing_address_collection"] = p.Str("billing_address_collection"),
            ["cancel_url"] = p.Str("cancel_url"),
            ["client_reference_id"] = p.Str("client_reference_id"),
            ["created"] = StripeJson.Unix(now),
            ["currency"] = currency,
            ["custom_fields"] = new JsonArray(),
            ["custom_text"] = new JsonObject { ["after_submit"] = null, ["shipping_address"] = null, ["submit"] = null, ["terms_of_service_acceptance"] = null },
            ["customer"] = customerId,
            ["customer_creation"] = customerId is null && mode != "subscription" ? (p.Str("customer_creation") ?? "if_required") : null,
            ["customer_details"] = null,
            ["customer_email"] = p.Str("customer_email"),
            ["expires_at"] = StripeJson.Unix(expiresAt),
            ["invoice"] = null,
            ["livemode"] = false,
            ["locale"] = p.Str("locale"),
            ["metadata"] = p["metadata"]?.DeepClone() ?? new JsonObject(),
            ["mode"] = mode,
            ["payment_intent"] = null,
            ["payment_link"] = null,
            ["payment_method_types"] = p["payment_method_types"]?.DeepClone() ?? new JsonArray("card"),
            ["payment_status"] = mode == "setup" ? "no_payment_required" : "unpaid",
            ["setup_intent"] = mode == "setup" ? StripeSetupIntents.Open(objects, customerId, StripeJson.Unix(now)) : null,
            ["shipping_options"] = new JsonArray(),
            ["status"] = "open",
            ["submit_type"] = p.Str("submit_type"),
            ["subscription"] = null,
            ["success_url"] = p.Str("success_url"),
            ["total_details"] = new JsonObject { ["amount_discount"] = 0, ["amount_shipping"] = 0, ["amount_tax"] = 0 },
            ["ui_mode"] = "hosted",
            ["url"] = context.PayPageUrl(id),
            // Not Stripe fields: kept for line_items and subscription_data, stripped before answering.
            ["_line_items"] = new JsonArray([.. items.Select(i => i.ToJson())]),
            ["_tax_rates"] = items.Any(i => i.TaxRates.Count > 0) || defaultTaxRates.Count > 0
                ? new JsonArray([.. items.Select(i => (JsonNode)new JsonArray([.. i.TaxRates.Select(r => (JsonNode)r.Str("id")!)]))])
                : null,
            ["_default_tax_rates"] = new JsonArray([.. defaultTaxRates.Select(r => (JsonNode)r.Str("id")!)]),
            ["_subscription_metadata"] = p["subscription_data"] is JsonObject sd ? sd["metadata"]?.DeepClone() : null,
            ["_trial"] = trial,
            ["_anchor"] = anchor is null ? null : StripeAnchors.ToJson(anchor),
            ["_setup_future_usage"] = intentData.FutureUsage,
            ["_save_card"] = intentData.Save,
            ["_intent_description"] = intentData.Description,
            ["_intent_metadata"] = intentData.Metadata,
        };
        if (discount is not null)
        {
            discount["checkout_session"] = id;
        }

        ProrateToAnchor(session, StripeJson.Unix(now));
        Discount(session, discount);
        objects.Put(session);
        context.Payments.Add(new SandboxPayment
        {
            Id = id,
            Provider = "stripe",
            Status = PaymentStatus.Open,
            Amount = session["amount_total"]!.GetValue<long>(),
            Currency = currency,
            Description = string.Join(", ", items.Select(i => i.Description)) is { Length: > 0 } d ? d : "Checkout",
            MerchantReference = p.Str("client_reference_id"),
            CreatedAt = now.UtcDateTime,
            ExpiresAt = expiresAt.UtcDateTime,
        });
        return StripeResponse.Ok(Public(session, p));
    }

    /// <summary>The session as a retrieve answers it, or null.</summary>
    public JsonObject? Shown(string id) => objects.Get(id, Type) is { } session ? Public(session, null) : null;

    public StripeResponse Retrieve(string id, JsonObject query) =>
        objects.Get(id, Type) is { } session ? StripeResponse.Ok(Public(session, query)) : StripeErrors.NoSuch(Type, id, "session");

    public StripeResponse List(JsonObject query)
    {
        IEnumerable<JsonObject> sessions = objects.Newest(Type, query.Str("starting_after"));
        foreach (var filter in new[] { "customer", "payment_intent", "payment_link", "subscription", "status", "client_reference_id" })
        {
            if (query.Str(filter) is { } value)
            {
                sessions = sessions.Where(s => s.Str(filter) == value);
            }
        }

        return StripeLists.Page("/v1/checkout/sessions", sessions, query, s => Public(s, query));
    }

    public StripeResponse LineItems(string id)
    {
        if (objects.Get(id, Type) is not { } session)
        {
            return StripeErrors.NoSuch(Type, id, "session");
        }

        return StripeResponse.Ok(StripeJson.List($"/v1/checkout/sessions/{id}/line_items", ((JsonArray)session["_line_items"]!).Select(StripeTiers.Hidden), false));
    }

    /// <summary>The merchant expires an open session; anything else is a 400, as at Stripe.</summary>
    public StripeResponse Expire(string id, StripeWebhooks webhooks)
    {
        if (objects.Get(id, Type) is not { } session)
        {
            return StripeErrors.NoSuch(Type, id, "session");
        }

        if (!context.Payments.TryClose(id, PaymentStatus.Expired))
        {
            return StripeErrors.InvalidParam(
                $"Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{session.Str("status")}\".", null);
        }

        var expired = MarkExpired(id);
        webhooks.Send(id, [("checkout.session.expired", Public(expired, null))]);
        return StripeResponse.Ok(Public(expired, null));
    }

    public JsonObject MarkExpired(string id)
    {
        var session = objects.Get(id, Type)!;
        session["status"] = "expired";
        session["url"] = null;
        objects.Put(session);
        StripeSetupIntents.Cancel(objects, session.Str("setup_intent"));
        return session;
    }

    /// <summary>What the merchant sees: the stored session without the sandbox's own fields, with <c>expand[]</c> applied.</summary>
    public JsonObject Public(JsonObject session, JsonObject? query)
    {
        var copy = StripeLists.Public(session);
        if (query?["expand"] is JsonArray expand)
        {
            // Form leaves are strings; an entry sent as an object (expand[0][x]=1) names no field.
            foreach (var field in expand.OfType<JsonValue>().Select(e => e.GetValue<string>()))
            {
                if (field == "line_items")
                {
                    copy["line_items"] = StripeJson.List($"/v1/checkout/sessions/{copy.Str("id")}/line_items", ((JsonArray)session["_line_items"]!).Select(StripeTiers.Hidden), false);
                }
                else if (field is "customer" or "payment_intent" or "subscription" or "invoice" or "setup_intent" && copy.Str(field) is { } refId)
                {
                    copy[field] = objects.Get(refId, field)?.DeepClone() ?? copy[field]?.DeepClone();
                }
            }
        }

        return copy;
    }

    private static bool IsAbsoluteUrl(string url) => HttpUrl.IsValid(url.Replace("{CHECKOUT_SESSION_ID}", "x", StringComparison.Ordinal));

    internal static string ReplaceSessionTemplate(string url, string id) =>
        url.Replace("{CHECKOUT_SESSION_ID}", id, StringComparison.Ordinal);
}
