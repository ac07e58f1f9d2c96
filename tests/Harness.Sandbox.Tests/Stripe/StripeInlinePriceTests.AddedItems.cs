using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary><c>add_invoice_items</c>: each item's <c>period</c> and own <c>discounts</c>, and the <c>invoiceitem.created</c> of items added on create.</summary>
public sealed partial class StripeInlinePriceTests
{
    [Fact]
    public async Task Items_added_on_create_carry_their_period_and_send_invoiceitem_created()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var product = await ProductAsync(stripe, "Onboarding");
        var customer = await CustomerAsync(stripe);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (from, to) = (now - (10 * 86_400), now - 86_400);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            AddInvoiceItems =
            [
                new SubscriptionAddInvoiceItemOptions
                {
                    PriceData = new SubscriptionAddInvoiceItemPriceDataOptions { Currency = "usd", Product = product, UnitAmount = 4000 },
                    Period = new SubscriptionAddInvoiceItemPeriodOptions
                    {
                        Start = new SubscriptionAddInvoiceItemPeriodStartOptions { Type = "timestamp", Timestamp = DateTimeOffset.FromUnixTimeSeconds(from).UtcDateTime },
                        End = new SubscriptionAddInvoiceItemPeriodEndOptions { Type = "timestamp", Timestamp = DateTimeOffset.FromUnixTimeSeconds(to).UtcDateTime },
                    },
                },
                new SubscriptionAddInvoiceItemOptions { PriceData = new SubscriptionAddInvoiceItemPriceDataOptions { Currency = "usd", Product = product, UnitAmount = 600 } },
            ],
        }, cancellationToken: Ct);

        var items = (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data.OrderByDescending(i => i.Amount).ToList();
        Assert.Equal((from, to), (new DateTimeOffset(items[0].Period.Start).ToUnixTimeSeconds(), new DateTimeOffset(items[0].Period.End).ToUnixTimeSeconds()));
        // Without a period an item spans the subscription's current period (max_item_period_start to min_item_period_end).
        var item = subscription.Items.Data[0];
        Assert.Equal((item.CurrentPeriodStart, item.CurrentPeriodEnd), (items[1].Period.Start, items[1].Period.End));
        var first = await LatestInvoiceAsync(stripe, subscription.Id);
        var line = Assert.Single(first.Lines.Data, l => l.Amount == 4000);
        Assert.Equal((from, to), (new DateTimeOffset(line.Period.Start).ToUnixTimeSeconds(), new DateTimeOffset(line.Period.End).ToUnixTimeSeconds()));

        var created = (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoiceitem.created" }, cancellationToken: Ct)).Data;
        Assert.Equal(items.Select(i => i.Id).Order(), created.Select(e => ((InvoiceItem)e.Data.Object).Id).Order());
        Assert.All(created, e => Assert.Equal(subscription.Id, ((InvoiceItem)e.Data.Object).Parent.SubscriptionDetails.Subscription));
    }

    [Fact]
    public async Task An_added_items_period_is_refused_as_Stripe_refuses_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = (await CustomerAsync(stripe)).Id;
        var cases = new (Action<SubscriptionAddInvoiceItemPeriodOptions> Shape, string Param)[]
        {
            (p => p.End = new() { Type = "timestamp", Timestamp = DateTime.UtcNow.AddDays(-2) }, "add_invoice_items[0][period][end][timestamp]"),
            (p => p.Start = new() { Type = "timestamp" }, "add_invoice_items[0][period][start][timestamp]"),
            (p => p.Start = new() { Type = "someday" }, "add_invoice_items[0][period][start][type]"),
            (p => p.End = new() { Type = "now" }, "add_invoice_items[0][period][end][type]"),
            (p => p.End = null, "add_invoice_items[0][period][end]"),
        };
        foreach (var (shape, param) in cases)
        {
            var period = new SubscriptionAddInvoiceItemPeriodOptions
            {
                Start = new() { Type = "timestamp", Timestamp = DateTime.UtcNow.AddDays(-1) },
                End = new() { Type = "min_item_period_end" },
            };
            shape(period);
            var refused = await RefusedAsync(stripe, customer, o => o.AddInvoiceItems = [new() { Price = StripeCatalog.CreditsPrice, Period = period }]);
            Assert.Equal((HttpStatusCode.BadRequest, param), (refused.HttpStatusCode, refused.StripeError.Param));
        }

        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer }, cancellationToken: Ct)).Data);
        Assert.Empty((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer }, cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task An_added_items_own_discounts_take_off_its_line_only_and_redeem_their_coupon_once()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var product = await ProductAsync(stripe, "Onboarding");
        var customer = await CustomerAsync(stripe);
        var fifth = await stripe.V1.Coupons.CreateAsync(new CouponCreateOptions { PercentOff = 20, Duration = "once" }, cancellationToken: Ct);
        var options = new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            AddInvoiceItems =
            [
                new SubscriptionAddInvoiceItemOptions
                {
                    PriceData = new SubscriptionAddInvoiceItemPriceDataOptions { Currency = "usd", Product = product, UnitAmount = 5000 },
                    Discounts = [new SubscriptionAddInvoiceItemDiscountOptions { Coupon = fifth.Id }],
                },
            ],
        };
        var once = new RequestOptions { IdempotencyKey = "discounted-setup-fee" };
        var subscription = await stripe.V1.Subscriptions.CreateAsync(options, once, Ct);
        await stripe.V1.Subscriptions.CreateAsync(options, once, Ct);

        // 20% off the 5000 fee, nothing off the plan's 999 line.
        var first = await LatestInvoiceAsync(stripe, subscription.Id);
        var fee = Assert.Single(first.Lines.Data, l => l.Amount == 5000);
        Assert.Equal([1000L], fee.DiscountAmounts.Select(d => d.Amount));
        Assert.Empty(Assert.Single(first.Lines.Data, l => l.Amount == 999).DiscountAmounts ?? []);
        Assert.Equal((5999L, 4999L, 4999L, 1000L), (first.Subtotal, first.Total, first.AmountPaid, first.TotalDiscountAmounts.Sum(d => d.Amount)));

        var item = Assert.Single((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);
        var discount = Assert.Single(item.DiscountIds);
        Assert.Equal(discount, fee.DiscountAmounts[0].DiscountId);
        Assert.Equal(1L, (await stripe.V1.Coupons.GetAsync(fifth.Id, cancellationToken: Ct)).TimesRedeemed);

        // An update's item may take an amount off too; the renewal bills it, discounted.
        var threeOff = await stripe.V1.Coupons.CreateAsync(new CouponCreateOptions { AmountOff = 300, Currency = "usd", Duration = "once" }, cancellationToken: Ct);
        await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            AddInvoiceItems =
            [
                new SubscriptionAddInvoiceItemOptions
                {
                    PriceData = new SubscriptionAddInvoiceItemPriceDataOptions { Currency = "usd", Product = product, UnitAmount = 1200 },
                    Discounts = [new SubscriptionAddInvoiceItemDiscountOptions { Coupon = threeOff.Id }],
                },
            ],
        }, cancellationToken: Ct);
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal([300L], Assert.Single(renewal.Lines.Data, l => l.Amount == 1200).DiscountAmounts.Select(d => d.Amount));
        Assert.Equal((2199L, 1899L), (renewal.Subtotal, renewal.AmountPaid));
    }
}
