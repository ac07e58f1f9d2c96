using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// SEPA Direct Debit, Stripe's delayed-notification payment method, in a payment-mode Checkout Session and through the
/// PaymentIntents API: the checkout completes with <c>payment_status</c> <c>unpaid</c>, a PaymentIntent confirmed
/// with a <c>sepa_debit</c> PaymentMethod is <c>processing</c>; the debit settles <see cref="SettlementDelay"/> later on
/// the sandbox clock, and the merchant hears of it by <c>checkout.session.async_payment_succeeded</c> /
/// <c>…_failed</c>, or by the PaymentIntent's and charge's own events (<see cref="StripePaymentIntents.DebitSettled"/>).
/// </summary>
public sealed class StripeBankDebits(SandboxContext context, ProviderObjects objects, StripeWebhooks webhooks, StripePaymentIntents intents)
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

    /// <summary>The test account of an IBAN (spaces and case already normalised); null for any other.</summary>
    public static TestBankAccount? Find(string? iban) => TestAccounts.FirstOrDefault(a => a.Iban == iban);

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

    /// <summary>
    /// The charge's <c>payment_method_details</c> for a debit from <paramref name="account"/> under
    /// <paramref name="mandate"/> (a Checkout Session's debit names a mandate of its own).
    /// </summary>
    public static JsonObject Details(TestBankAccount account, string? mandate = null) => new()
    {
        ["sepa_debit"] = new JsonObject
        {
            ["bank_code"] = account.Iban[4..12],
            ["branch_code"] = "",
            ["country"] = account.Iban[..2],
            ["fingerprint"] = StripePaymentMethods.Fingerprint(account.Iban),
            ["last4"] = account.Iban[^4..],
            ["mandate"] = mandate ?? StripeJson.NewId("mandate"),
        },
        ["type"] = PaymentMethod,
    };

    /// <summary>Records the debit of a session just completed unpaid, due to settle after <see cref="SettlementDelay"/>.</summary>
    public void Schedule(JsonObject session, TestBankAccount account) => Record(objects, context.Clock.GetUtcNow(), "session", session.Str("id")!, account);

    /// <summary>
    /// Records the debit of a PaymentIntent just gone <c>processing</c>, due to settle after <see cref="SettlementDelay"/>;
    /// the caller holds the unit.
    /// </summary>
    public static void Schedule(ProviderObjects objects, DateTimeOffset now, string intentId, TestBankAccount account) =>
        Record(objects, now, "payment_intent", intentId, account);

    private static void Record(ProviderObjects objects, DateTimeOffset now, string owner, string ownerId, TestBankAccount account) => objects.Put(new JsonObject
    {
        ["id"] = StripeJson.NewId("bankdebit"),
        ["object"] = Type,
        [owner] = ownerId,
        ["settles_at"] = StripeJson.Unix(now + SettlementDelay),
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
        var session = debit.Str("session") is { } sessionId ? objects.Get(sessionId, "checkout.session") : null;
        var intent = objects.Get(debit.Str("payment_intent") ?? session!.Str("payment_intent")!, "payment_intent")!;
        if (intent.Str("status") != "processing")
        {
            // Canceled while processing: nothing is left to settle.
            return;
        }

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
        StripeBalance.RecordCharge(objects, charge, StripeJson.Unix(context.Clock.GetUtcNow()));
        objects.Put(charge);
        objects.Put(intent);
        if (session is null)
        {
            intents.DebitSettled(intent, charge, succeeds);
            return;
        }

        session["payment_status"] = succeeds ? "paid" : "unpaid";
        objects.Put(session);
        var publicSession = StripeLists.Public(session);
        webhooks.Send(session.Str("id")!, succeeds
            ? [("checkout.session.async_payment_succeeded", publicSession), ("payment_intent.succeeded", intent)]
            : [("checkout.session.async_payment_failed", publicSession), ("payment_intent.payment_failed", intent)]);
    }
}
