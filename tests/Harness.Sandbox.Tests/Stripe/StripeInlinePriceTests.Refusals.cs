using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>Stripe's refusals of <c>price_data</c> and <c>add_invoice_items</c>, and inline prices across a restart.</summary>
public sealed partial class StripeInlinePriceTests
{
    private static async Task<StripeException> RefusedAsync(StripeClient stripe, string customer, Action<SubscriptionCreateOptions> shape)
    {
        var options = new SubscriptionCreateOptions { Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] };
        shape(options);
        return await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(options, cancellationToken: Ct));
    }

    [Fact]
    public async Task Inline_prices_are_refused_as_Stripe_refuses_them()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var product = await ProductAsync(stripe);
        var archived = await ProductAsync(stripe, "Old plan");
        await stripe.V1.Products.UpdateAsync(archived, new ProductUpdateOptions { Active = false }, cancellationToken: Ct);
        var customer = (await CustomerAsync(stripe)).Id;
        var cases = new (Action<SubscriptionCreateOptions> Shape, HttpStatusCode Status, string Param, string Says)[]
        {
            (o => o.Items[0].PriceData = Monthly(product, 100), HttpStatusCode.BadRequest, "items[0][price]", "You may only specify one of these parameters: price, price_data."),
            (o => (o.Items[0].Price, o.Items[0].Quantity) = (null, 2), HttpStatusCode.BadRequest, "items[0][price]", "You must specify either `price` or `price_data` in `items[0]`."),
            (o => o.Items = [new() { PriceData = Monthly("prod_missing", 100) }], HttpStatusCode.NotFound, "items[0][price_data][product]", "No such product: 'prod_missing'"),
            (o => o.Items = [new() { PriceData = Monthly(archived, 100) }], HttpStatusCode.BadRequest, "items[0][price_data][product]", "archived"),
            (o => o.Items = [new() { PriceData = new() { Currency = "usd", Product = product, UnitAmount = 100 } }], HttpStatusCode.BadRequest, "items[0][price_data][recurring]", "Missing required param"),
            (o => o.Items = [new() { PriceData = new() { Currency = "usd", UnitAmount = 100, Recurring = new() { Interval = "month" } } }], HttpStatusCode.BadRequest, "items[0][price_data][product]", "Missing required param"),
            (o => o.Items = [new() { PriceData = Monthly(product, -1) }], HttpStatusCode.BadRequest, "items[0][price_data][unit_amount]", "greater than or equal to 0"),
            (o => o.Items.Add(new() { PriceData = Monthly(product, 100, "eur") }), HttpStatusCode.BadRequest, "items[1][price_data]", "same `currency`"),
            (o => o.AddInvoiceItems = [new() { Price = StripeCatalog.TeamMonthlyPrice }], HttpStatusCode.BadRequest, "add_invoice_items[0][price]", "only accepts prices with `type=one_time`"),
            (o => o.AddInvoiceItems = [new() { PriceData = new() { Currency = "eur", Product = product, UnitAmount = 100 } }], HttpStatusCode.BadRequest, "add_invoice_items[0][price_data][currency]", "must match the subscription's (usd)"),
            (o => o.AddInvoiceItems = [new() { Quantity = 2 }], HttpStatusCode.BadRequest, "add_invoice_items[0][price]", "You must specify either `price` or `price_data`"),
            (o => o.AddInvoiceItems = [new() { Price = StripeCatalog.CreditsPrice, Discounts = [new() { Coupon = "any" }] }], HttpStatusCode.NotFound, "add_invoice_items[0][discounts][0][coupon]", "No such coupon"),
            (o => (o.AddInvoiceItems, o.TrialPeriodDays) = ([new() { PriceData = new() { Currency = "usd", Product = product, UnitAmount = 100 } }], 7), HttpStatusCode.BadRequest, "add_invoice_items", "not simulated"),
        };
        foreach (var (shape, status, param, says) in cases)
        {
            var refused = await RefusedAsync(stripe, customer, shape);
            Assert.Equal((status, param), (refused.HttpStatusCode, refused.StripeError.Param));
            Assert.Contains(says, refused.StripeError.Message, StringComparison.Ordinal);
        }

        // A one-time add_invoice_items price_data takes no recurring, a subscription item's no product_data: unknown parameters, as at Stripe.
        var options = new SubscriptionCreateOptions { Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] };
        options.AddExtraParam("add_invoice_items[0][price_data][recurring][interval]", "month");
        var recurringFee = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(options, cancellationToken: Ct));
        Assert.Equal(("parameter_unknown", "add_invoice_items[0][price_data][recurring]"), (recurringFee.StripeError.Code, recurringFee.StripeError.Param));
        options = new SubscriptionCreateOptions { Customer = customer };
        options.AddExtraParam("items[0][price_data][product_data][name]", "Ad hoc");
        var productData = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(options, cancellationToken: Ct));
        Assert.Equal(("parameter_unknown", "items[0][price_data][product_data]"), (productData.StripeError.Code, productData.StripeError.Param));

        // Nothing was subscribed by any refusal.
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer }, cancellationToken: Ct)).Data);

        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        await stripe.V1.Subscriptions.CancelAsync(subscription.Id, cancellationToken: Ct);
        var ended = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            AddInvoiceItems = [new SubscriptionAddInvoiceItemOptions { Price = StripeCatalog.CreditsPrice }],
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "add_invoice_items"), (ended.HttpStatusCode, ended.StripeError.Param));
    }

    [Fact]
    public async Task An_inline_price_survives_a_restart_and_its_subscription_renews_on_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var options = new SandboxOptions
        {
            DataDirectory = data,
            BasePort = 0,
            Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)),
        };
        string clockId, subscriptionId, priceId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            clockId = (await before.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct)).Id;
            var customer = await before.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clockId }, cancellationToken: Ct);
            var product = await ProductAsync(before);
            var subscription = await before.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
            {
                Customer = customer.Id, Items = [new SubscriptionItemOptions { PriceData = Monthly(product, 1234) }],
            }, cancellationToken: Ct);
            (subscriptionId, priceId) = (subscription.Id, subscription.Items.Data[0].Price.Id);
        }

        await using var second = await SandboxServer.StartAsync(options, Ct);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
        Assert.Equal((1234L, false), ((await stripe.V1.Prices.GetAsync(priceId, cancellationToken: Ct)).UnitAmount!.Value, (await stripe.V1.Prices.GetAsync(priceId, cancellationToken: Ct)).Active));
        await AdvanceClockAsync(stripe, clockId, Frozen.AddMonths(1));
        var renewed = await stripe.V1.Subscriptions.GetAsync(subscriptionId, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(("subscription_cycle", 1234L, priceId), (renewed.LatestInvoice.BillingReason, renewed.LatestInvoice.AmountPaid, renewed.Items.Data[0].Price.Id));
    }
}
