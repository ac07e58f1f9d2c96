using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe credit notes over HTTP on the invoice of <see cref="StripeInvoiceSteps"/>: issuing one (lowering what an open
/// invoice owes, or refunding, crediting the balance or recording a paid invoice's credit out of band), voiding it, and
/// the refusals.
/// </summary>
[Steps]
public sealed class StripeCreditNoteSteps(ScenarioContext context)
{
    private string? _note;

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private string Invoice => context.Get<StripeInvoiceSteps>().Invoice;

    private string Note => _note ?? throw new AssertionException("the scenario has no credit note yet");

    [When("the merchant issues a credit note of {int} on the invoice")]
    public Task Issue(int amount) => IssueAsync([new("amount", Text(amount))]);

    /// <summary>A paid invoice's credit note, all of it as <paramref name="part"/>: refund_amount, credit_amount or out_of_band_amount.</summary>
    [When("the merchant issues a credit note of {int} on the invoice as its {string}")]
    public Task IssueAs(int amount, string part) => IssueAsync([new("amount", Text(amount)), new(part, Text(amount))]);

    [When("the merchant voids the credit note")]
    public async Task Void() => await Recurring.OkAsync(HttpMethod.Post, $"/v1/credit_notes/{Note}/void");

    [Then("the credit note is {string} with a total of {int}, {int} of it before payment and {int} after")]
    public async Task Is(string status, int total, int pre, int post)
    {
        var note = await Recurring.OkAsync(HttpMethod.Get, "/v1/credit_notes/" + Note);
        Check.Equal(status, ApiReply.Text(ApiReply.Field(note, "status")), "the credit note's status");
        Check.Equal(total, ApiReply.Field(note, "total").GetInt64(), "the credit note's total");
        Check.Equal(pre, ApiReply.Field(note, "pre_payment_amount").GetInt64(), "the credit note's pre_payment_amount");
        Check.Equal(post, ApiReply.Field(note, "post_payment_amount").GetInt64(), "the credit note's post_payment_amount");
        Check.Equal(Invoice, ApiReply.Text(ApiReply.Field(note, "invoice")), "the credit note's invoice");
    }

    [Then("the customer's charge has {int} refunded")]
    public async Task Refunded(int amount)
    {
        var charges = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/charges?customer=" + Uri.EscapeDataString(Recurring.Customer)), "data");
        Check.Equal(amount, ApiReply.Field(charges[0], "amount_refunded").GetInt64(), "the charge's amount_refunded");
    }

    [Then("the customer's credit balance is {int}")]
    public async Task Balance(int balance) =>
        Check.Equal(balance, ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/customers/" + Recurring.Customer), "balance").GetInt64(), "the customer's balance");

    [Then("issuing a credit note of {int} on the invoice is refused with {int} and param {string}")]
    public async Task Refused(int amount, int status, string param)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/credit_notes", [new("invoice", Invoice), new("amount", Text(amount))]);
        Check.Equal((HttpStatusCode)status, reply.Status, $"issuing a credit note ({reply.Body})");
        Check.Equal("invalid_request_error", ApiReply.Text(ApiReply.Path(reply.Json, "error.type")), "the refusal's type");
        Check.Equal(param, ApiReply.Text(ApiReply.Path(reply.Json, "error.param")), "the refusal's param");
    }

    [Then("voiding the credit note is refused with {int}")]
    public async Task VoidRefused(int status)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, $"/v1/credit_notes/{Note}/void", []);
        Check.Equal((HttpStatusCode)status, reply.Status, $"voiding the credit note ({reply.Body})");
    }

    private async Task IssueAsync(List<KeyValuePair<string, string>> form)
    {
        form.Add(new("invoice", Invoice));
        _note = ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Post, "/v1/credit_notes", form), "id"));
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
