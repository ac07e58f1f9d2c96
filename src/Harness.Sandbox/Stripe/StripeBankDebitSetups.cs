using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// SetupIntents for SEPA Direct Debit: confirmed with a <c>sepa_debit</c> PaymentMethod and <c>mandate_data</c>, the
/// intent succeeds at once (nothing is debited, so nothing waits for the bank), the mandate is made and kept on the
/// PaymentMethod, and the PaymentMethod is attached to the intent's customer, ready for off-session debits.
/// </summary>
public sealed partial class StripeSetupIntents
{
    /// <summary>One confirmation with a bank account, the caller holding the unit.</summary>
    private StripeResponse SetUpDebit(JsonObject intent, JsonObject method, JsonObject query)
    {
        var types = (intent["payment_method_types"] as JsonArray)?.Select(t => t!.ToString()).ToList() ?? [];
        if (!types.Contains(StripeBankDebits.PaymentMethod) && intent["automatic_payment_methods"]?["enabled"]?.GetValue<bool>() != true)
        {
            return Unexpected(intent, $"The PaymentMethod provided ({StripeBankDebits.PaymentMethod}) is not allowed for this SetupIntent. Please attach a PaymentMethod of one of the following types: {string.Join(", ", types)}. Alternatively update the allowed payment_method_types for this SetupIntent to include \"{StripeBankDebits.PaymentMethod}\".", "payment_method");
        }

        // A setup always collects a new mandate: the customer accepts it on the merchant's form.
        if (query["mandate_data"] is not JsonObject)
        {
            return Unexpected(intent, StripeMandates.Required("SetupIntent"), "mandate_data");
        }

        var now = StripeJson.Unix(context.Clock.GetUtcNow());
        var mandate = StripeMandates.For(objects, method, query, now)!;
        var attempt = NewAttempt(intent, method, now);
        intent["latest_attempt"] = attempt.Str("id");
        intent["mandate"] = mandate;
        Succeed(intent, attempt, method);
        context.Payments.TryClose(intent.Str("id")!, PaymentStatus.Paid);
        return StripeResponse.Ok(Public(intent, query));
    }
}
