using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;
using static Harness.Sandbox.Tests.Stripe.StripeTaxRateTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Tax rates on subscriptions through Stripe.net 53.1.0: <c>default_tax_rates</c> and the items' <c>tax_rates</c> (shown
/// as TaxRate objects), the first invoice and renewals through a test clock, an item's rates over the defaults (inclusive
/// and exclusive), a trial's end, a coupon before the tax, clearing, archived rates, and a restart. Pro is 999 a month,
/// Team 2999.
/// </summary>
public sealed partial class StripeSubscriptionTaxTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<StripeException> RefusedAsync(Task task) => await Assert.ThrowsAsync<StripeException>(() => task);

    private static async Task<string> CustomerAsync(StripeClient stripe, string? clock = null) =>
        (await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "subtax@example.com", TestClock = clock }, cancellationToken: Ct)).Id;

    private static Task<Subscription> SubscribeAsync(StripeClient stripe, string customer, List<string>? defaults, params SubscriptionItemOptions[] items) =>
        stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer, Items = [.. items], DefaultTaxRates = defaults, Expand = ["latest_invoice"],
        }, cancellationToken: Ct);

    private static Task<Invoice> LatestAsync(StripeClient stripe, string subscription) =>
        stripe.V1.Subscriptions.GetAsync(subscription, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct).ContinueWith(t => t.Result.LatestInvoice, Ct);

    private static async Task<List<long>> ChargedAsync(StripeClient stripe, string customer) =>
        [.. (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data.Select(c => c.Amount).Reverse()];

    [Fact]
    public async Task Default_rates_tax_the_first_invoice_and_each_renewal_through_a_test_clock()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var clock = (await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct)).Id;
        var customer = await CustomerAsync(stripe, clock);
        var rate = await RateAsync(stripe, 10, inclusive: false, "Sales tax");

        var subscription = await SubscribeAsync(stripe, customer, [rate.Id], new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice });
        Assert.Equal([(rate.Id, "Sales tax", 10m)], subscription.DefaultTaxRates.Select(r => (r.Id, r.DisplayName, r.Percentage)));
        Assert.Empty(subscription.Items.Data[0].TaxRates);

        // 10 % of 999 is 99.9 → 100 on top.
        var first = subscription.LatestInvoice;
        Assert.Equal(("paid", 999L, 1099L, 1099L, 999L), (first.Status, first.Subtotal, first.Total, first.AmountPaid, first.TotalExcludingTax));
        Assert.Equal([rate.Id], first.DefaultTaxRates.Select(r => r.Id));
        Assert.Equal((100L, 999L, "exclusive"), (first.TotalTaxes.Single().Amount, first.TotalTaxes.Single().TaxableAmount, first.TotalTaxes.Single().TaxBehavior));
        Assert.Equal(rate.Id, first.Lines.Data.Single().Taxes.Single().TaxRateDetails.TaxRateId);
        Assert.Equal(subscription.Items.Data[0].Id, first.Lines.Data.Single().Parent.SubscriptionItemDetails.SubscriptionItem);

        await AdvanceClockAsync(stripe, clock, Frozen.AddMonths(1));
        await AdvanceClockAsync(stripe, clock, Frozen.AddMonths(2));
        var renewal = await LatestAsync(stripe, subscription.Id);
        Assert.Equal(("subscription_cycle", "paid", 1099L, 1099L), (renewal.BillingReason, renewal.Status, renewal.Total, renewal.AmountPaid));
        Assert.Equal(100L, renewal.TotalTaxes.Single().Amount);
        Assert.Equal([1099L, 1099L, 1099L], await ChargedAsync(stripe, customer));
        var intent = await stripe.V1.PaymentIntents.GetAsync(
            (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data[0].PaymentIntentId, cancellationToken: Ct);
        Assert.Equal((1099L, "succeeded"), (intent.Amount, intent.Status));
    }

    [Fact]
    public async Task An_items_own_rates_replace_the_defaults_for_its_lines_inclusive_and_exclusive()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var sales = await RateAsync(stripe, 10, inclusive: false, "Sales tax");
        var vat = await RateAsync(stripe, 20, inclusive: true, "VAT");

        var subscription = await SubscribeAsync(stripe, customer, [sales.Id],
            new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice, TaxRates = [vat.Id] }, new SubscriptionItemOptions { Price = StripeCatalog.TeamMonthlyPrice });
        Assert.Equal([[vat.Id], []], subscription.Items.Data.Select(i => i.TaxRates.Select(r => r.Id).ToList()));
        Assert.True(subscription.Items.Data[0].TaxRates.Single().Inclusive);

        // Pro 999 holds 20 % VAT: 999 × 20/120 = 166.5 → 167 inside; Team 2999 takes the default 10 %: 299.9 → 300 on top.
        var invoice = subscription.LatestInvoice;
        Assert.Equal([vat.Id, sales.Id], invoice.Lines.Data.Select(l => l.Taxes.Single().TaxRateDetails.TaxRateId));
        Assert.Equal([167L, 300L], invoice.Lines.Data.Select(l => l.Taxes.Single().Amount));
        Assert.Equal((3998L, 3831L, 4298L, 3831L, 4298L), (invoice.Subtotal, invoice.SubtotalExcludingTax, invoice.Total, invoice.TotalExcludingTax, invoice.AmountPaid));
        Assert.Equal([4298L], await ChargedAsync(stripe, customer));

        // The renewal taxes the same way.
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        Assert.Equal((4298L, 4298L), ((await LatestAsync(stripe, subscription.Id)).Total, (await LatestAsync(stripe, subscription.Id)).AmountPaid));
    }

    [Fact]
    public async Task A_trials_end_invoice_is_taxed_and_its_zero_first_invoice_is_not()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var rate = await RateAsync(stripe, 8.25m, inclusive: false);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }], DefaultTaxRates = [rate.Id], TrialPeriodDays = 7,
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);
        Assert.Equal(("trialing", 0L, 0L), (subscription.Status, subscription.LatestInvoice.Total, subscription.LatestInvoice.TotalTaxes.Single().Amount));

        await sandbox.AdvanceAsync(TimeSpan.FromDays(7));
        // 8.25 % of 999 is 82.4175 → 82.
        var ended = await LatestAsync(stripe, subscription.Id);
        Assert.Equal(("paid", 1081L, 82L), (ended.Status, ended.AmountPaid, ended.TotalTaxes.Single().Amount));
        Assert.Equal([1081L], await ChargedAsync(stripe, customer));
    }

    [Fact]
    public async Task A_coupon_comes_off_before_the_tax_on_the_first_invoice_and_the_renewals()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        await StripeDiscountTests.CouponAsync(stripe, "TENTH", percent: 10, duration: "forever");
        var rate = await RateAsync(stripe, 19, inclusive: false);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }], DefaultTaxRates = [rate.Id],
            Discounts = [new SubscriptionDiscountOptions { Coupon = "TENTH" }], Expand = ["latest_invoice"],
        }, cancellationToken: Ct);

        // 999 less 10 % (99.9 → 100) is 899; 19 % of 899 is 170.81 → 171.
        var invoice = subscription.LatestInvoice;
        Assert.Equal((999L, 899L, 1070L, 1070L), (invoice.Subtotal, invoice.TotalExcludingTax, invoice.Total, invoice.AmountPaid));
        Assert.Equal((171L, 899L), (invoice.TotalTaxes.Single().Amount, invoice.TotalTaxes.Single().TaxableAmount));

        // The forever coupon and the tax again on the renewal.
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = await LatestAsync(stripe, subscription.Id);
        Assert.Equal((100L, 171L, 1070L), (renewal.TotalDiscountAmounts.Single().Amount, renewal.TotalTaxes.Single().Amount, renewal.AmountPaid));
    }

    [Fact]
    public async Task Rates_are_cleared_with_an_empty_value_and_an_archived_rate_keeps_applying_but_cannot_be_applied_anew()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var rate = await RateAsync(stripe, 10, inclusive: false);
        var subscription = await SubscribeAsync(stripe, customer, [rate.Id], new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice, TaxRates = [rate.Id] });
        await stripe.V1.TaxRates.UpdateAsync(rate.Id, new TaxRateUpdateOptions { Active = false }, cancellationToken: Ct);

        // Archived, it still taxes where it is set, and may be given again there.
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        Assert.Equal(1099L, (await LatestAsync(stripe, subscription.Id)).Total);
        var kept = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions { DefaultTaxRates = [rate.Id] }, cancellationToken: Ct);
        Assert.Equal([rate.Id], kept.DefaultTaxRates.Select(r => r.Id));

        var archivedMessage = $"Tax rate {rate.Id} is archived. Archived tax rates cannot be applied to new objects.";
        var anew = await RefusedAsync(SubscribeAsync(stripe, customer, [rate.Id], new SubscriptionItemOptions { Price = StripeCatalog.TeamMonthlyPrice }));
        Assert.Equal((HttpStatusCode.BadRequest, "default_tax_rates[0]", archivedMessage), (anew.HttpStatusCode, anew.StripeError.Param, anew.StripeError.Message));
        var added = await RefusedAsync(stripe.V1.SubscriptionItems.CreateAsync(new SubscriptionItemCreateOptions
        {
            Subscription = subscription.Id, Price = StripeCatalog.TeamMonthlyPrice, TaxRates = [rate.Id],
        }, cancellationToken: Ct));
        Assert.Equal(("tax_rates[0]", archivedMessage), (added.StripeError.Param, added.StripeError.Message));
        var unknown = await RefusedAsync(stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, TaxRates = ["txr_missing"] }],
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "No such tax rate: 'txr_missing'", "items[0][tax_rates][0]"), (unknown.HttpStatusCode, unknown.StripeError.Message, unknown.StripeError.Param));

        // Cleared (Stripe.net sends an empty list as ""), nothing taxes the next renewal.
        var cleared = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions { DefaultTaxRates = [] }, cancellationToken: Ct);
        Assert.Empty(cleared.DefaultTaxRates);
        var item = await stripe.V1.SubscriptionItems.UpdateAsync(subscription.Items.Data[0].Id, new SubscriptionItemUpdateOptions { TaxRates = [] }, cancellationToken: Ct);
        Assert.Empty(item.TaxRates);
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var untaxed = await LatestAsync(stripe, subscription.Id);
        Assert.Equal((999L, 999L), (untaxed.Total, untaxed.AmountPaid));
        Assert.Empty(untaxed.TotalTaxes);
    }

    [Fact]
    public async Task A_prices_tax_behavior_conflicting_with_the_rates_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var inclusive = await RateAsync(stripe, 5, inclusive: true);
        var price = await stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = 500, Product = "prod_HarnessPro", TaxBehavior = "exclusive", Recurring = new PriceRecurringOptions { Interval = "month" },
        }, cancellationToken: Ct);
        var conflict = await RefusedAsync(SubscribeAsync(stripe, customer, null, new SubscriptionItemOptions { Price = price.Id, TaxRates = [inclusive.Id] }));
        Assert.Equal(("items[0][tax_rates]", "One or more prices has a `tax_behavior` that conflicts with the tax rates that apply to the corresponding line item."),
            (conflict.StripeError.Param, conflict.StripeError.Message));
        var byDefault = await RefusedAsync(SubscribeAsync(stripe, customer, [inclusive.Id], new SubscriptionItemOptions { Price = price.Id }));
        Assert.Equal("default_tax_rates", byDefault.StripeError.Param);
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer }, cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task A_subscriptions_rates_survive_a_restart_and_tax_the_renewal_after_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-subtax-" + Guid.NewGuid().ToString("N"));
        string subscriptionId, rateId;
        await using (var before = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            var stripe = Client(before);
            rateId = (await RateAsync(stripe, 25, inclusive: false)).Id;
            subscriptionId = (await SubscribeAsync(stripe, await CustomerAsync(stripe), null, new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice, TaxRates = [rateId] })).Id;
        }

        await using var after = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data);
        var again = Client(after);
        var subscription = await again.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct);
        Assert.Equal([rateId], subscription.Items.Data[0].TaxRates.Select(r => r.Id));
        // The restarted sandbox's clock starts where the first one did: its period ends a month on.
        await AdvanceToPeriodEndAsync(after, again, subscriptionId);
        // 25 % of 999 is 249.75 → 250.
        var renewal = await LatestAsync(again, subscriptionId);
        Assert.Equal(("subscription_cycle", 1249L, 1249L), (renewal.BillingReason, renewal.Total, renewal.AmountPaid));
    }
}
