using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Discounts through Stripe.net 53.1.0: a coupon or promotion code on a Checkout Session (amounts, line items, the
/// PaymentIntent, redemptions), a code typed on the hosted page, a 100 % discount, and subscriptions whose invoices
/// apply once / repeating / forever discounts as the sandbox clock moves.
/// </summary>
public sealed class StripeDiscountTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<StripeException> RefusedAsync(Task task) => await Assert.ThrowsAsync<StripeException>(() => task);

    private static Task<Session> CheckoutAsync(StripeClient stripe, string price, long quantity, SessionDiscountOptions? discount = null, bool codes = false, string mode = "payment") =>
        stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = mode,
            LineItems = [new SessionLineItemOptions { Price = price, Quantity = quantity }],
            SuccessUrl = "https://merchant.example/ok",
            Discounts = discount is null ? null : [discount],
            AllowPromotionCodes = codes ? true : null,
        }, cancellationToken: Ct);

    private static async Task<HttpResponseMessage> PostPageAsync(TestSandbox sandbox, string sessionId, params KeyValuePair<string, string>[] form)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };
        return await browser.PostAsync($"/pay/{sessionId}", new FormUrlEncodedContent(form), Ct);
    }

    private static async Task<string> ApplyCodeAsync(TestSandbox sandbox, string sessionId, string code)
    {
        using var page = await PostPageAsync(sandbox, sessionId, new("action", "apply-promotion-code"), new("promotion_code", code));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return await page.Content.ReadAsStringAsync(Ct);
    }

    private static async Task PayAsync(TestSandbox sandbox, string sessionId)
    {
        using var paid = await PostPageAsync(sandbox, sessionId, new("action", "pay"), new("card_number", "4242424242424242"), new("card_expiry", "12 / 34"), new("card_cvc", "123"));
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
    }

    internal static Task<Coupon> CouponAsync(StripeClient stripe, string id, decimal? percent = null, long? amount = null, string duration = "once", long? months = null, long? max = null, List<string>? products = null) =>
        stripe.V1.Coupons.CreateAsync(new CouponCreateOptions
        {
            Id = id, PercentOff = percent, AmountOff = amount, Currency = amount is null ? null : "usd", Duration = duration, DurationInMonths = months, MaxRedemptions = max,
            AppliesTo = products is null ? null : new CouponAppliesToOptions { Products = products },
        }, cancellationToken: Ct);

    internal static Task<PromotionCode> CodeAsync(StripeClient stripe, string coupon, string code, long? max = null, PromotionCodeRestrictionsOptions? restrictions = null) =>
        stripe.V1.PromotionCodes.CreateAsync(new PromotionCodeCreateOptions
        {
            Promotion = new PromotionCodePromotionOptions { Type = "coupon", Coupon = coupon }, Code = code, MaxRedemptions = max, Restrictions = restrictions,
        }, cancellationToken: Ct);

    [Fact]
    public async Task A_coupon_on_a_checkout_lowers_the_total_the_line_items_and_the_payment_and_is_redeemed_on_completion()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "THIRD", percent: 33.33m);
        var session = await CheckoutAsync(stripe, StripeCatalog.CreditsPrice, 5, new SessionDiscountOptions { Coupon = "THIRD" });
        // 33.33 % of 500 is 166.65: 167 to the nearest cent.
        Assert.Equal((500L, 333L, 167L), (session.AmountSubtotal, session.AmountTotal, session.TotalDetails.AmountDiscount));
        Assert.Equal("THIRD", session.Discounts.Single().CouponId);
        Assert.Equal(0L, (await stripe.V1.Coupons.GetAsync("THIRD", cancellationToken: Ct)).TimesRedeemed);

        var expanded = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["line_items"] }, cancellationToken: Ct);
        var line = expanded.LineItems.Data.Single();
        Assert.Equal((500L, 167L, 333L), (line.AmountSubtotal, line.AmountDiscount, line.AmountTotal));
        Assert.Equal((167L, "THIRD"), (line.Discounts.Single().Amount, line.Discounts.Single().Discount.Source.CouponId));

        await PayAsync(sandbox, session.Id);
        var paid = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 333L), (paid.PaymentStatus, paid.AmountTotal));
        Assert.Equal(333L, (await stripe.V1.PaymentIntents.GetAsync(paid.PaymentIntentId, cancellationToken: Ct)).Amount);
        Assert.Equal(1L, (await stripe.V1.Coupons.GetAsync("THIRD", cancellationToken: Ct)).TimesRedeemed);
    }

    [Fact]
    public async Task Discounts_with_allow_promotion_codes_and_coupons_that_cannot_apply_are_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "TEN", percent: 10);
        await CouponAsync(stripe, "PROONLY", percent: 10, products: ["prod_HarnessPro"]);
        await CouponAsync(stripe, "GONE", percent: 10);
        await stripe.V1.Coupons.DeleteAsync("GONE", cancellationToken: Ct);

        var both = await RefusedAsync(CheckoutAsync(stripe, StripeCatalog.CreditsPrice, 1, new SessionDiscountOptions { Coupon = "TEN" }, codes: true));
        Assert.Equal((HttpStatusCode.BadRequest, "You may only specify one of these parameters: allow_promotion_codes, discounts.", "allow_promotion_codes"),
            (both.HttpStatusCode, both.StripeError.Message, both.StripeError.Param));
        var deleted = await RefusedAsync(CheckoutAsync(stripe, StripeCatalog.CreditsPrice, 1, new SessionDiscountOptions { Coupon = "GONE" }));
        Assert.Equal((HttpStatusCode.NotFound, "No such coupon: 'GONE'"), (deleted.HttpStatusCode, deleted.StripeError.Message));
        var elsewhere = await RefusedAsync(CheckoutAsync(stripe, StripeCatalog.CreditsPrice, 1, new SessionDiscountOptions { Coupon = "PROONLY" }));
        Assert.Equal((HttpStatusCode.BadRequest, "discounts[0][coupon]"), (elsewhere.HttpStatusCode, elsewhere.StripeError.Param));
    }

    [Fact]
    public async Task A_promotion_code_typed_on_the_hosted_page_lowers_the_total_and_stops_being_accepted_at_its_maximum()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "FIVE", amount: 500);
        var promo = await CodeAsync(stripe, "FIVE", "WELCOME", max: 1);
        await CodeAsync(stripe, "FIVE", "BIGSPEND", restrictions: new PromotionCodeRestrictionsOptions { MinimumAmount = 5000, MinimumAmountCurrency = "usd" });
        var inactive = await CodeAsync(stripe, "FIVE", "OLD");
        await stripe.V1.PromotionCodes.UpdateAsync(inactive.Id, new PromotionCodeUpdateOptions { Active = false }, cancellationToken: Ct);
        var session = await CheckoutAsync(stripe, StripeCatalog.CreditsPrice, 20, codes: true);

        using var browser = new HttpClient { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };
        Assert.Contains("id=\"promotion-code\"", await browser.GetStringAsync($"/pay/{session.Id}", Ct), StringComparison.Ordinal);

        foreach (var (code, words) in new[] { ("NOSUCH", "This code is invalid."), ("OLD", "This code is invalid."), ("BIGSPEND", "This code requires a minimum purchase of 50.00 USD.") })
        {
            var refused = await ApplyCodeAsync(sandbox, session.Id, code);
            Assert.Contains(words, refused, StringComparison.Ordinal);
            Assert.Contains("20.00 USD", refused, StringComparison.Ordinal);
        }

        var applied = await ApplyCodeAsync(sandbox, session.Id, "welcome");
        Assert.Contains("15.00 USD", applied, StringComparison.Ordinal);
        var discounted = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct);
        Assert.Equal((2000L, 1500L, 500L, promo.Id), (discounted.AmountSubtotal, discounted.AmountTotal, discounted.TotalDetails.AmountDiscount, discounted.Discounts.Single().PromotionCodeId));

        await PayAsync(sandbox, session.Id);
        var paid = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct);
        Assert.Equal(1500L, (await stripe.V1.PaymentIntents.GetAsync(paid.PaymentIntentId, cancellationToken: Ct)).Amount);
        Assert.Equal(1L, (await stripe.V1.PromotionCodes.GetAsync(promo.Id, cancellationToken: Ct)).TimesRedeemed);
        Assert.Equal(1L, (await stripe.V1.Coupons.GetAsync("FIVE", cancellationToken: Ct)).TimesRedeemed);

        var next = await CheckoutAsync(stripe, StripeCatalog.CreditsPrice, 20, codes: true);
        Assert.Contains("This code is invalid.", await ApplyCodeAsync(sandbox, next.Id, "WELCOME"), StringComparison.Ordinal);
        var exhausted = await RefusedAsync(CheckoutAsync(stripe, StripeCatalog.CreditsPrice, 1, new SessionDiscountOptions { PromotionCode = promo.Id }));
        Assert.Equal((HttpStatusCode.BadRequest, "discounts[0][promotion_code]"), (exhausted.HttpStatusCode, exhausted.StripeError.Param));
    }

    [Fact]
    public async Task A_full_discount_completes_a_payment_checkout_without_a_payment()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "FREE", percent: 100);
        var session = await CheckoutAsync(stripe, StripeCatalog.CreditsPrice, 3, new SessionDiscountOptions { Coupon = "FREE" });
        Assert.Equal(0L, session.AmountTotal);
        await PayAsync(sandbox, session.Id);
        var done = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct);
        Assert.Equal(("complete", "no_payment_required", (string?)null), (done.Status, done.PaymentStatus, done.PaymentIntentId));
    }

    [Fact]
    public async Task A_repeating_discount_lowers_a_subscriptions_invoices_for_its_months_then_stops()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "HALF2", percent: 50, duration: "repeating", months: 2);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "half@example.com" }, cancellationToken: Ct);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            Discounts = [new SubscriptionDiscountOptions { Coupon = "HALF2" }],
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);
        var discountId = subscription.DiscountIds.Single();
        // Half of 999 is 499.5: 500 to the nearest cent.
        var first = subscription.LatestInvoice;
        Assert.Equal((999L, 499L, 499L, 500L), (first.Subtotal, first.Total, first.AmountPaid, first.TotalDiscountAmounts.Single().Amount));
        Assert.Equal((500L, discountId), (first.Lines.Data.Single().DiscountAmounts.Single().Amount, first.Lines.Data.Single().DiscountAmounts.Single().DiscountId));
        Assert.Equal(1L, (await stripe.V1.Coupons.GetAsync("HALF2", cancellationToken: Ct)).TimesRedeemed);

        var paid = new List<long>();
        for (var month = 0; month < 2; month++)
        {
            await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
            var renewed = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
            paid.Add(renewed.LatestInvoice.AmountPaid);
        }

        Assert.Equal([499L, 999L], paid);
        Assert.Empty((await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).DiscountIds);
    }

    /// <summary>A repeating coupon's months are calendar months: one month from Jan 31 ends on Feb 28, with the first renewal.</summary>
    [Fact]
    public async Task A_one_month_repeating_discount_ends_a_calendar_month_after_it_starts()
    {
        var start = new DateTime(2027, 1, 31, 9, 0, 0, DateTimeKind.Utc);
        await using var sandbox = await TestSandbox.StartAsync(now: start);
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "MONTH1", percent: 50, duration: "repeating", months: 1);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "month@example.com" }, cancellationToken: Ct);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            Discounts = [new SubscriptionDiscountOptions { Coupon = "MONTH1" }],
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);
        var februaryEnd = new DateTime(2027, 2, 28, 9, 0, 0, DateTimeKind.Utc);
        Assert.Equal((februaryEnd, 499L), (subscription.Items.Data[0].CurrentPeriodEnd, subscription.LatestInvoice.AmountPaid));
        Assert.Single(subscription.DiscountIds);

        // The renewal on Feb 28 starts at the discount's end: full price (a 30-day month would have reached Mar 2).
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewed = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal((februaryEnd, "subscription_cycle", 999L), (renewed.Items.Data[0].CurrentPeriodStart, renewed.LatestInvoice.BillingReason, renewed.LatestInvoice.AmountPaid));
        Assert.Empty(renewed.DiscountIds);
    }

    [Fact]
    public async Task A_once_discount_lowers_only_the_first_invoice_and_an_update_adds_or_removes_a_forever_one()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "FIRST", amount: 200);
        await CouponAsync(stripe, "ALWAYS", percent: 10, duration: "forever");
        var promo = await CodeAsync(stripe, "ALWAYS", "LOYAL");
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "once@example.com" }, cancellationToken: Ct);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            Discounts = [new SubscriptionDiscountOptions { Coupon = "FIRST" }],
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);
        Assert.Equal(799L, subscription.LatestInvoice.AmountPaid);
        Assert.Empty(subscription.DiscountIds);

        var withCode = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Discounts = [new SubscriptionDiscountOptions { PromotionCode = promo.Id }],
        }, cancellationToken: Ct);
        Assert.Single(withCode.DiscountIds);
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var second = (await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;
        Assert.Equal((999L, 899L), (second.Subtotal, second.AmountPaid));
        Assert.Equal(1L, (await stripe.V1.PromotionCodes.GetAsync(promo.Id, cancellationToken: Ct)).TimesRedeemed);

        using var http = StripeErrorTests.Http(sandbox);
        using var removed = await http.PostAsync($"/v1/subscriptions/{subscription.Id}", new StringContent("discounts=", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var third = (await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;
        Assert.Equal((999L, 999L), (third.Total, third.AmountPaid));
        Assert.Empty(third.TotalDiscountAmounts);
    }

    [Fact]
    public async Task A_subscription_checkout_with_a_code_starts_a_subscription_whose_invoices_carry_the_discount()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await CouponAsync(stripe, "QUARTER", percent: 25, duration: "forever", products: ["prod_HarnessPro"]);
        await CodeAsync(stripe, "QUARTER", "PRO25");
        var session = await CheckoutAsync(stripe, StripeCatalog.MonthlyPrice, 1, codes: true, mode: "subscription");
        Assert.Contains("7.49 USD", await ApplyCodeAsync(sandbox, session.Id, "PRO25"), StringComparison.Ordinal);
        await PayAsync(sandbox, session.Id);

        var done = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct);
        Assert.Equal(749L, done.AmountTotal);
        var subscription = await stripe.V1.Subscriptions.GetAsync(done.SubscriptionId, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Single(subscription.DiscountIds);
        Assert.Equal((999L, 749L), (subscription.LatestInvoice.Subtotal, subscription.LatestInvoice.AmountPaid));
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = (await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;
        Assert.Equal(749L, renewal.AmountPaid);
    }
}
