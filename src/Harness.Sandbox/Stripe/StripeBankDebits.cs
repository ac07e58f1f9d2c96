using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// SEPA Direct Debit in a payment-mode Checkout Session, Stripe's delayed-notification payment method: the checkout
/// completes with <c>payment_status</c> <c>unpaid</c> and the payment intent <c>processing</c>; the debit settles
/// <see cref="SettlementDelay"/> later on the sandbox clock, and the merchant hears of it by
/// <c>checkout.session.async_payment_succeeded</c> or <c>checkout.session.async_payment_failed</c>.
/// </summary>
public sealed class StripeBankDebits(SandboxContext context, ProviderObjects objects, StripeWebhooks webhooks)
{
    public const string PaymentMethod = "sepa_debit";

    /// <summary>How long a debit takes to settle (Stripe's test IBANs take minutes; a real debit days).</summary>
    public static readonly TimeSpan SettlementDelay = TimeSpan.FromMinutes(3);

    /// <summary>Stripe's documented test IBANs for SEPA Direct Debit (docs.stripe.com/testing).</summary>
    public static readonly IReadOnlyList<TestBankAccount> TestAccounts =
    [
        new("DE89370400440532013000", true, "Settles: checkout.session.async_payment_succeeded"),
        new("DE62370400440532013001", false, "Fails (insufficient_funds): checkout.session.async_payment_failed"),
    ];

    // The sandbox's own record of a debit waiting to settle: never served, so not a Stripe object type.
    private const string Type = "sandbox.bank_debit";

    private StripeDueRecords Due => new(objects, Type, "settles_at", "settled");

    /// <summary>Whether the session's checkout offers the debit: payment mode, with <c>sepa_debit</c> in <c>payment_method_types</c>.</summary>
    public static bool Offered(JsonObject session) =>
        session.Str("mode") == "payment" && session["payment_method_types"] is JsonArray types && types.Any(t => t is JsonValue v && v.TryGetValue<string>(out var name) && name == PaymentMethod);

    /// <summary>A session's <c>payment_method_types</c> as Stripe checks them: an array of names, <c>sepa_debit</c> only in euros.</summary>
    public static StripeResponse? Check(JsonNode? types, string currency)
    {
        if (types is null)
        {
            return null;
        }

        if (types is not JsonArray array || array.Any(t => t is not JsonValue v || !v.TryGetValue<string>(out _)))
        {
            return StripeErrors.InvalidParam("Invalid array", "payment_method_types");
        }

        return array.Any(t => t!.GetValue<string>() == PaymentMethod) && currency != "eur"
            ? StripeErrors.InvalidParam($"The currency provided ({currency}) is invalid. Payments with {PaymentMethod} support the following currencies: eur.", "payment_method_types")
            : null;
    }

    /// <summary>The charge's <c>payment_method_details</c> for a debit from <paramref name="account"/>.</summary>
    public static JsonObject Details(TestBankAccount account) => new()
    {
        ["sepa_debit"] = new JsonObject
        {
            ["bank_code"] = account.Iban[4..12],
            ["branch_code"] = "",
            ["country"] = account.Iban[..2],
            ["last4"] = account.Iban[^4..],
            ["mandate"] = StripeJson.NewId("mandate"),
        },
        ["type"] = PaymentMethod,
    };

    /// <summary>Records the debit of a session just completed unpaid, due to settle after <see cref="SettlementDelay"/>.</summary>
    public void Schedule(JsonObject session, TestBankAccount account) => objects.Put(new JsonObject
    {
        ["id"] = StripeJson.NewId("bankdebit"),
        ["object"] = Type,
        ["session"] = session.Str("id"),
        ["settles_at"] = StripeJson.Unix(context.Clock.GetUtcNow() + SettlementDelay),
        ["succeeds"] = account.Succeeds,
        ["settled"] = false,
    });

    /// <summary>When the next debit settles; null when none is waiting.</summary>
    public DateTimeOffset? NextDueAt() => Due.NextDueAt();

    /// <summary>Settles every debit due by <paramref name="now"/>, each in a unit with its objects and events.</summary>
    public void RunDue(long now) => Due.RunDue(now, Settle);

    private void Settle(JsonObject debit)
    {
        var succeeds = debit["succeeds"]!.GetValue<bool>();
        var session = objects.Get(debit.Str("session")!, "checkout.session")!;
        var intent = objects.Get(session.Str("payment_intent")!, "payment_intent")!;
        var charge = objects.Get(intent.Str("latest_charge")!, "charge")!;
        charge["status"] = succeeds ? "succeeded" : "failed";
        charge["paid"] = succeeds;
        charge["failure_code"] = succeeds ? null : "insufficient_funds";
        charge["failure_message"] = succeeds ? null : "The customer's account has insufficient funds to cover this payment.";
        intent["status"] = succeeds ? "succeeded" : "requires_payment_method";
        intent["amount_received"] = succeeds ? intent["amount"]!.GetValue<long>() : 0L;
        intent["last_payment_error"] = succeeds ? null : new JsonObject
        {
            ["code"] = "insufficient_funds",
            ["message"] = charge.Str("failure_message"),
            ["type"] = "card_error",
        };
        session["payment_status"] = succeeds ? "paid" : "unpaid";
        StripeBalance.RecordCharge(objects, charge, StripeJson.Unix(context.Clock.GetUtcNow()));
        objects.Put(charge);
        objects.Put(intent);
        objects.Put(session);
        var publicSession = StripeLists.Public(session);
        webhooks.Send(session.Str("id")!, succeeds
            ? [("checkout.session.async_payment_succeeded", publicSession), ("payment_intent.succeeded", intent)]
            : [("checkout.session.async_payment_failed", publicSession), ("payment_intent.payment_failed", intent)]);
    }
}
