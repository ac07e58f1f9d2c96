using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Inline prices through Stripe.net 53.1.0: <c>items[n][price_data]</c> on subscriptions and the Subscription Items API,
/// each a real (inactive) Price that renews and prorates like a stored one, and <c>add_invoice_items</c> setup fees on
/// a subscription's create and update. The tests' first period (Nov 23 to Dec 23) has 30 days.
/// </summary>
public sealed partial class StripeInlinePriceTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static async Task<string> ProductAsync(StripeClient stripe, string name = "Inline plan") =>
        (await stripe.V1.Products.CreateAsync(new ProductCreateOptions { Name = name }, cancellationToken: Ct)).Id;

    internal static SubscriptionItemPriceDataOptions Monthly(string product, long unitAmount, string currency = "usd") => new()
    {
        Currency = currency, Product = product, UnitAmount = unitAmount, Recurring = new SubscriptionItemPriceDataRecurringOptions { Interval = "month" },
    };

    private static async Task<Customer> CustomerAsync(StripeClient stripe) =>
        await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "inline@example.com" }, cancellationToken: Ct);

    private static async Task<Invoice> LatestInvoiceAsync(StripeClient stripe, string subscription) =>
        (await stripe.V1.Subscriptions.GetAsync(subscription, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;

    private static async Task<List<InvoiceItem>> PendingAsync(StripeClient stripe, string customer) =>
        [.. (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, Pending = true }, cancellationToken: Ct)).Data.OrderBy(i => i.Amount)];

    [Fact]
    public async Task A_subscription_on_an_inline_price_renews_and_prorates_like_one_on_a_stored_price()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var product = await ProductAsync(stripe);
        var customer = await CustomerAsync(stripe);

        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { PriceData = Monthly(product, 1500), Quantity = 2 }],
        }, cancellationToken: Ct);
        var price = subscription.Items.Data[0].Price;
        Assert.StartsWith("price_", price.Id, StringComparison.Ordinal);
        Assert.Equal((false, 1500L, product, "month", 1L, "recurring", "unspecified"),
            (price.Active, price.UnitAmount!.Value, price.ProductId, price.Recurring.Interval, price.Recurring.IntervalCount, price.Type, price.TaxBehavior));
        Assert.Equal(("active", 3000L), (subscription.Status, (await LatestInvoiceAsync(stripe, subscription.Id)).AmountPaid));

        // A real Price: retrievable, and inactive, so not bought again by its id.
        var stored = await stripe.V1.Prices.GetAsync(price.Id, cancellationToken: Ct);
        Assert.Equal((price.Id, false, 1500L), (stored.Id, stored.Active, stored.UnitAmount!.Value));
        var reuse = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }],
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "items[0][price]"), (reuse.HttpStatusCode, reuse.StripeError.Param));

        // Halfway, the item moves to another inline price: 2 × 1500 credited for 15 of 30 days, 2 × 4000 charged for them.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var updated = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, PriceData = Monthly(product, 4000) }],
        }, cancellationToken: Ct);
        var moved = updated.Items.Data[0].Price;
        Assert.NotEqual(price.Id, moved.Id);
        Assert.Equal((4000L, false), (moved.UnitAmount!.Value, moved.Active));
        Assert.Equal([-1500L, 4000L], (await PendingAsync(stripe, customer.Id)).Select(i => i.Amount));

        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("subscription_cycle", "paid"), (renewal.BillingReason, renewal.Status));
        Assert.Equal([-1500L, 4000L, 8000L], renewal.Lines.Data.Select(l => l.Amount).Order());
        Assert.Equal(10500L, renewal.AmountPaid);
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        Assert.Equal(8000L, (await LatestInvoiceAsync(stripe, subscription.Id)).AmountPaid);
    }

    [Fact]
    public async Task The_subscription_items_api_adds_and_changes_items_with_price_data()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var product = await ProductAsync(stripe, "Seats");
        var customer = await CustomerAsync(stripe);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        var added = await stripe.V1.SubscriptionItems.CreateAsync(new SubscriptionItemCreateOptions
        {
            Subscription = subscription.Id, PriceData = Monthly(product, 2000), Quantity = 3,
        }, cancellationToken: Ct);
        Assert.Equal((2000L, product, 3L, false), (added.Price.UnitAmount!.Value, added.Price.ProductId, added.Quantity, added.Price.Active));
        Assert.Equal([3000L], (await PendingAsync(stripe, customer.Id)).Select(i => i.Amount));

        var changed = await stripe.V1.SubscriptionItems.UpdateAsync(added.Id, new SubscriptionItemUpdateOptions
        {
            PriceData = Monthly(product, 1000), ProrationBehavior = "none",
        }, cancellationToken: Ct);
        Assert.Equal((added.Id, 1000L, 3L), (changed.Id, changed.Price.UnitAmount!.Value, changed.Quantity));
        Assert.NotEqual(added.Price.Id, changed.Price.Id);

        var both = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SubscriptionItems.UpdateAsync(added.Id, new SubscriptionItemUpdateOptions
        {
            Price = StripeCatalog.TeamMonthlyPrice, PriceData = Monthly(product, 1000),
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "price", "You may only specify one of these parameters: price, price_data."), (both.HttpStatusCode, both.StripeError.Param, both.StripeError.Message));
        var euros = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SubscriptionItems.CreateAsync(new SubscriptionItemCreateOptions
        {
            Subscription = subscription.Id, PriceData = Monthly(product, 1000, "eur"),
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "price"), (euros.HttpStatusCode, euros.StripeError.Param));
        Assert.Contains("must have the same currency", euros.StripeError.Message, StringComparison.Ordinal);

        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal([999L, 3000L, 3000L], renewal.Lines.Data.Select(l => l.Amount).Order());
        Assert.Equal(6999L, renewal.AmountPaid);
    }

    [Fact]
    public async Task A_setup_fee_added_on_create_is_on_the_first_invoice_only_taxed_and_added_once_under_a_retry()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var product = await ProductAsync(stripe, "Setup");
        var onboarding = await stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 250, Product = product }, cancellationToken: Ct);
        var vat = await StripeTaxRateTests.RateAsync(stripe, 10m, inclusive: false);
        var customer = await CustomerAsync(stripe);
        var options = new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            AddInvoiceItems =
            [
                new SubscriptionAddInvoiceItemOptions
                {
                    PriceData = new SubscriptionAddInvoiceItemPriceDataOptions { Currency = "usd", Product = product, UnitAmount = 5000 },
                    TaxRates = [vat.Id],
                    Metadata = new() { ["kind"] = "setup" },
                },
                new SubscriptionAddInvoiceItemOptions { Price = onboarding.Id, Quantity = 2 },
            ],
        };
        var once = new RequestOptions { IdempotencyKey = "subscribe-with-setup-fee" };

        var subscription = await stripe.V1.Subscriptions.CreateAsync(options, once, Ct);
        var retried = await stripe.V1.Subscriptions.CreateAsync(options, once, Ct);
        Assert.Equal(subscription.Id, retried.Id);

        var first = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("subscription_create", "paid"), (first.BillingReason, first.Status));
        Assert.Equal([500L, 999L, 5000L], first.Lines.Data.Select(l => l.Amount).Order());
        // 10% on the 5000 fee only: its own rate; the plan and the onboarding have none.
        Assert.Equal((6499L, 500L, 6999L), (first.Subtotal, first.TotalTaxes.Sum(t => t.Amount), first.AmountPaid));

        var items = (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data;
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal((first.Id, subscription.Id), (i.InvoiceId, i.Parent.SubscriptionDetails.Subscription)));
        var fee = Assert.Single(items, i => i.Amount == 5000);
        Assert.Equal(("setup", false), (fee.Metadata["kind"], (await stripe.V1.Prices.GetAsync(fee.Pricing.PriceDetails.PriceId, cancellationToken: Ct)).Active));

        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal([999L], renewal.Lines.Data.Select(l => l.Amount));
        Assert.Equal(999L, renewal.AmountPaid);
    }

    [Fact]
    public async Task A_fee_added_on_update_waits_for_the_next_invoice_or_joins_the_one_the_update_makes()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var product = await ProductAsync(stripe, "Fees");
        var customer = await CustomerAsync(stripe);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        static SubscriptionAddInvoiceItemOptions Fee(string product, long amount) =>
            new() { PriceData = new SubscriptionAddInvoiceItemPriceDataOptions { Currency = "usd", Product = product, UnitAmount = amount } };

        var update = new SubscriptionUpdateOptions { AddInvoiceItems = [Fee(product, 1200)] };
        var once = new RequestOptions { IdempotencyKey = "add-migration-fee" };
        await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, update, once, Ct);
        await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, update, once, Ct);
        var pending = Assert.Single(await PendingAsync(stripe, customer.Id));
        Assert.Equal((1200L, subscription.Id, (string?)null), (pending.Amount, pending.Parent.SubscriptionDetails.Subscription, pending.InvoiceId));

        // An update that invoices at once takes the fee it adds (and the one waiting) on that invoice.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Price = StripeCatalog.TeamMonthlyPrice }],
            ProrationBehavior = "always_invoice",
            AddInvoiceItems = [Fee(product, 300)],
        }, cancellationToken: Ct);
        var invoice = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("subscription_update", "paid"), (invoice.BillingReason, invoice.Status));
        Assert.Equal([-500L, 300L, 1200L, 1500L], invoice.Lines.Data.Select(l => l.Amount).Order());
        Assert.Equal(2500L, invoice.AmountPaid);
        Assert.Empty(await PendingAsync(stripe, customer.Id));

        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        Assert.Equal(2999L, (await LatestInvoiceAsync(stripe, subscription.Id)).AmountPaid);
    }
}
