using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The SetupIntents API (docs.stripe.com/api/setup_intents): a card saved for later without a payment. Created, updated,
/// confirmed with a test PaymentMethod (a 3-D Secure card through the hosted challenge page the PaymentIntents use),
/// canceled, listed, each confirmation recorded as a SetupAttempt; on success the card is attached to the intent's
/// customer by the PaymentMethods' own attach. A <c>mode=setup</c> Checkout Session's SetupIntent (providers.md §5.2) is
/// one of these too, made with the session and settled by it.
/// </summary>
public sealed partial class StripeSetupIntents(SandboxContext context, ProviderObjects objects, StripeWebhooks webhooks, StripePaymentMethods methods)
{
    public const string Type = "setup_intent";
    public const string Path = "/v1/setup_intents";

    /// <summary>How Stripe names the object in a "No such …" answer on these routes.</summary>
    private const string NotFoundName = "setupintent";

    /// <summary>The statuses a SetupIntent can be canceled (and updated to another card) in.</summary>
    private static readonly string[] Pending = ["requires_payment_method", "requires_confirmation", "requires_action"];

    private static readonly HashSet<string> ListParams = ["created", "customer", "payment_method", "limit", "starting_after", "ending_before", "expand"];
    private static readonly HashSet<string> RetrieveParams = ["client_secret", "expand"];

    /// <summary>A new intent's fields, as Stripe shows them before any confirmation.</summary>
    private static JsonObject New(string? customer, long created)
    {
        var id = StripeJson.NewId("seti");
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = Type,
            ["application"] = null,
            ["automatic_payment_methods"] = null,
            ["cancellation_reason"] = null,
            ["client_secret"] = id + "_secret_" + StripeJson.NewId("s")[2..],
            ["created"] = created,
            ["customer"] = customer,
            ["customer_account"] = null,
            ["description"] = null,
            ["excluded_payment_method_types"] = null,
            ["flow_directions"] = null,
            ["last_setup_error"] = null,
            ["latest_attempt"] = null,
            ["livemode"] = false,
            ["mandate"] = null,
            ["metadata"] = new JsonObject(),
            ["next_action"] = null,
            ["on_behalf_of"] = null,
            ["payment_method"] = null,
            ["payment_method_configuration_details"] = null,
            ["payment_method_options"] = CardOptions("automatic"),
            ["payment_method_types"] = new JsonArray("card"),
            ["single_use_mandate"] = null,
            ["status"] = "requires_payment_method",
            ["usage"] = "off_session",
        };
    }

    private static JsonObject CardOptions(string threeDSecure) => new()
    {
        ["card"] = new JsonObject { ["mandate_options"] = null, ["network"] = null, ["request_three_d_secure"] = threeDSecure },
    };

    /// <summary>Stores the SetupIntent of a new <c>mode=setup</c> Checkout Session, waiting for the buyer's card; returns its id.</summary>
    public static string Open(ProviderObjects objects, string? customer, long created)
    {
        var intent = New(customer, created);
        // The session settles it: the API neither confirms nor cancels it, as at Stripe.
        intent["_checkout"] = true;
        objects.Put(intent);
        return intent.Str("id")!;
    }

    /// <summary>
    /// The buyer completed the session: the intent succeeds for <paramref name="customer"/> (null for a guest the
    /// session made no customer for) with <paramref name="paymentMethod"/>, its attempt recorded; null when the
    /// session has no intent.
    /// </summary>
    public static JsonObject? Succeed(ProviderObjects objects, string? id, string? customer, string paymentMethod) => Settle(objects, id, intent =>
    {
        intent["customer"] = customer;
        intent["payment_method"] = paymentMethod;
        intent["status"] = "succeeded";
        if (objects.Get(paymentMethod, StripePaymentMethods.Type) is { } method)
        {
            var attempt = NewAttempt(intent, method, intent["created"]!.GetValue<long>());
            attempt["status"] = "succeeded";
            objects.Put(attempt);
            intent["latest_attempt"] = attempt.Str("id");
        }
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
        return StripeLists.Public(intent);
    }

    /// <summary>
    /// <c>GET /v1/setup_intents/{id}</c>; a <c>client_secret</c>, when given, must be the intent's own, as Stripe checks
    /// it before answering.
    /// </summary>
    public StripeResponse Retrieve(string id, JsonObject query)
    {
        if (StripeLists.Unknown(query, RetrieveParams) is { } unknown)
        {
            return unknown;
        }

        if (objects.Get(id, Type) is not { } intent)
        {
            return NoSuch(id);
        }

        return query["client_secret"] is not null && query.Str("client_secret") != intent.Str("client_secret")
            ? StripeErrors.InvalidParam("The client_secret provided does not match the client_secret associated with the SetupIntent.", "client_secret")
            : StripeResponse.Ok(Public(intent, query));
    }

    /// <summary><c>GET /v1/setup_intents</c>: newest first, by <c>customer</c>, <c>payment_method</c> and <c>created</c>, paged both ways.</summary>
    public StripeResponse List(JsonObject query)
    {
        if (StripeLists.Unknown(query, ListParams) is { } unknown)
        {
            return unknown;
        }

        if (NotText(query, "customer", "payment_method") is { } notText)
        {
            return notText;
        }

        if (StripeLists.CreatedFilter(query, out var created) is { } badCreated)
        {
            return badCreated;
        }

        var customer = query.Str("customer");
        var method = query.Str("payment_method");
        return StripeLists.Page(Path, after => objects.Newest(Type, after).Where(i =>
            (customer is null || i.Str("customer") == customer)
            && (method is null || i.Str("payment_method") == method)
            && created(i["created"]!.GetValue<long>())), query, i => Public(i, null));
    }

    /// <summary>True for the sandbox payments that are a SetupIntent's 3-D Secure challenge (their ids are the intents').</summary>
    public bool Holds(string paymentId) => objects.Get(paymentId, Type) is not null;

    /// <summary>The intent as its API answers it, for the dashboard.</summary>
    public JsonObject? Shown(string id) => objects.Get(id, Type) is { } intent ? Public(intent, null) : null;

    private static StripeResponse NoSuch(string id) => StripeErrors.NoSuch(NotFoundName, StripeLists.Clip(id), "intent");

    /// <summary>A refusal for the intent's state, carrying the intent as Stripe's do.</summary>
    private StripeResponse Unexpected(JsonObject intent, string message, string? param = null)
    {
        var refusal = StripeErrors.Envelope(400, "invalid_request_error", message, "setup_intent_unexpected_state", param);
        refusal.Body["error"]!["setup_intent"] = Public(intent, null);
        return refusal;
    }

    /// <summary>What the merchant sees: no sandbox fields, with <c>expand[]</c> of <c>customer</c>, <c>payment_method</c> or <c>latest_attempt</c>.</summary>
    private JsonObject Public(JsonObject intent, JsonObject? query)
    {
        var copy = StripeLists.Public(intent);
        foreach (var field in (query?["expand"] as JsonArray)?.OfType<JsonValue>().Select(e => e.GetValue<string>()) ?? [])
        {
            var expanded = field switch
            {
                "customer" => objects.Get(copy.Str(field) ?? "", "customer") is { } customer ? StripeLists.Public(customer) : null,
                "payment_method" => methods.View(copy.Str(field)),
                "latest_attempt" => objects.Get(copy.Str(field) ?? "", AttemptType) is { } attempt ? StripeLists.Public(attempt) : null,
                _ => null,
            };
            if (expanded is not null)
            {
                copy[field] = expanded;
            }
        }

        return copy;
    }
}
