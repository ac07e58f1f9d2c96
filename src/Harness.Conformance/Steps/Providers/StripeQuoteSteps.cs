using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe quotes over HTTP, for the customer of <see cref="StripeRecurringSteps"/>: a draft quote of one line (with
/// <see cref="StripeTaxSteps"/>' rate and <see cref="StripeDiscountSteps"/>' coupon), finalized, accepted into an invoice
/// or a subscription, canceled, expired on the customer's test clock; refusals.
/// </summary>
[Steps]
public sealed class StripeQuoteSteps(ScenarioContext context)
{
    private string? _quote;

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private string Quote => _quote ?? throw new AssertionException("the scenario has no quote yet");

    [When("the merchant drafts a quote for the customer of {int} of {string}")]
    public Task Draft(int quantity, string price) => DraftAsync(Line(0, price, quantity));

    [When("the merchant drafts a quote for the customer of {int} of {string} expiring in {int} days")]
    public async Task DraftExpiring(int quantity, string price, int days)
    {
        var clock = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/customers/" + Recurring.Customer), "test_clock");
        var now = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/test_helpers/test_clocks/" + ApiReply.Text(clock)), "frozen_time").GetInt64();
        await DraftAsync([.. Line(0, price, quantity), new("expires_at", Text(now + (days * 86_400L)))]);
    }

    [When("the merchant drafts a quote for the customer of {int} of {string} and {int} of {string} with the coupon and the tax rate")]
    public Task DraftDiscountedAndTaxed(int quantity, string price, int secondQuantity, string secondPrice) =>
        DraftAsync([.. Line(0, price, quantity), .. Line(1, secondPrice, secondQuantity),
            new("discounts[0][coupon]", context.Get<StripeDiscountSteps>().CouponId), new("default_tax_rates[0]", context.Get<StripeTaxSteps>().RateId)]);

    [When("the merchant tries a quote for the customer of {string} and {string}")]
    public Task TryTwoPrices(string first, string second) =>
        Stripe.StripeAsync(HttpMethod.Post, "/v1/quotes", [new("customer", Recurring.Customer), .. Line(0, first, 1), .. Line(1, second, 1)]);

    [When("the merchant finalizes the quote")]
    public Task Finalize() => ActAsync("finalize");

    [When("the merchant accepts the quote")]
    public Task Accept() => ActAsync("accept");

    [When("the merchant cancels the quote")]
    public Task Cancel() => ActAsync("cancel");

    [Then("the quote is {string} with a subtotal of {int} and a total of {int}")]
    public async Task Is(string status, int subtotal, int total)
    {
        var quote = await Recurring.OkAsync(HttpMethod.Get, "/v1/quotes/" + Quote);
        Check.Equal(status, ApiReply.Text(ApiReply.Field(quote, "status")), "the quote's status");
        Check.Equal(subtotal, ApiReply.Field(quote, "amount_subtotal").GetInt64(), "the quote's amount_subtotal");
        Check.Equal(total, ApiReply.Field(quote, "amount_total").GetInt64(), "the quote's amount_total");
    }

    [Then("the quote is numbered after the customer's invoice prefix")]
    public async Task Numbered()
    {
        var prefix = ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/customers/" + Recurring.Customer), "invoice_prefix"));
        Check.Equal($"QT-{prefix}-0001-1", ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/quotes/" + Quote), "number")), "the quote's number");
    }

    [Then("the quote's invoice is a {string} invoice of {int}")]
    public async Task Invoice(string status, int total)
    {
        var invoiceId = ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/quotes/" + Quote), "invoice"));
        var invoice = await Recurring.OkAsync(HttpMethod.Get, "/v1/invoices/" + invoiceId);
        Check.Equal(status, ApiReply.Text(ApiReply.Field(invoice, "status")), "the quote's invoice's status");
        Check.Equal(total, ApiReply.Field(invoice, "total").GetInt64(), "the quote's invoice's total");
    }

    [Then("the quote's subscription is {string} and its first invoice is the quote's")]
    public async Task Subscription(string status)
    {
        var quote = await Recurring.OkAsync(HttpMethod.Get, "/v1/quotes/" + Quote);
        var subscriptionId = ApiReply.Text(ApiReply.Field(quote, "subscription"));
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + subscriptionId);
        Check.Equal(status, ApiReply.Text(ApiReply.Field(subscription, "status")), "the quote's subscription's status");
        Check.Equal(ApiReply.Text(ApiReply.Field(quote, "invoice")), ApiReply.Text(ApiReply.Field(subscription, "latest_invoice")), "the quote's invoice and the subscription's latest_invoice");
        Recurring.Subscribed(subscriptionId);
    }

    [Then("the receiver gets a verifiable {string} event for the quote")]
    public async Task Event(string type)
    {
        var events = await Recurring.VerifiedAsync(type);
        Check.That(events.Any(e => ApiReply.Text(ApiReply.Path(e, "data.object.id")) == Quote), $"a verifiable {type} event for {Quote}");
    }

    [Then("accepting the quote again is refused with {int}")]
    public async Task AcceptRefused(int status)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, $"/v1/quotes/{Quote}/accept");
        Check.Equal((HttpStatusCode)status, reply.Status, $"accepting the quote again ({reply.Body})");
        Check.Equal("invalid_request_error", ApiReply.Text(ApiReply.Path(reply.Json, "error.type")), "the refusal's type");
    }

    private async Task DraftAsync(List<KeyValuePair<string, string>> form)
    {
        form.Add(new("customer", Recurring.Customer));
        var quote = await Recurring.OkAsync(HttpMethod.Post, "/v1/quotes", form);
        Check.Equal("draft", ApiReply.Text(ApiReply.Field(quote, "status")), "a new quote's status");
        _quote = ApiReply.Text(ApiReply.Field(quote, "id"));
    }

    private async Task ActAsync(string action) => await Recurring.OkAsync(HttpMethod.Post, $"/v1/quotes/{Quote}/{action}");

    private static List<KeyValuePair<string, string>> Line(int n, string price, int quantity) =>
        [new($"line_items[{n}][price]", price), new($"line_items[{n}][quantity]", Text(quantity))];

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
