using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// PaymentIntents paid by SEPA Direct Debit: confirmed with a <c>sepa_debit</c> PaymentMethod and a mandate
/// (<c>mandate_data</c>, or the one already on the PaymentMethod off session) they go <c>processing</c> with a
/// <c>pending</c> charge; <see cref="StripeBankDebits"/> settles the debit on the sandbox clock, and
/// <see cref="DebitSettled"/> tells the merchant as Stripe does.
/// </summary>
public sealed partial class StripePaymentIntents
{
    /// <summary>The payment method types the sandbox builds for a PaymentIntent.</summary>
    private static readonly string[] BuiltTypes = ["card", StripeBankDebits.PaymentMethod];

    /// <summary><c>payment_method_types</c> on create: names the sandbox builds, <c>sepa_debit</c> only in euros.</summary>
    private static StripeResponse? CheckTypes(JsonObject p, string currency)
    {
        if (StripeBankDebits.Check(p["payment_method_types"], currency) is { } refused)
        {
            return refused;
        }

        if (p["payment_method_types"] is JsonArray { Count: 0 })
        {
            return StripeErrors.InvalidParam("Invalid array", "payment_method_types");
        }

        return (p["payment_method_types"] as JsonArray)?.Select(t => t!.GetValue<string>()).FirstOrDefault(t => !BuiltTypes.Contains(t)) is { } other
            ? StripeErrors.NotSimulated("payment_method_types", $"the sandbox's PaymentIntents take card and {StripeBankDebits.PaymentMethod}, not {StripeLists.Clip(other)}")
            : null;
    }

    /// <summary>
    /// One confirmation with a SEPA Direct Debit PaymentMethod: refused when the intent does not take the type, is not
    /// in euros, or has no mandate; otherwise <c>processing</c>, the charge <c>pending</c> under the mandate, the debit
    /// recorded to settle. The caller holds the unit.
    /// </summary>
    private StripeResponse Debit(JsonObject intent, StripeTestPaymentMethods.TestPaymentMethod method, TestBankAccount account, JsonObject p)
    {
        var types = (intent["payment_method_types"] as JsonArray)?.Select(t => t!.GetValue<string>()).ToList() ?? [];
        if (!types.Contains(StripeBankDebits.PaymentMethod) && intent["automatic_payment_methods"] is null)
        {
            return Unexpected($"The PaymentMethod provided ({StripeBankDebits.PaymentMethod}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: {string.Join(", ", types)}. Alternatively update the allowed payment_method_types for this PaymentIntent to include \"{StripeBankDebits.PaymentMethod}\".", "payment_method");
        }

        if (intent.Str("currency") != "eur")
        {
            return StripeErrors.InvalidParam($"The currency provided ({intent.Str("currency")}) is invalid. Payments with {StripeBankDebits.PaymentMethod} support the following currencies: eur.", "payment_method");
        }

        var now = context.Clock.GetUtcNow();
        var stored = objects.Get(method.Id, StripePaymentMethods.Type)!;
        if (StripeMandates.For(objects, stored, p, StripeJson.Unix(now)) is not { } mandate)
        {
            return p.Str("mandate") is { Length: > 0 } named
                ? StripeErrors.NoSuch(StripeMandates.Type, StripeLists.Clip(named), "mandate")
                : Unexpected(StripeMandates.Required("PaymentIntent"), "mandate_data");
        }

        var charge = StripeCharges.New(new ChargeAttempt(intent["amount"]!.GetValue<long>(), intent.Str("currency"), StripeJson.Unix(now))
        {
            Customer = intent.Str("customer"),
            PaymentIntent = intent.Str("id"),
            Description = intent.Str("description"),
            Metadata = (JsonObject)intent["metadata"]!,
            Pending = true,
            PaymentMethod = method.Id,
            PaymentMethodDetails = StripeBankDebits.Details(account, mandate),
            ReceiptEmail = intent.Str("receipt_email"),
        });
        objects.Put(charge);
        intent["payment_method"] = method.Id;
        intent["latest_charge"] = charge.Str("id");
        intent["last_payment_error"] = null;
        intent["mandate"] = mandate;
        intent["next_action"] = null;
        intent["status"] = "processing";
        objects.Put(intent);
        StripeBankDebits.Schedule(objects, now, intent.Str("id")!, account);

        // The buyer's part is done once the debit is authorised: the sandbox payment is paid; the bank's answer is on the intent.
        context.Payments.TryClose(intent.Str("id")!, PaymentStatus.Paid);
        var saved = methods.Charged(method.Id, intent.Str("customer"), intent.Str("setup_future_usage") is not null);
        webhooks.Send(intent.Str("id")!, [
            new StripeEvent("charge.pending", StripeLists.Public(charge)),
            .. saved,
            new StripeEvent("payment_intent.processing", Public(intent, null)),
        ]);
        InvoiceFollows(intent);
        return StripeResponse.Ok(Public(intent, p));
    }

    /// <summary>
    /// The debit of a <c>processing</c> intent settled (<see cref="StripeBankDebits"/> has set the charge and the
    /// intent's status): the events Stripe sends, the PaymentMethod off a failed intent, and its invoice's turn.
    /// </summary>
    internal void DebitSettled(JsonObject intent, JsonObject charge, bool succeeds)
    {
        if (!succeeds)
        {
            intent["last_payment_error"]!["payment_method"] = methods.View(intent.Str("payment_method"));
            intent["payment_method"] = null;
            objects.Put(intent);
        }

        webhooks.Send(intent.Str("id")!, succeeds
            ? [("charge.succeeded", StripeLists.Public(charge)), ("payment_intent.succeeded", Public(intent, null))]
            : [("charge.failed", StripeLists.Public(charge)), ("payment_intent.payment_failed", Public(intent, null))]);
        InvoiceFollows(intent);
    }
}
