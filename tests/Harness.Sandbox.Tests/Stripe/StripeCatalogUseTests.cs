using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeCatalogTests;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Prices made through the API, bought as seeded ones are (Stripe.net 53.1.0): in Checkout, subscriptions and invoice
/// items; archived prices and prices of archived products refused; renewals every <c>interval_count</c> intervals; and
/// the catalog after a restart.
/// </summary>
public sealed class StripeCatalogUseTests
{
    private const long Day = 86_400;

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static Task<Price> PriceAsync(StripeClient stripe, long amount, string? interval = null, long? count = null, string? product = null) =>
        stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd",
            UnitAmount = amount,
            Product = product,
            ProductData = product is null ? new PriceProductDataOptions { Name = "Made " + amount } : null,
            Recurring = interval is null ? null : new PriceRecurringOptions { Interval = interval, IntervalCount = count },
        }, cancellationToken: Ct);

    private static SessionCreateOptions Checkout(string mode, string price) => new()
    {
        Mode = mode,
        LineItems = [new SessionLineItemOptions { Price = price, Quantity = 2 }],
        SuccessUrl = "https://merchant.example/done",
    };

    [Fact]
    public async Task A_created_price_is_bought_in_checkout_of_its_kind_and_refused_in_the_other()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var oneTime = await PriceAsync(stripe, 1250);
        var monthly = await PriceAsync(stripe, 700, "month");

        var payment = await stripe.V1.Checkout.Sessions.CreateAsync(Checkout("payment", oneTime.Id), cancellationToken: Ct);
        Assert.Equal(2500L, payment.AmountTotal);
        await sandbox.ActAsync(payment.Id, "pay");
        Assert.Equal("paid", (await stripe.V1.Checkout.Sessions.GetAsync(payment.Id, cancellationToken: Ct)).PaymentStatus);
        var lines = await stripe.V1.Checkout.Sessions.LineItems.ListAsync(payment.Id, cancellationToken: Ct);
        Assert.Equal((oneTime.Id, "Made 1250"), (lines.Data.Single().Price.Id, lines.Data.Single().Description));

        var subscription = await stripe.V1.Checkout.Sessions.CreateAsync(Checkout("subscription", monthly.Id), cancellationToken: Ct);
        await sandbox.ActAsync(subscription.Id, "pay");
        var subscribed = await stripe.V1.Subscriptions.GetAsync((await stripe.V1.Checkout.Sessions.GetAsync(subscription.Id, cancellationToken: Ct)).SubscriptionId, cancellationToken: Ct);
        Assert.Equal(("active", monthly.Id, 2L), (subscribed.Status, subscribed.Items.Data[0].Price.Id, subscribed.Items.Data[0].Quantity));

        var recurringInPayment = await RefusedAsync(() => stripe.V1.Checkout.Sessions.CreateAsync(Checkout("payment", monthly.Id), cancellationToken: Ct), HttpStatusCode.BadRequest, "line_items[0][price]");
        Assert.Contains("recurring price", recurringInPayment.StripeError.Message, StringComparison.Ordinal);
        await RefusedAsync(() => stripe.V1.Checkout.Sessions.CreateAsync(Checkout("subscription", oneTime.Id), cancellationToken: Ct), HttpStatusCode.BadRequest, "line_items");

        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "items@example.com" }, cancellationToken: Ct);
        var item = await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer.Id, Pricing = new InvoiceItemPricingOptions { Price = oneTime.Id }, Quantity = 3,
        }, cancellationToken: Ct);
        Assert.Equal(3750L, item.Amount);
        var recurringItem = await RefusedAsync(() => stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer.Id, Pricing = new InvoiceItemPricingOptions { Price = monthly.Id },
        }, cancellationToken: Ct), HttpStatusCode.BadRequest, "pricing[price]");
        Assert.Equal("The price specified is set to `type=recurring` but this field only accepts prices with `type=one_time`.", recurringItem.StripeError.Message);
    }

    [Fact]
    public async Task An_archived_price_or_a_price_of_an_archived_product_cannot_be_bought()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var oneTime = await PriceAsync(stripe, 1250);
        var monthly = await PriceAsync(stripe, 700, "month");
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "archive@example.com" }, cancellationToken: Ct);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);

        await stripe.V1.Prices.UpdateAsync(oneTime.Id, new PriceUpdateOptions { Active = false }, cancellationToken: Ct);
        var inactive = await RefusedAsync(() => stripe.V1.Checkout.Sessions.CreateAsync(Checkout("payment", oneTime.Id), cancellationToken: Ct), HttpStatusCode.BadRequest, "line_items[0][price]");
        Assert.Equal("The price specified is inactive. This field only accepts active prices.", inactive.StripeError.Message);
        await RefusedAsync(() => stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer.Id, Pricing = new InvoiceItemPricingOptions { Price = oneTime.Id },
        }, cancellationToken: Ct), HttpStatusCode.BadRequest, "pricing[price]");

        await stripe.V1.Products.UpdateAsync(monthly.ProductId, new ProductUpdateOptions { Active = false }, cancellationToken: Ct);
        var archivedProduct = await RefusedAsync(() => stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = monthly.Id }],
        }, cancellationToken: Ct), HttpStatusCode.BadRequest, "items[0][price]");
        Assert.Equal($"The price `{monthly.Id}` is not available to be purchased because its product is not active.", archivedProduct.StripeError.Message);
        await RefusedAsync(() => stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Price = monthly.Id }],
        }, cancellationToken: Ct), HttpStatusCode.BadRequest, "items[0][price]");

        // Reactivated, both sell again.
        await stripe.V1.Products.UpdateAsync(monthly.ProductId, new ProductUpdateOptions { Active = true }, cancellationToken: Ct);
        var changed = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Price = monthly.Id }],
        }, cancellationToken: Ct);
        Assert.Equal(monthly.Id, changed.Items.Data[0].Price.Id);
        await stripe.V1.Prices.UpdateAsync(oneTime.Id, new PriceUpdateOptions { Active = true }, cancellationToken: Ct);
        Assert.Equal(2500L, (await stripe.V1.Checkout.Sessions.CreateAsync(Checkout("payment", oneTime.Id), cancellationToken: Ct)).AmountTotal);
    }

    [Fact]
    public async Task A_quarterly_price_renews_every_three_calendar_months()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var quarterly = await PriceAsync(stripe, 2700, "month", 3);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "quarterly@example.com" }, cancellationToken: Ct);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = quarterly.Id }],
        }, cancellationToken: Ct);
        var start = subscription.Items.Data[0].CurrentPeriodStart;
        // Nov 23 to Feb 23: three calendar months, 92 days.
        Assert.Equal((start.AddMonths(3), 92.0), (subscription.Items.Data[0].CurrentPeriodEnd, (subscription.Items.Data[0].CurrentPeriodEnd - start).TotalDays));

        // Two months into it (61 days) nothing renews; at the quarter's end the second quarter starts with its invoice.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(61));
        Assert.Equal(start, (await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).Items.Data[0].CurrentPeriodStart);
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewed = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal((start.AddMonths(3), start.AddMonths(6)), (renewed.Items.Data[0].CurrentPeriodStart, renewed.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal(("subscription_cycle", 2700L), (renewed.LatestInvoice.BillingReason, renewed.LatestInvoice.AmountPaid));

        // A monthly price is another billing period: not beside the quarterly one on a subscription.
        var monthly = await PriceAsync(stripe, 900, "month", product: quarterly.ProductId);
        await RefusedAsync(() => stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = quarterly.Id }, new SubscriptionItemOptions { Price = monthly.Id }],
        }, cancellationToken: Ct), HttpStatusCode.BadRequest, "items[1][price]");

        // Changing to it starts a new, one-month cycle now.
        var changed = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Price = monthly.Id }],
        }, cancellationToken: Ct);
        var now = changed.Items.Data[0].CurrentPeriodStart;
        Assert.Equal(start.AddMonths(3), now);
        // Feb 23 to Mar 23: February's 28 days.
        Assert.Equal((now.AddMonths(1), 28 * Day), (changed.Items.Data[0].CurrentPeriodEnd, (long)(changed.Items.Data[0].CurrentPeriodEnd - now).TotalSeconds));
    }

    [Fact]
    public async Task Products_prices_and_lookup_keys_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-catalog-" + Guid.NewGuid().ToString("N"));
        string productId;
        string priceId;
        await using (var before = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            var stripe = Client(before);
            var product = await stripe.V1.Products.CreateAsync(new ProductCreateOptions
            {
                Name = "Kept", DefaultPriceData = new ProductDefaultPriceDataOptions { Currency = "usd", UnitAmount = 4200 },
            }, cancellationToken: Ct);
            productId = product.Id;
            priceId = (await stripe.V1.Prices.UpdateAsync(product.DefaultPriceId, new PriceUpdateOptions { LookupKey = "kept" }, cancellationToken: Ct)).Id;
        }

        await using (var after = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            var again = Client(after);
            var kept = await again.V1.Products.GetAsync(productId, cancellationToken: Ct);
            Assert.Equal(("Kept", priceId), (kept.Name, kept.DefaultPriceId));
            var byKey = await again.V1.Prices.ListAsync(new PriceListOptions { LookupKeys = ["kept"] }, cancellationToken: Ct);
            Assert.Equal((priceId, 4200L), (byKey.Data.Single().Id, byKey.Data.Single().UnitAmount));
            await RefusedAsync(() => again.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 1, Product = productId, LookupKey = "kept" }, cancellationToken: Ct),
                HttpStatusCode.BadRequest, "lookup_key");
            Assert.Equal(8400L, (await again.V1.Checkout.Sessions.CreateAsync(Checkout("payment", priceId), cancellationToken: Ct)).AmountTotal);
            Assert.Contains(productId, (await again.V1.Products.ListAsync(cancellationToken: Ct)).Data.Select(p => p.Id));
        }

        Directory.Delete(data, recursive: true);
    }
}
