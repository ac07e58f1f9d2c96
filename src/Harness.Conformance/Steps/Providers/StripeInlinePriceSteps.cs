using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe inline prices over HTTP, on the customer and subscription of <see cref="StripeRecurringSteps"/>: a subscription
/// whose item is <c>items[0][price_data]</c> of a product made for the scenario, one-off fees by <c>add_invoice_items</c>
/// (with their period), and a Checkout Session's line <c>price_data</c>.
/// </summary>
[Steps]
public sealed class StripeInlinePriceSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _product;

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    [When("the customer subscribes through the API to an inline price of {int} {string} a month with a setup fee of {int}")]
    public async Task SubscribeInline(int amount, string currency, int fee)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions",
        [
            new("customer", Recurring.Customer), .. await PriceDataAsync("items[0]", amount, currency, recurring: true),
            .. await PriceDataAsync("add_invoice_items[0]", fee, currency, recurring: false),
        ]);
        Check.Equal("active", ApiReply.Text(ApiReply.Field(subscription, "status")), "a new subscription's status");
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(subscription, "id")));
    }

    [Then("the subscription's price is an inactive inline price of {int}, retrievable by its id")]
    public async Task InlinePrice(int amount)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        var price = await Recurring.OkAsync(HttpMethod.Get, "/v1/prices/" + ApiReply.Text(ApiReply.Path(subscription, "items.data.0.price.id")));
        Check.Equal(amount, ApiReply.Field(price, "unit_amount").GetInt64(), "the inline price's unit_amount");
        Check.Equal(false, ApiReply.Field(price, "active").GetBoolean(), "the inline price's active");
        Check.Equal(_product, ApiReply.Text(ApiReply.Field(price, "product")), "the inline price's product");
    }

    [When("the merchant adds a fee of {int} {string} to the subscription's next invoice")]
    public async Task AddFee(int amount, string currency) =>
        await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions/" + Recurring.Subscription, await PriceDataAsync("add_invoice_items[0]", amount, currency, recurring: false));

    [Then("the customer's pending invoice items are {string}")]
    public async Task Pending(string amounts)
    {
        var list = await Recurring.OkAsync(HttpMethod.Get, $"/v1/invoiceitems?customer={Recurring.Customer}&pending=true");
        var items = ApiReply.Field(list, "data").EnumerateArray().Reverse().ToList();
        Check.Equal(amounts, string.Join(", ", items.Select(i => ApiReply.Field(i, "amount").GetInt64())), "the pending invoice items' amounts, oldest first");
    }

    [Then("subscribing with both a price and an inline price is refused naming {string}")]
    public async Task BothRefused(string param)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/subscriptions",
            [new("customer", Recurring.Customer), new("items[0][price]", "price_HarnessProMonthly"), .. await PriceDataAsync("items[0]", 100, "usd", recurring: true)]);
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, $"a subscription with price and price_data ({reply.Body})");
        Check.Equal(param, ApiReply.Text(ApiReply.Path(reply.Json, "error.param")), "the error's param");
    }

    [When("the merchant creates a payment-mode checkout session for {int} of an inline price of {int} {string} named {string}")]
    public async Task CheckoutInline(int quantity, int amount, string currency, string name)
    {
        var session = await Recurring.OkAsync(HttpMethod.Post, "/v1/checkout/sessions",
        [
            new("mode", "payment"), new("success_url", "https://merchant.example/done"), new("line_items[0][quantity]", Text(quantity)),
            new("line_items[0][price_data][currency]", currency), new("line_items[0][price_data][unit_amount]", Text(amount)),
            new("line_items[0][price_data][product_data][name]", name),
        ]);
        _world.PaymentId = ApiReply.Text(ApiReply.Field(session, "id"));
    }

    [Then("the session's line price is an inactive inline price of {int} named {string}, retrievable by its id")]
    public async Task SessionLinePrice(int amount, string name)
    {
        var lines = await Recurring.OkAsync(HttpMethod.Get, $"/v1/checkout/sessions/{_world.ThePayment}/line_items");
        var line = ApiReply.Field(lines, "data")[0];
        Check.Equal(name, ApiReply.Text(ApiReply.Field(line, "description")), "the line's description");
        var price = await Recurring.OkAsync(HttpMethod.Get, "/v1/prices/" + ApiReply.Text(ApiReply.Path(line, "price.id")));
        Check.Equal(amount, ApiReply.Field(price, "unit_amount").GetInt64(), "the inline price's unit_amount");
        Check.Equal(false, ApiReply.Field(price, "active").GetBoolean(), "the inline price's active");
    }

    [When("the customer subscribes to {string} with a setup fee of {int} {string} for the period {long} to {long}")]
    public async Task SubscribeWithPeriod(string price, int fee, string currency, long start, long end)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions",
        [
            new("customer", Recurring.Customer), new("items[0][price]", price), .. await PriceDataAsync("add_invoice_items[0]", fee, currency, recurring: false),
            new("add_invoice_items[0][period][start][type]", "timestamp"), new("add_invoice_items[0][period][start][timestamp]", start.ToString(CultureInfo.InvariantCulture)),
            new("add_invoice_items[0][period][end][type]", "timestamp"), new("add_invoice_items[0][period][end][timestamp]", end.ToString(CultureInfo.InvariantCulture)),
        ]);
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(subscription, "id")));
    }

    [Then("the customer's invoice item of {int} has the period {long} to {long}")]
    public async Task ItemPeriod(int amount, long start, long end)
    {
        var list = await Recurring.OkAsync(HttpMethod.Get, $"/v1/invoiceitems?customer={Recurring.Customer}");
        var item = ApiReply.Field(list, "data").EnumerateArray().Single(i => ApiReply.Field(i, "amount").GetInt64() == amount);
        Check.Equal((start, end), (ApiReply.Path(item, "period.start").GetInt64(), ApiReply.Path(item, "period.end").GetInt64()), "the invoice item's period");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>{prefix}[price_data]</c> of the scenario's product (made on first use), monthly when <paramref name="recurring"/>.</summary>
    private async Task<List<KeyValuePair<string, string>>> PriceDataAsync(string prefix, int amount, string currency, bool recurring)
    {
        if (_product is null)
        {
            var product = await Recurring.OkAsync(HttpMethod.Post, "/v1/products", [new("name", context.Unique("inline"))]);
            _product = ApiReply.Text(ApiReply.Field(product, "id"));
        }

        List<KeyValuePair<string, string>> form =
        [
            new($"{prefix}[price_data][currency]", currency), new($"{prefix}[price_data][product]", _product),
            new($"{prefix}[price_data][unit_amount]", amount.ToString(CultureInfo.InvariantCulture)),
        ];
        if (recurring)
        {
            form.Add(new($"{prefix}[price_data][recurring][interval]", "month"));
        }

        return form;
    }
}
