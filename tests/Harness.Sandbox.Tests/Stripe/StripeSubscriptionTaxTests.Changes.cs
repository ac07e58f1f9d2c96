using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;
using static Harness.Sandbox.Tests.Stripe.StripeTaxRateTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Taxed plan changes (the proration lines carry the item's rates, a credit's tax below zero), the invoice preview, the
/// Subscription Items API's <c>tax_rates</c>, and subscription-mode Checkout with rates. The tests' first period, Nov 23
/// to Dec 23, has 30 days: 15 days in, half of it is left.
/// </summary>
public sealed partial class StripeSubscriptionTaxTests
{
    [Fact]
    public async Task A_mid_cycle_upgrade_invoiced_at_once_taxes_the_credit_and_the_debit()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var rate = await RateAsync(stripe, 10, inclusive: false);
        var subscription = await SubscribeAsync(stripe, customer, [rate.Id], new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice });
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        var changed = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Price = StripeCatalog.TeamMonthlyPrice }],
            ProrationBehavior = "always_invoice",
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);

        // −500 for Pro's unused half and 1500 for Team's: 10 % is −50 and 150, so 1000 and 100 of tax are charged now.
        var invoice = changed.LatestInvoice;
        Assert.Equal(("subscription_update", "paid"), (invoice.BillingReason, invoice.Status));
        Assert.Equal([-500L, 1500L], invoice.Lines.Data.Select(l => l.Amount));
        Assert.Equal([-50L, 150L], invoice.Lines.Data.Select(l => l.Taxes.Single().Amount));
        Assert.Equal([-500L, 1500L], invoice.Lines.Data.Select(l => l.Taxes.Single().TaxableAmount));
        Assert.Equal((1000L, 1100L, 1100L), (invoice.Subtotal, invoice.Total, invoice.AmountPaid));
        Assert.Equal((100L, 1000L), (invoice.TotalTaxes.Single().Amount, invoice.TotalTaxes.Single().TaxableAmount));
        var prorations = (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer }, cancellationToken: Ct)).Data;
        Assert.All(prorations, p => Assert.Equal([rate.Id], p.TaxRates.Select(r => r.Id)));
        Assert.Equal([1099L, 1100L], await ChargedAsync(stripe, customer));

        // The renewal bills Team with its tax.
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        Assert.Equal(3299L, (await LatestAsync(stripe, subscription.Id)).AmountPaid);
    }

    [Fact]
    public async Task Pending_prorations_of_an_item_with_its_own_rate_are_taxed_at_it_on_the_renewal()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var sales = await RateAsync(stripe, 10, inclusive: false);
        var vat = await RateAsync(stripe, 20, inclusive: true);
        var subscription = await SubscribeAsync(stripe, customer, [sales.Id], new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice, TaxRates = [vat.Id] });
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Quantity = 2 }],
        }, cancellationToken: Ct);

        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        // Lines 1998, −500 and 999 (half of 1998), each holding 20 %: 333, −83.33 → −83, 166.5 → 167; nothing on top.
        var renewal = await LatestAsync(stripe, subscription.Id);
        Assert.Equal([1998L, -500L, 999L], renewal.Lines.Data.Select(l => l.Amount));
        Assert.Equal([333L, -83L, 167L], renewal.Lines.Data.Select(l => l.Taxes.Single().Amount));
        Assert.All(renewal.Lines.Data, l => Assert.Equal(vat.Id, l.Taxes.Single().TaxRateDetails.TaxRateId));
        Assert.Equal((2497L, 2497L, 2080L), (renewal.Total, renewal.AmountPaid, renewal.TotalExcludingTax));
    }

    [Fact]
    public async Task The_invoice_preview_shows_the_tax_of_the_next_renewal_and_of_a_change()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var rate = await RateAsync(stripe, 10, inclusive: false);
        var subscription = await SubscribeAsync(stripe, customer, [rate.Id], new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice });

        var next = await stripe.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions { Subscription = subscription.Id }, cancellationToken: Ct);
        Assert.Equal((999L, 1099L, 1099L, 100L), (next.Subtotal, next.Total, next.AmountDue, next.TotalTaxes.Single().Amount));

        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var change = await stripe.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions
        {
            Subscription = subscription.Id,
            SubscriptionDetails = new InvoiceSubscriptionDetailsOptions
            {
                Items = [new InvoiceSubscriptionDetailsItemOptions { Id = subscription.Items.Data[0].Id, Price = StripeCatalog.TeamMonthlyPrice }],
                ProrationBehavior = "always_invoice",
            },
        }, cancellationToken: Ct);
        Assert.Equal([-50L, 150L], change.Lines.Data.Select(l => l.Taxes.Single().Amount));
        Assert.Equal((1000L, 1100L), (change.Subtotal, change.Total));
        Assert.Empty((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer }, cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task A_metered_items_usage_lines_are_taxed_at_the_renewal_and_on_the_final_invoice()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var meter = await StripeMeterTests.MeterAsync(stripe, "taxed_tokens");
        var price = await StripeMeterTests.MeteredPriceAsync(stripe, meter.Id);
        var (clock, customer) = await StripeMeterTests.ClockedCustomerAsync(stripe);
        var rate = await RateAsync(stripe, 10, inclusive: false);
        var subscription = await SubscribeAsync(stripe, customer.Id, null,
            new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }, new SubscriptionItemOptions { Price = price.Id, TaxRates = [rate.Id] });
        Assert.Equal((999L, 999L), (subscription.LatestInvoice.Total, subscription.LatestInvoice.AmountPaid));

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddDays(15));
        await StripeMeterTests.ReportAsync(stripe, "taxed_tokens", customer.Id, 350, Frozen.AddDays(3));
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(1));
        // 350 units × 5 = 1750 in arrears, 10 % of it on top; Pro untaxed.
        var renewal = await LatestAsync(stripe, subscription.Id);
        Assert.Equal([0L, 175L], renewal.Lines.Data.Select(l => l.Taxes.Sum(t => t.Amount)));
        Assert.Equal((2749L, 2924L, 2924L), (renewal.Subtotal, renewal.Total, renewal.AmountPaid));

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(1).AddDays(4));
        await StripeMeterTests.ReportAsync(stripe, "taxed_tokens", customer.Id, 12, Frozen.AddMonths(1).AddDays(2));
        await stripe.V1.Subscriptions.CancelAsync(subscription.Id, new SubscriptionCancelOptions { InvoiceNow = true }, cancellationToken: Ct);
        var final = await LatestAsync(stripe, subscription.Id);
        Assert.Equal((60L, 66L, 6L), (final.Subtotal, final.AmountPaid, final.TotalTaxes.Single().Amount));
    }

    [Fact]
    public async Task The_subscription_items_api_sets_an_items_rates()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var rate = await RateAsync(stripe, 5, inclusive: false);
        var subscription = await SubscribeAsync(stripe, customer, null, new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice });

        var added = await stripe.V1.SubscriptionItems.CreateAsync(new SubscriptionItemCreateOptions
        {
            Subscription = subscription.Id, Price = StripeCatalog.TeamMonthlyPrice, TaxRates = [rate.Id], ProrationBehavior = "none",
        }, cancellationToken: Ct);
        Assert.Equal([rate.Id], added.TaxRates.Select(r => r.Id));
        Assert.Equal([rate.Id], (await stripe.V1.SubscriptionItems.GetAsync(added.Id, cancellationToken: Ct)).TaxRates.Select(r => r.Id));

        // Pro untaxed, Team at 5 %: 149.95 → 150.
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = await LatestAsync(stripe, subscription.Id);
        Assert.Equal([0, 1], renewal.Lines.Data.Select(l => l.Taxes.Count));
        Assert.Equal((3998L, 4148L), (renewal.Subtotal, renewal.AmountPaid));
    }

    [Fact]
    public async Task A_subscription_mode_checkout_gives_its_rates_to_the_subscription_and_charges_the_tax()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var sales = await RateAsync(stripe, 10, inclusive: false);
        var vat = await RateAsync(stripe, 20, inclusive: true);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems =
            [
                new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1, TaxRates = [sales.Id] },
                new SessionLineItemOptions { Price = StripeCatalog.TeamMonthlyPrice, Quantity = 1 },
            ],
            SubscriptionData = new SessionSubscriptionDataOptions { DefaultTaxRates = [vat.Id] },
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        // Pro 999 + 100 on top; Team 2999 holds 20 % VAT (499.83 → 500).
        Assert.Equal((3998L, 4098L, 600L), (session.AmountSubtotal, session.AmountTotal, session.TotalDetails.AmountTax));

        await sandbox.ActAsync(session.Id, "pay");
        var completed = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["subscription", "invoice"] }, cancellationToken: Ct);
        var subscription = completed.Subscription;
        Assert.Equal([vat.Id], subscription.DefaultTaxRates.Select(r => r.Id));
        Assert.Equal([[sales.Id], []], subscription.Items.Data.Select(i => i.TaxRates.Select(r => r.Id).ToList()));
        var invoice = await stripe.V1.Invoices.GetAsync(subscription.LatestInvoiceId, cancellationToken: Ct);
        Assert.Equal(("paid", 4098L, 4098L), (invoice.Status, invoice.Total, invoice.AmountPaid));
        Assert.Equal([100L, 500L], invoice.Lines.Data.Select(l => l.Taxes.Single().Amount));

        var oneTime = await RefusedAsync(stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems =
            [
                new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 },
                new SessionLineItemOptions { Price = StripeCatalog.CreditsPrice, Quantity = 1, TaxRates = [sales.Id] },
            ],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct));
        Assert.Equal("line_items[1][tax_rates]", oneTime.StripeError.Param);
        Assert.Contains("not simulated", oneTime.StripeError.Message, StringComparison.Ordinal);
    }
}
