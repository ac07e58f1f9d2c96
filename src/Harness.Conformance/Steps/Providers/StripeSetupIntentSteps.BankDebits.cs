using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>A SEPA Direct Debit account set up with a mandate, then debited off session under that mandate.</summary>
public sealed partial class StripeSetupIntentSteps
{
    private string? _debit;

    [When("the merchant sets up a SEPA Direct Debit PaymentMethod from the IBAN {string} for a new customer with a mandate accepted offline")]
    public async Task SetUpDebit(string iban)
    {
        var method = await Stripe.StripeAsync(HttpMethod.Post, "/v1/payment_methods",
            [new("type", "sepa_debit"), new("sepa_debit[iban]", iban), new("billing_details[name]", "Jenny Rosen"), new("billing_details[email]", "jenny@example.com")]);
        Check.Equal(HttpStatusCode.OK, method.Status, $"the SEPA Direct Debit PaymentMethod ({method.Body})");
        await CreateAsync(
        [
            new("payment_method", ApiReply.Text(ApiReply.Field(method.Json, "id"))), new("payment_method_types[0]", "sepa_debit"), new("confirm", "true"),
            new("mandate_data[customer_acceptance][type]", "offline"),
        ]);
    }

    /// <summary>A euro PaymentIntent for the set-up account, off session: no mandate_data, the setup's mandate is used.</summary>
    [When("the merchant debits the set-up account off session for {int} {string}")]
    public async Task DebitOffSession(int amount, string currency)
    {
        var setup = await IntentAsync();
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/payment_intents",
        [
            new("amount", amount.ToString(CultureInfo.InvariantCulture)), new("currency", currency), new("customer", Customer),
            new("payment_method", ApiReply.Text(ApiReply.Field(setup, "payment_method"))), new("payment_method_types[0]", "sepa_debit"),
            new("confirm", "true"), new("off_session", "true"), new("expand[0]", "latest_charge"),
        ]);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"the off-session debit ({reply.Body})");
        _debit = ApiReply.Text(ApiReply.Field(reply.Json, "id"));
        Check.Equal(ApiReply.Text(ApiReply.Field(setup, "mandate")), ApiReply.Text(ApiReply.Path(reply.Json, "latest_charge.payment_method_details.sepa_debit.mandate")), "the debit's mandate");
    }

    [Then("the off-session debit is {string}")]
    public async Task DebitIs(string status)
    {
        var debit = _debit ?? throw new AssertionException("no off-session debit was made in this scenario");
        Check.Equal(status, ApiReply.Text(ApiReply.Field((await Stripe.StripeAsync(HttpMethod.Get, "/v1/payment_intents/" + debit)).Json, "status")), "the off-session debit's status");
    }
}
