using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// PaymentMethods (docs.stripe.com/api/payment_methods): card PaymentMethods made from Stripe's test tokens
/// (<c>card[token]=tok_visa</c>) or from its <c>pm_card_…</c> test ids, which, as at Stripe, make a fresh <c>pm_…</c>
/// object wherever they are used; saved to customers (attach, detach) and charged later. Each keeps the outcome of
/// the test card it stands for, so a declining card declines whenever it is charged. A PaymentMethod used without a
/// customer, or detached from one, cannot be used again, as at Stripe.
/// </summary>
public sealed partial class StripePaymentMethods(SandboxContext context, ProviderObjects objects, StripeWebhooks webhooks)
{
    public const string Type = "payment_method";
    public const string Path = "/v1/payment_methods";

    /// <summary>The code of the state refusals; Stripe documents it for "the PaymentMethod's state was incompatible with the operation".</summary>
    private const string UnexpectedState = "payment_method_unexpected_state";

    private const string Consumed = "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.";

    private static readonly HashSet<string> CreateParams = ["type", "card", "sepa_debit", "billing_details", "metadata", "allow_redisplay", "expand"];
    private static readonly HashSet<string> UpdateParams = ["billing_details", "metadata", "allow_redisplay", "expand"];
    private static readonly HashSet<string> AttachParams = ["customer", "expand"];
    private static readonly HashSet<string> DetachParams = ["expand"];
    private static readonly string[] BillingFields = ["email", "name", "phone"];
    private static readonly string[] AddressFields = ["city", "country", "line1", "line2", "postal_code", "state"];
    private static readonly string[] Redisplay = ["always", "limited", "unspecified"];

    /// <summary>Declines that Stripe's check of a card on attaching already meets: such a card cannot be saved.</summary>
    internal static readonly CardOutcome[] RefusedOnAttach = [CardOutcome.Declined, CardOutcome.InsufficientFunds, CardOutcome.ExpiredCard, CardOutcome.IncorrectCvc];

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("type") is not { } type)
        {
            return StripeErrors.Missing("type");
        }

        if (type is not ("card" or StripeBankDebits.PaymentMethod))
        {
            return StripeErrors.NotSimulated("type", $"the sandbox builds card and {StripeBankDebits.PaymentMethod} PaymentMethods, not {StripeLists.Clip(type)}");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error))
        {
            return error!;
        }

        if (ReadBilling(p, new JsonObject(), out var billing) is { } badBilling)
        {
            return badBilling;
        }

        if (ReadRedisplay(p) is { } badRedisplay)
        {
            return badRedisplay;
        }

        if (type == StripeBankDebits.PaymentMethod)
        {
            return CreateSepaDebit(p, billing, metadata);
        }

        if (p["card"] is not JsonObject card)
        {
            return p["card"] is null ? StripeErrors.Missing("card") : StripeErrors.InvalidParam("Invalid object", "card");
        }

        if (card["number"] is not null)
        {
            return StripeErrors.InvalidParam(
                "The sandbox takes no raw card numbers, as Stripe refuses them unless raw card data is enabled: pass a test token in card[token] (tok_visa, …) or use a pm_card_… test id.", "card[number]");
        }

        if (card.Str("token") is not { } token)
        {
            return StripeErrors.Missing("card[token]");
        }

        if (StripeTestPaymentMethods.FindToken(token) is not { } test)
        {
            return StripeErrors.NoSuch("token", StripeLists.Clip(token), "card[token]");
        }

        var method = Store(test, billing, metadata, p.Str("allow_redisplay"));
        return StripeResponse.Ok(StripeLists.Public(method));
    }

    /// <summary>A stored PaymentMethod, or a test id read as its card (reading one makes nothing).</summary>
    public StripeResponse Retrieve(string id)
    {
        if (objects.Get(id, Type) is { } method)
        {
            return StripeResponse.Ok(StripeLists.Public(method));
        }

        return StripeTestPaymentMethods.Find(id) is { } test
            ? StripeResponse.Ok(StripeLists.Public(New(test, id, new JsonObject(), new JsonObject(), null)))
            : NoSuch(id);
    }

    /// <summary><c>billing_details</c>, <c>metadata</c> and <c>allow_redisplay</c> of a saved PaymentMethod, with <c>payment_method.updated</c>.</summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error))
        {
            return error!;
        }

        if (ReadRedisplay(p) is { } badRedisplay)
        {
            return badRedisplay;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } method)
            {
                return NoSuch(id);
            }

            if (method.Str("customer") is null)
            {
                return State("You must save this PaymentMethod to a customer before you can update it.");
            }

            var previous = new JsonObject();
            if (p["billing_details"] is not null)
            {
                var current = (JsonObject)method["billing_details"]!;
                if (ReadBilling(p, (JsonObject)current.DeepClone(), out var billing) is { } badBilling)
                {
                    return badBilling;
                }

                previous["billing_details"] = current.DeepClone();
                method["billing_details"] = billing;
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(method, metadata, previous);
            }

            if (p.Str("allow_redisplay") is { } redisplay)
            {
                previous["allow_redisplay"] = method.Str("allow_redisplay");
                method["allow_redisplay"] = redisplay;
            }

            objects.Put(method);
            webhooks.Send(id, [new StripeEvent("payment_method.updated", StripeLists.Public(method), previous)]);
            return StripeResponse.Ok(StripeLists.Public(method));
        });
    }

    /// <summary>Saves the PaymentMethod (or a fresh one for a test id) to the customer, with <c>payment_method.attached</c>.</summary>
    public StripeResponse Attach(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, AttachParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("customer") is not { } customer)
        {
            return StripeErrors.Missing("customer");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(customer, "customer") is not { } found || found["deleted"] is not null)
            {
                return StripeErrors.NoSuch("customer", customer, "customer");
            }

            if (Materialize(id) is not { } method)
            {
                return NoSuch(id);
            }

            if (Save(method, customer) is { } refused)
            {
                return refused;
            }

            return StripeResponse.Ok(StripeLists.Public(method));
        });
    }

    /// <summary>Takes the PaymentMethod off its customer for good, with <c>payment_method.detached</c>.</summary>
    public StripeResponse Detach(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, DetachParams) is { } unknown)
        {
            return unknown;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } method)
            {
                return NoSuch(id);
            }

            if (method.Str("customer") is not { } customerId)
            {
                return State("The payment method you provided is not attached to a customer so detachment is impossible.");
            }

            method["customer"] = null;
            method["_consumed"] = true;
            objects.Put(method);
            // A customer's default that is gone is no default any more.
            if (objects.Get(customerId, "customer") is { } customer && customer["invoice_settings"]?.Str("default_payment_method") == id)
            {
                customer["invoice_settings"]!["default_payment_method"] = null;
                objects.Put(customer);
            }

            webhooks.Send(id, [new StripeEvent("payment_method.detached", StripeLists.Public(method), new JsonObject { ["customer"] = customerId })]);
            return StripeResponse.Ok(StripeLists.Public(method));
        });
    }

    /// <summary><c>GET /v1/payment_methods</c>: every PaymentMethod, or a customer's (<c>customer</c>), of a <c>type</c>, newest first.</summary>
    public StripeResponse List(JsonObject query) =>
        query.Str("customer") is { } customer ? ListFor(customer, query, Path) : StripeLists.Page(Path, Filtered(query), query);

    /// <summary><c>GET /v1/customers/{id}/payment_methods</c>.</summary>
    public StripeResponse ListFor(string customer, JsonObject query, string? url = null)
    {
        if (objects.Get(customer, "customer") is not { } found || found["deleted"] is not null)
        {
            return StripeErrors.NoSuch("customer", customer, "customer");
        }

        return StripeLists.Page(url ?? $"/v1/customers/{customer}/payment_methods", Filtered(query).Where(m => m.Str("customer") == customer), query);
    }

    /// <summary><c>GET /v1/customers/{customer}/payment_methods/{id}</c>: one of the customer's.</summary>
    public StripeResponse RetrieveFor(string customer, string id)
    {
        if (objects.Get(customer, "customer") is null)
        {
            return StripeErrors.NoSuch("customer", customer, "customer");
        }

        return objects.Get(id, Type) is { } method && method.Str("customer") == customer ? StripeResponse.Ok(StripeLists.Public(method)) : NoSuch(id);
    }

    private IEnumerable<JsonObject> Filtered(JsonObject query)
    {
        var items = objects.Newest(Type, query.Str("starting_after"));
        return query.Str("type") is { } type ? items.Where(m => m.Str("type") == type) : items;
    }

    private static JsonObject Billing(JsonObject given) => new()
    {
        ["address"] = given["address"]?.DeepClone(),
        ["email"] = given["email"]?.DeepClone(),
        ["name"] = given["name"]?.DeepClone(),
        ["phone"] = given["phone"]?.DeepClone(),
        ["tax_id"] = null,
    };

    /// <summary><c>billing_details</c> over <paramref name="current"/>: its strings and its address's, each replaced when given.</summary>
    private static StripeResponse? ReadBilling(JsonObject p, JsonObject current, out JsonObject billing)
    {
        billing = Billing(current);
        if (p["billing_details"] is null)
        {
            return null;
        }

        if (p["billing_details"] is not JsonObject given || given.Any(kv => kv.Key is not ("address" or "email" or "name" or "phone")))
        {
            return StripeErrors.InvalidParam("Invalid object", "billing_details");
        }

        foreach (var field in BillingFields.Where(f => given[f] is not null))
        {
            if (given[field] is not JsonValue)
            {
                return StripeErrors.InvalidParam("Invalid string", $"billing_details[{field}]");
            }

            billing[field] = given.Str(field) is { Length: > 0 } text ? text : null;
        }

        return given["address"] is null ? null : MergeAddress(given["address"], billing, "billing_details[address]");
    }

    /// <summary>
    /// An <c>address</c> parameter (city, country, line1, line2, postal_code, state) merged into
    /// <paramref name="target"/>'s <c>address</c>, an empty field clearing it; a billing address and a customer's alike.
    /// </summary>
    internal static StripeResponse? MergeAddress(JsonNode? given, JsonObject target, string param)
    {
        if (given is not JsonObject address || address.Any(kv => !AddressFields.Contains(kv.Key) || kv.Value is not JsonValue))
        {
            return StripeErrors.InvalidParam("Invalid object", param);
        }

        var merged = target["address"] as JsonObject ?? new JsonObject(AddressFields.Select(f => KeyValuePair.Create(f, (JsonNode?)null)));
        foreach (var (key, value) in address)
        {
            merged[key] = value!.ToString() is { Length: > 0 } text ? text : null;
        }

        target["address"] = merged;
        return null;
    }

    private static StripeResponse? ReadRedisplay(JsonObject p) =>
        p["allow_redisplay"] is not null && !Redisplay.Contains(p.Str("allow_redisplay"))
            ? StripeErrors.InvalidParam($"Invalid allow_redisplay: must be one of {string.Join(", ", Redisplay)}", "allow_redisplay")
            : null;

    private static StripeResponse NoSuch(string id) => StripeErrors.NoSuch("PaymentMethod", StripeLists.Clip(id), "payment_method");

    private static StripeResponse State(string message, string? param = null) =>
        StripeErrors.Envelope(400, "invalid_request_error", message, UnexpectedState, param);
}
