using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe tax rates over HTTP: a rate made with <c>POST /v1/tax_rates</c>, archived, and applied to a payment
/// checkout's line (with <see cref="StripeDiscountSteps"/>' coupon for discount-then-tax), to a standalone invoice, to a
/// subscription as its default (its invoices' taxes per line) and to a subscription checkout's line.
/// </summary>
[Steps]
public sealed class StripeTaxSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _rate;

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private string Rate => _rate ?? throw new AssertionException("the scenario has no tax rate yet");

    /// <summary>The scenario's tax rate (what <see cref="StripeQuoteSteps"/> quotes with).</summary>
    internal string RateId => Rate;

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

    [When("the customer subscribes to {string} through the API with the tax rate as its default")]
    public async Task SubscribeWithDefault(string price)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions", SubscriptionForm(price));
        Check.Equal(Rate, ApiReply.Text(ApiReply.Path(subscription, "default_tax_rates.0.id")), "the subscription's default_tax_rates");
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(subscription, "id")));
    }

    [When("the customer tries to subscribe to {string} through the API with the tax rate as its default")]
    public Task TrySubscribeWithDefault(string price) => Stripe.StripeAsync(HttpMethod.Post, "/v1/subscriptions", SubscriptionForm(price));

    [When("the merchant clears the subscription's default tax rates")]
    public async Task ClearDefaults()
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions/" + Recurring.Subscription, [new("default_tax_rates", "")]);
        Check.Equal(0, ApiReply.Field(subscription, "default_tax_rates").GetArrayLength(), "the subscription's default_tax_rates after clearing");
    }

    [Then("the latest invoice's line taxes are {string} and it was paid {int}")]
    public async Task LatestInvoiceTaxes(string taxes, int paid)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, $"/v1/subscriptions/{Recurring.Subscription}?expand[]=latest_invoice");
        var invoice = ApiReply.Field(subscription, "latest_invoice");
        var lines = ApiReply.Path(invoice, "lines.data").EnumerateArray().Select(l => ApiReply.Field(l, "taxes").EnumerateArray().Sum(t => ApiReply.Field(t, "amount").GetInt64()));
        Check.Equal(taxes, string.Join(", ", lines), "the latest invoice's taxes per line");
        Check.Equal(paid, ApiReply.Field(invoice, "amount_paid").GetInt64(), "the latest invoice's amount_paid");
    }

    [When("the merchant creates a subscription checkout session for {string} with the tax rate on its line")]
    public async Task SubscriptionSession(string price)
    {
        var form = await Stripe.SessionFormAsync("subscription", price);
        form.Add(new("line_items[0][tax_rates][0]", Rate));
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", form);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"creating a taxed subscription checkout session ({reply.Body})");
        _world.PaymentId = ApiReply.Text(ApiReply.Field(reply.Json, "id"));
    }

    [Then("the session's subscription item has the tax rate and its first invoice was paid {int}")]
    public async Task SessionSubscription(int paid)
    {
        var session = await Recurring.OkAsync(HttpMethod.Get, $"/v1/checkout/sessions/{_world.ThePayment}");
        var subscription = await Recurring.OkAsync(HttpMethod.Get, $"/v1/subscriptions/{ApiReply.Text(ApiReply.Field(session, "subscription"))}?expand[]=latest_invoice");
        Check.Equal(Rate, ApiReply.Text(ApiReply.Path(subscription, "items.data.0.tax_rates.0.id")), "the subscription item's tax_rates");
        Check.Equal(paid, ApiReply.Path(subscription, "latest_invoice.amount_paid").GetInt64(), "the first invoice's amount_paid");
    }

    private List<KeyValuePair<string, string>> SubscriptionForm(string price) =>
        [new("customer", Recurring.Customer), new("items[0][price]", price), new("default_tax_rates[0]", Rate)];

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
