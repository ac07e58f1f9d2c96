using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe tax rates over HTTP: a rate made with <c>POST /v1/tax_rates</c>, archived, and applied to a payment
/// checkout's line (with <see cref="StripeDiscountSteps"/>' coupon for discount-then-tax) and to a standalone invoice.
/// </summary>
[Steps]
public sealed class StripeTaxSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _rate;

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private string Rate => _rate ?? throw new AssertionException("the scenario has no tax rate yet");

    [Given("a Stripe {word} tax rate of {string} percent")]
    public async Task TaxRate(string kind, string percentage)
    {
        var rate = await Recurring.OkAsync(HttpMethod.Post, "/v1/tax_rates",
            [new("display_name", "Tax " + percentage), new("percentage", percentage), new("inclusive", kind == "inclusive" ? "true" : "false")]);
        Check.Equal("tax_rate", ApiReply.Text(ApiReply.Field(rate, "object")), "the tax rate's object");
        _rate = ApiReply.Text(ApiReply.Field(rate, "id"));
    }

    [Given("the merchant archives the tax rate")]
    public async Task Archive()
    {
        var rate = await Recurring.OkAsync(HttpMethod.Post, "/v1/tax_rates/" + Rate, [new("active", "false")]);
        Check.Equal(false, ApiReply.Field(rate, "active").GetBoolean(), "the tax rate's active");
    }

    [When("the merchant creates a payment checkout session for {int} of {string} with the tax rate")]
    public Task SessionWithRate(int quantity, string price) => SessionAsync(quantity, price, coupon: false);

    [When("the merchant creates a payment checkout session for {int} of {string} with the coupon and the tax rate")]
    public Task SessionWithCouponAndRate(int quantity, string price) => SessionAsync(quantity, price, coupon: true);

    [When("the merchant tries a payment checkout session for {int} of {string} with the tax rate")]
    public async Task TrySessionWithRate(int quantity, string price)
    {
        var form = await Stripe.SessionFormAsync("payment", price, quantity);
        form.Add(new("line_items[0][tax_rates][0]", Rate));
        await Stripe.StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", form);
    }

    [Then("the session's subtotal is {int}, its tax {int} and its total {int}")]
    public async Task Amounts(int subtotal, int tax, int total)
    {
        var session = await Recurring.OkAsync(HttpMethod.Get, "/v1/checkout/sessions/" + _world.ThePayment);
        Check.Equal(subtotal, ApiReply.Field(session, "amount_subtotal").GetInt64(), "the session's amount_subtotal");
        Check.Equal(tax, ApiReply.Path(session, "total_details.amount_tax").GetInt64(), "the session's total_details.amount_tax");
        Check.Equal(total, ApiReply.Field(session, "amount_total").GetInt64(), "the session's amount_total");
    }

    [When("the merchant invoices the customer {int} {string} with the tax rate as the invoice's default")]
    public async Task InvoiceWithDefault(int amount, string currency)
    {
        var invoice = await Recurring.OkAsync(HttpMethod.Post, "/v1/invoices", [new("customer", Recurring.Customer), new("default_tax_rates[0]", Rate)]);
        var id = ApiReply.Text(ApiReply.Field(invoice, "id"));
        await Recurring.OkAsync(HttpMethod.Post, "/v1/invoiceitems",
            [new("customer", Recurring.Customer), new("invoice", id), new("amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("currency", currency)]);
        _world.PaymentId = id;
    }

    [Then("the invoice's subtotal is {int}, its tax {int}, its total {int} and it is due {int}")]
    public async Task InvoiceAmounts(int subtotal, int tax, int total, int due)
    {
        var invoice = await Recurring.OkAsync(HttpMethod.Get, "/v1/invoices/" + _world.ThePayment);
        Check.Equal(subtotal, ApiReply.Field(invoice, "subtotal").GetInt64(), "the invoice's subtotal");
        Check.Equal(tax, ApiReply.Field(invoice, "total_taxes").EnumerateArray().Sum(t => ApiReply.Field(t, "amount").GetInt64()), "the invoice's total_taxes");
        Check.Equal(total, ApiReply.Field(invoice, "total").GetInt64(), "the invoice's total");
        Check.Equal(due, ApiReply.Field(invoice, "amount_due").GetInt64(), "the invoice's amount_due");
        Check.Equal(Rate, ApiReply.Text(ApiReply.Path(invoice, "lines.data").EnumerateArray().Single().GetProperty("taxes")[0].GetProperty("tax_rate_details").GetProperty("tax_rate")),
            "the line's tax rate");
    }

    private async Task SessionAsync(int quantity, string price, bool coupon)
    {
        var form = await Stripe.SessionFormAsync("payment", price, quantity);
        form.Add(new("line_items[0][tax_rates][0]", Rate));
        if (coupon)
        {
            form.Add(new("discounts[0][coupon]", context.Get<StripeDiscountSteps>().CouponId));
        }

        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", form);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"creating a taxed checkout session ({reply.Body})");
        _world.PaymentId = ApiReply.Text(ApiReply.Field(reply.Json, "id"));
    }
}
