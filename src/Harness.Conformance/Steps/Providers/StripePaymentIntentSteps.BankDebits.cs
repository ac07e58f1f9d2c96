using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// SEPA Direct Debit through the PaymentIntents API as a merchant backend drives it: a PaymentMethod from a test IBAN,
/// a euro PaymentIntent confirmed with a mandate, processing until the debit settles on the sandbox clock.
/// </summary>
public sealed partial class StripePaymentIntentSteps
{
    private string? _debitMethod;

    [When("the merchant creates a SEPA Direct Debit PaymentMethod from the IBAN {string}")]
    public async Task CreateDebitMethod(string iban)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/payment_methods",
            [new("type", "sepa_debit"), new("sepa_debit[iban]", iban), new("billing_details[name]", "Jenny Rosen"), new("billing_details[email]", "jenny@example.com")]);
        _debitMethod = reply.Status == System.Net.HttpStatusCode.OK ? ApiReply.Text(ApiReply.Field(reply.Json, "id")) : null;
    }

    [When("the merchant creates and confirms a PaymentIntent of {int} {string} by SEPA Direct Debit with a mandate accepted online")]
    public Task CreateDebit(int amount, string currency) => CreateAsync(amount, currency,
    [
        new("payment_method", _debitMethod ?? throw new AssertionException("no SEPA Direct Debit PaymentMethod was made in this scenario")),
        new("payment_method_types[0]", "sepa_debit"), new("confirm", "true"),
        new("mandate_data[customer_acceptance][type]", "online"),
        new("mandate_data[customer_acceptance][online][ip_address]", "203.0.113.7"),
        new("mandate_data[customer_acceptance][online][user_agent]", "Mozilla/5.0"),
    ]);

    /// <summary>The intent, its latest charge and the mandate both name, retrieved with <c>GET /v1/mandates/{id}</c>.</summary>
    [Then("the PaymentIntent is {string}, its charge {string} under an {string} mandate accepted {string}")]
    public async Task DebitIs(string status, string chargeStatus, string mandateStatus, string acceptance)
    {
        var intent = (await Stripe.StripeAsync(HttpMethod.Get, $"/v1/payment_intents/{Intent}?expand[]=latest_charge")).Json;
        Check.Equal(status, ApiReply.Text(ApiReply.Field(intent, "status")), "status");
        Check.Equal(chargeStatus, ApiReply.Text(ApiReply.Path(intent, "latest_charge.status")), "latest_charge.status");
        var mandateId = ApiReply.Text(ApiReply.Field(intent, "mandate"));
        Check.Equal(mandateId, ApiReply.Text(ApiReply.Path(intent, "latest_charge.payment_method_details.sepa_debit.mandate")), "the charge's mandate");
        var mandate = (await Stripe.StripeAsync(HttpMethod.Get, "/v1/mandates/" + mandateId)).Json;
        Check.Equal(mandateStatus, ApiReply.Text(ApiReply.Field(mandate, "status")), "the mandate's status");
        Check.Equal(acceptance, ApiReply.Text(ApiReply.Path(mandate, "customer_acceptance.type")), "the mandate's customer_acceptance.type");
    }

    [Then("the PaymentIntent is {string} with amount_received {int} and last_payment_error {string}")]
    public async Task DebitSettled(string status, int received, string code)
    {
        var intent = (await Stripe.StripeAsync(HttpMethod.Get, $"/v1/payment_intents/{Intent}")).Json;
        Check.Equal(status, ApiReply.Text(ApiReply.Field(intent, "status")), "status");
        Check.Equal(received, ApiReply.Field(intent, "amount_received").GetInt64(), "amount_received");
        var error = intent.TryGetProperty("last_payment_error", out var given) && given.ValueKind == JsonValueKind.Object ? ApiReply.Text(ApiReply.Field(given, "code")) : "none";
        Check.Equal(code, error, "last_payment_error.code");
    }
}
