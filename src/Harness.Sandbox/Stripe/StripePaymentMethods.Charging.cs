using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// PaymentMethods where money moves: the card a PaymentIntent, a checkout or a renewal charges, who may use it, and
/// the saving of a card to a customer after a payment that asked for it.
/// </summary>
public sealed partial class StripePaymentMethods
{
    /// <summary>Whether an id names a PaymentMethod one can pay with: a test id or a stored one.</summary>
    public bool Exists(string id) => StripeTestPaymentMethods.Find(id) is not null || objects.Get(id, Type) is not null;

    /// <summary>
    /// The PaymentMethod a payment by <paramref name="customer"/> (null: a guest) is to charge: a fresh one for a test id,
    /// else the stored one when that customer may use it. Runs inside the caller's unit.
    /// </summary>
    public (StripeTestPaymentMethods.TestPaymentMethod? Method, StripeResponse? Refusal) Use(string id, string? customer)
    {
        if (Materialize(id) is not { } method)
        {
            return (null, NoSuch(id));
        }

        var owner = method.Str("customer");
        if (owner is null && method["_consumed"]?.GetValue<bool>() == true)
        {
            return (null, State(Consumed, "payment_method"));
        }

        return owner is not null && owner != customer
            ? (null, State($"The PaymentMethod {id} is saved to another Customer than this payment's: pass its Customer in `customer` to use it.", "payment_method"))
            : (Charged(method), null);
    }

    /// <summary>
    /// The PaymentMethod an intent names, as the card a charge uses; null when it names none. An intent stored before
    /// PaymentMethods were objects may still name a test id: it gets its fresh object now.
    /// </summary>
    public StripeTestPaymentMethods.TestPaymentMethod? Find(string? id) => id is not null && Materialize(id) is { } method ? Charged(method) : null;

    /// <summary>A stored PaymentMethod as Stripe shows it (in <c>expand[]</c> and errors); null when there is none.</summary>
    public JsonObject? View(string? id) => id is not null && objects.Get(id, Type) is { } method ? StripeLists.Public(method) : null;

    /// <summary>A PaymentMethod for a card the buyer typed on a hosted page, with what its test number does.</summary>
    public StripeTestPaymentMethods.TestPaymentMethod FromCard(string brand, string last4, int? expMonth, int? expYear, CardOutcome outcome) =>
        Charged(Store(new StripeTestPaymentMethods.TestPaymentMethod("", brand.ToLowerInvariant(), last4, "credit", outcome, expMonth ?? 12, expYear ?? 2034), new JsonObject(), new JsonObject(), null));

    /// <summary>The card a buyer paid with on a hosted page as a PaymentMethod; Stripe's 4242 when the control API paid, which types none.</summary>
    public StripeTestPaymentMethods.TestPaymentMethod ForPayment(SandboxPayment payment) =>
        payment.CardLast4 is { } last4
            ? FromCard(payment.CardBrand ?? "visa", last4, payment.CardExpMonth, payment.CardExpYear, CardOutcome.Approved)
            : FromTest(StripeTestPaymentMethods.Visa);

    /// <summary>A fresh PaymentMethod for one of Stripe's test ids.</summary>
    public StripeTestPaymentMethods.TestPaymentMethod FromTest(string testId) => Use(testId, null).Method!;

    /// <summary>
    /// After a charge to <paramref name="id"/>: saved to the customer when the payment asked for it (Stripe's
    /// <c>setup_future_usage</c>), else, if it is nobody's, used up. Returns the events to send; the caller holds the unit.
    /// </summary>
    public List<StripeEvent> Charged(string id, string? customer, bool save)
    {
        var method = objects.Get(id, Type)!;
        if (save && customer is not null && method.Str("customer") is null && method["_consumed"]?.GetValue<bool>() != true)
        {
            method["customer"] = customer;
            objects.Put(method);
            return [new StripeEvent("payment_method.attached", StripeLists.Public(method))];
        }

        if (method.Str("customer") is null)
        {
            method["_consumed"] = true;
            objects.Put(method);
        }

        return [];
    }

    /// <summary>
    /// Saves a stored PaymentMethod to the customer: nothing to do when it is already theirs; refused when it is
    /// another's, used up, or its card is declined by the check attaching makes. The caller holds the unit.
    /// </summary>
    public StripeResponse? Save(JsonObject method, string customer)
    {
        var owner = method.Str("customer");
        if (owner == customer)
        {
            return null;
        }

        if (owner is not null)
        {
            return State("The payment method you provided has already been attached to a customer.");
        }

        if (method["_consumed"]?.GetValue<bool>() == true)
        {
            return State(Consumed);
        }

        // A bank account has no check on attaching: only a card's test number can refuse it.
        if (method.Str("_outcome") is { } card && Enum.Parse<CardOutcome>(card) is var outcome && RefusedOnAttach.Contains(outcome))
        {
            return new StripeResponse(402, new JsonObject { ["error"] = StripeTestPaymentMethods.Decline(outcome) }, Stored: true);
        }

        method["customer"] = customer;
        objects.Put(method);
        webhooks.Send(method.Str("id")!, [new StripeEvent("payment_method.attached", StripeLists.Public(method))]);
        return null;
    }

    /// <summary>
    /// The card a subscription's renewals charge: its own <c>default_payment_method</c>, else its customer's
    /// <c>invoice_settings.default_payment_method</c>, while it is still saved to that customer; null when neither is set.
    /// </summary>
    public static JsonObject? SavedCard(ProviderObjects objects, JsonObject subscription)
    {
        var customerId = subscription.Str("customer");
        var id = subscription.Str("default_payment_method") ?? objects.Get(customerId ?? "", "customer")?["invoice_settings"].Str("default_payment_method");
        return id is not null && objects.Get(id, Type) is { } method && method.Str("customer") == customerId ? method : null;
    }

    /// <summary>What charging a saved card off session answers: its test card's decline, or null when it is approved.</summary>
    public static JsonObject? DeclineOf(JsonObject method) => Enum.Parse<CardOutcome>(method.Str("_outcome")!) switch
    {
        // No customer is there to pass a challenge on a renewal.
        CardOutcome.ThreeDSecureRequired => StripeTestPaymentMethods.AuthenticationRequired(),
        var outcome => StripeTestPaymentMethods.Decline(outcome),
    };

    /// <summary>A charge's <c>payment_method_details</c> for a stored PaymentMethod.</summary>
    public static JsonObject Details(JsonObject method) => StripeTestPaymentMethods.Details(Charged(method));

    /// <summary>
    /// Checks that <paramref name="id"/> is a PaymentMethod saved to <paramref name="customer"/>, as a default payment
    /// method must be; the refusal names <paramref name="param"/>.
    /// </summary>
    public StripeResponse? CheckSaved(string id, string customer, string param)
    {
        if (objects.Get(id, Type) is not { } method)
        {
            return StripeErrors.NoSuch("PaymentMethod", StripeLists.Clip(id), param);
        }

        if (BankAccountOf(method) is not null)
        {
            return StripeErrors.NotSimulated(param, "subscriptions and invoices are charged by card in the sandbox; a sepa_debit PaymentMethod is charged through PaymentIntents");
        }

        return method.Str("customer") == customer
            ? null
            : StripeErrors.InvalidParam($"The customer does not have a payment method with the ID {id}. The payment method must be attached to the customer.", param);
    }

    /// <summary>The stored PaymentMethod, or a fresh one stored for a test id; null for an unknown id.</summary>
    public JsonObject? Materialize(string id) =>
        objects.Get(id, Type) ?? (StripeTestPaymentMethods.Find(id) is { } test ? Store(test, new JsonObject(), new JsonObject(), null) : null);

    private JsonObject Store(StripeTestPaymentMethods.TestPaymentMethod card, JsonObject billing, JsonObject metadata, string? redisplay)
    {
        var method = New(card, StripeJson.NewId("pm"), billing, metadata, redisplay);
        method["_outcome"] = card.Outcome.ToString();
        objects.Put(method);
        return method;
    }

    private JsonObject New(StripeTestPaymentMethods.TestPaymentMethod card, string id, JsonObject billing, JsonObject metadata, string? redisplay) => new()
    {
        ["id"] = id,
        ["object"] = Type,
        ["allow_redisplay"] = redisplay ?? "unspecified",
        ["billing_details"] = Billing(billing),
        ["card"] = new JsonObject
        {
            ["brand"] = card.Brand,
            ["checks"] = new JsonObject { ["address_line1_check"] = null, ["address_postal_code_check"] = null, ["cvc_check"] = "unchecked" },
            ["country"] = "US",
            ["display_brand"] = card.Brand,
            ["exp_month"] = card.ExpMonth,
            ["exp_year"] = card.ExpYear,
            ["fingerprint"] = Fingerprint(card),
            ["funding"] = card.Funding,
            ["generated_from"] = null,
            ["last4"] = card.Last4,
            ["networks"] = new JsonObject { ["available"] = new JsonArray(card.Brand), ["preferred"] = null },
            ["regulated_status"] = "unregulated",
            ["three_d_secure_usage"] = new JsonObject { ["supported"] = true },
            ["wallet"] = null,
        },
        ["created"] = StripeJson.Unix(context.Clock.GetUtcNow()),
        ["customer"] = null,
        ["customer_account"] = null,
        ["livemode"] = false,
        ["metadata"] = metadata,
        ["type"] = "card",
    };

    /// <summary>Stripe's fingerprint is the same for one card number across an account: here, a hash of what stands for the number.</summary>
    private static string Fingerprint(StripeTestPaymentMethods.TestPaymentMethod card) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{card.Brand}:{card.Last4}:{card.Funding}")))[..16];

    private static StripeTestPaymentMethods.TestPaymentMethod Charged(JsonObject method)
    {
        // A bank account is charged by its own path (the debit settles later), which reads only its id from here.
        if (method["card"] is not { } card)
        {
            return new StripeTestPaymentMethods.TestPaymentMethod(method.Str("id")!, method.Str("type")!, method[method.Str("type")!].Str("last4")!, "", CardOutcome.Approved);
        }

        return new StripeTestPaymentMethods.TestPaymentMethod(
            method.Str("id")!, card.Str("brand")!, card.Str("last4")!, card.Str("funding")!, Enum.Parse<CardOutcome>(method.Str("_outcome") ?? nameof(CardOutcome.Approved)),
            card["exp_month"]!.GetValue<int>(), card["exp_year"]!.GetValue<int>());
    }
}
