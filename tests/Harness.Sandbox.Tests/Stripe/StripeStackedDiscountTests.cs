using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeDiscountTests;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Stacked discounts through Stripe.net 53.1.0: a subscription's <c>discounts</c> with several coupons and codes,
/// applied in the order given, kept (<c>discounts[n][discount]</c>) or dropped by an update, and what is refused.
/// </summary>
public sealed class StripeStackedDiscountTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<Subscription> SubscribeAsync(StripeClient stripe, string email, params SubscriptionDiscountOptions[] discounts)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = email }, cancellationToken: Ct);
        return await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            Discounts = [.. discounts],
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);
    }

    private static async Task<Invoice> LatestInvoiceAsync(StripeClient stripe, string subscriptionId) =>
        (await stripe.V1.Subscriptions.GetAsync(subscriptionId, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;

    [Fact]
    public async Task Stacked_discounts_apply_in_the_order_given_each_to_what_the_ones_before_left()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "TENPCT", percent: 10, duration: "forever");
        await CouponAsync(stripe, "TWOOFF", amount: 200, duration: "forever");

        // 10 % of 999 is 99.9, so 100; then 200 off the 899 left.
        var percentFirst = await SubscribeAsync(stripe, "a@example.com", new SubscriptionDiscountOptions { Coupon = "TENPCT" }, new SubscriptionDiscountOptions { Coupon = "TWOOFF" });
        var invoice = percentFirst.LatestInvoice;
        Assert.Equal(2, percentFirst.DiscountIds.Count);
        Assert.Equal((999L, 699L, 699L), (invoice.Subtotal, invoice.Total, invoice.AmountPaid));
        Assert.Equal([(100L, percentFirst.DiscountIds[0]), (200L, percentFirst.DiscountIds[1])], invoice.TotalDiscountAmounts.Select(d => (d.Amount, d.DiscountId)));
        Assert.Equal([100L, 200L], invoice.Lines.Data.Single().DiscountAmounts.Select(d => d.Amount));

        // 200 off first leaves 799, of which 10 % is 79.9, so 80.
        var amountFirst = await SubscribeAsync(stripe, "b@example.com", new SubscriptionDiscountOptions { Coupon = "TWOOFF" }, new SubscriptionDiscountOptions { Coupon = "TENPCT" });
        Assert.Equal(719L, amountFirst.LatestInvoice.AmountPaid);
        Assert.Equal([200L, 80L], amountFirst.LatestInvoice.TotalDiscountAmounts.Select(d => d.Amount));

        Assert.Equal(2L, (await stripe.V1.Coupons.GetAsync("TENPCT", cancellationToken: Ct)).TimesRedeemed);
        Assert.Equal(2L, (await stripe.V1.Coupons.GetAsync("TWOOFF", cancellationToken: Ct)).TimesRedeemed);

        await AdvanceToPeriodEndAsync(sandbox, stripe, percentFirst.Id);
        Assert.Equal(699L, (await LatestInvoiceAsync(stripe, percentFirst.Id)).AmountPaid);
    }

    [Fact]
    public async Task An_update_keeps_a_discount_it_names_adds_new_ones_and_drops_the_rest()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "HALFOFF", percent: 50, duration: "forever");
        await CouponAsync(stripe, "ONEOFF", amount: 100, duration: "forever");
        var promo = await CodeAsync(stripe, "ONEOFF", "DOLLAR");
        var subscription = await SubscribeAsync(stripe, "keep@example.com", new SubscriptionDiscountOptions { Coupon = "HALFOFF" });
        var half = subscription.DiscountIds.Single();
        Assert.Equal(499L, subscription.LatestInvoice.AmountPaid);

        var both = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Discounts = [new() { Discount = half }, new() { PromotionCode = promo.Id }],
        }, cancellationToken: Ct);
        Assert.Equal(half, both.DiscountIds[0]);
        Assert.Equal(2, both.DiscountIds.Count);
        // Kept, not redeemed again; the new one is redeemed through its code.
        Assert.Equal(1L, (await stripe.V1.Coupons.GetAsync("HALFOFF", cancellationToken: Ct)).TimesRedeemed);
        Assert.Equal(1L, (await stripe.V1.PromotionCodes.GetAsync(promo.Id, cancellationToken: Ct)).TimesRedeemed);

        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        // 500 off 999 leaves 499; 100 more off.
        Assert.Equal(399L, (await LatestInvoiceAsync(stripe, subscription.Id)).AmountPaid);

        var dollar = both.DiscountIds[1];
        var onlyDollar = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Discounts = [new() { Discount = dollar }],
        }, cancellationToken: Ct);
        Assert.Equal([dollar], onlyDollar.DiscountIds);
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        Assert.Equal(899L, (await LatestInvoiceAsync(stripe, subscription.Id)).AmountPaid);
    }

    [Fact]
    public async Task A_coupon_twice_a_discount_not_the_subscriptions_and_more_than_twenty_are_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "TWICE", percent: 5, duration: "forever");
        await CouponAsync(stripe, "OTHER", percent: 5, duration: "forever");
        var code = await CodeAsync(stripe, "TWICE", "TWICECODE");

        var twice = await Assert.ThrowsAsync<StripeException>(() => SubscribeAsync(stripe, "c@example.com", new SubscriptionDiscountOptions { Coupon = "TWICE" }, new SubscriptionDiscountOptions { PromotionCode = code.Id }));
        Assert.Equal((HttpStatusCode.BadRequest, "discounts[1]"), (twice.HttpStatusCode, twice.StripeError.Param));

        var other = await SubscribeAsync(stripe, "d@example.com", new SubscriptionDiscountOptions { Coupon = "OTHER" });
        var mine = await SubscribeAsync(stripe, "e@example.com", new SubscriptionDiscountOptions { Coupon = "TWICE" });
        var foreign = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.UpdateAsync(mine.Id, new SubscriptionUpdateOptions
        {
            Discounts = [new() { Discount = other.DiscountIds.Single() }],
        }, cancellationToken: Ct));
        Assert.Equal("discounts[0][discount]", foreign.StripeError.Param);
        Assert.Contains("not one of this subscription's discounts", foreign.StripeError.Message, StringComparison.Ordinal);
        Assert.Equal(mine.DiscountIds, (await stripe.V1.Subscriptions.GetAsync(mine.Id, cancellationToken: Ct)).DiscountIds);

        var onCreate = await Assert.ThrowsAsync<StripeException>(() => SubscribeAsync(stripe, "f@example.com", new SubscriptionDiscountOptions { Discount = mine.DiscountIds.Single() }));
        Assert.Equal("discounts[0][discount]", onCreate.StripeError.Param);

        using var http = StripeErrorTests.Http(sandbox);
        var form = string.Join('&', Enumerable.Range(0, 21).Select(i => $"discounts[{i}][coupon]=C{i}"));
        using var tooMany = await http.PostAsync($"/v1/subscriptions/{mine.Id}", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("at most 20 discounts", await tooMany.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var both = await http.PostAsync($"/v1/subscriptions/{mine.Id}", new StringContent("discounts[0][coupon]=OTHER&discounts[0][discount]=di_x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Contains("exactly one of discounts[0][coupon] or discounts[0][promotion_code] or discounts[0][discount]", await both.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
