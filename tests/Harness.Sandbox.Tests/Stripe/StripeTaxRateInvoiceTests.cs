using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;
using static Harness.Sandbox.Tests.Stripe.StripeTaxRateTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Tax rates on invoices through Stripe.net 53.1.0: an invoice item's <c>tax_rates</c> and a standalone invoice's
/// <c>default_tax_rates</c> (lines' <c>taxes</c>, <c>total_taxes</c>, the excluding-tax totals, what is charged), a
/// discount before the tax, archived rates, a pending taxed item swept into a subscription renewal, and subscriptions
/// refusing tax rates as not simulated.
/// </summary>
public sealed class StripeTaxRateInvoiceTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<StripeException> RefusedAsync(Task task) => await Assert.ThrowsAsync<StripeException>(() => task);

    private static async Task<string> CustomerAsync(StripeClient stripe)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "tax@example.com" }, cancellationToken: Ct);
        var card = await stripe.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct);
        await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = card.Id } }, cancellationToken: Ct);
        return customer.Id;
    }

    private static Task<InvoiceItem> ItemAsync(StripeClient stripe, string customer, string? invoice, long amount, List<string>? rates = null) =>
        stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer, Invoice = invoice, Amount = amount, Currency = "usd", TaxRates = rates }, cancellationToken: Ct);

    [Fact]
    public async Task Item_rates_and_the_invoices_default_rates_tax_each_line_and_the_charge_includes_the_exclusive_tax()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var sales = await RateAsync(stripe, 7.5m, inclusive: false, "Sales tax");
        var vat = await RateAsync(stripe, 20, inclusive: true, "VAT");
        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer, DefaultTaxRates = [sales.Id] }, cancellationToken: Ct);
        Assert.Equal([sales.Id], draft.DefaultTaxRates.Select(r => r.Id));

        // 1001 at the default 7.5 %: 75.075 → 75; 1200 with its own inclusive 20 %: 200 inside.
        await ItemAsync(stripe, customer, draft.Id, 1001);
        var own = await ItemAsync(stripe, customer, draft.Id, 1200, [vat.Id]);
        Assert.Equal([vat.Id], own.TaxRates.Select(r => r.Id));

        var taxed = await stripe.V1.Invoices.GetAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal((2201L, 2276L, 2276L), (taxed.Subtotal, taxed.Total, taxed.AmountDue));
        Assert.Equal((2001L, 2001L), (taxed.SubtotalExcludingTax, taxed.TotalExcludingTax));
        Assert.Equal([(sales.Id, 75L, 1001L, "exclusive"), (vat.Id, 200L, 1000L, "inclusive")],
            taxed.TotalTaxes.Select(t => (t.TaxRateDetails.TaxRateId, t.Amount, t.TaxableAmount, t.TaxBehavior)));
        var lines = taxed.Lines.Data;
        Assert.Equal([75L, 200L], lines.Select(l => l.Taxes.Single().Amount));
        Assert.Equal(("tax_rate_details", sales.Id), (lines[0].Taxes.Single().Type, lines[0].Taxes.Single().TaxRateDetails.TaxRateId));

        await stripe.V1.Invoices.FinalizeInvoiceAsync(draft.Id, cancellationToken: Ct);
        var paid = await stripe.V1.Invoices.PayAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 2276L), (paid.Status, paid.AmountPaid));
        Assert.Equal(2276L, (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data.Single().Amount);
    }

    [Fact]
    public async Task A_discount_comes_off_before_the_tax()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        await StripeDiscountTests.CouponAsync(stripe, "TENTH", percent: 10);
        var rate = await RateAsync(stripe, 19, inclusive: false);
        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer, Discounts = [new InvoiceDiscountOptions { Coupon = "TENTH" }], DefaultTaxRates = [rate.Id],
        }, cancellationToken: Ct);
        await ItemAsync(stripe, customer, draft.Id, 2500);

        // 2500 less 10 % is 2250; 19 % of 2250 is 427.5 → 428.
        var invoice = await stripe.V1.Invoices.GetAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal((2500L, 2250L, 2678L, 2678L), (invoice.Subtotal, invoice.TotalExcludingTax, invoice.Total, invoice.AmountDue));
        Assert.Equal((428L, 2250L), (invoice.TotalTaxes.Single().Amount, invoice.TotalTaxes.Single().TaxableAmount));
    }

    [Fact]
    public async Task An_archived_rate_keeps_applying_where_it_is_set_and_cannot_be_added_anew()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var rate = await RateAsync(stripe, 10, inclusive: false);
        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer }, cancellationToken: Ct);
        var item = await ItemAsync(stripe, customer, draft.Id, 1000, [rate.Id]);
        await stripe.V1.TaxRates.UpdateAsync(rate.Id, new TaxRateUpdateOptions { Active = false }, cancellationToken: Ct);

        var changed = await stripe.V1.InvoiceItems.UpdateAsync(item.Id, new InvoiceItemUpdateOptions { Amount = 2000, TaxRates = [rate.Id] }, cancellationToken: Ct);
        Assert.Equal([rate.Id], changed.TaxRates.Select(r => r.Id));
        Assert.Equal(2200L, (await stripe.V1.Invoices.GetAsync(draft.Id, cancellationToken: Ct)).Total);

        var anew = await RefusedAsync(ItemAsync(stripe, customer, draft.Id, 500, [rate.Id]));
        Assert.Equal((HttpStatusCode.BadRequest, "tax_rates[0]"), (anew.HttpStatusCode, anew.StripeError.Param));
        var unknown = await RefusedAsync(stripe.V1.Invoices.UpdateAsync(draft.Id, new InvoiceUpdateOptions { DefaultTaxRates = ["txr_x"] }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "No such tax rate: 'txr_x'", "default_tax_rates[0]"), (unknown.HttpStatusCode, unknown.StripeError.Message, unknown.StripeError.Param));

        var cleared = await stripe.V1.InvoiceItems.UpdateAsync(item.Id, new InvoiceItemUpdateOptions { TaxRates = [] }, cancellationToken: Ct);
        Assert.Empty(cleared.TaxRates);
        Assert.Equal(2000L, (await stripe.V1.Invoices.GetAsync(draft.Id, cancellationToken: Ct)).Total);
    }

    [Fact]
    public async Task The_line_endpoints_set_and_change_a_lines_tax_rates()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var low = await RateAsync(stripe, 5, inclusive: false);
        var high = await RateAsync(stripe, 10, inclusive: false);
        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer }, cancellationToken: Ct);

        var added = await stripe.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions { Lines = [new InvoiceLineOptions { Amount = 1000, TaxRates = [low.Id] }] }, cancellationToken: Ct);
        Assert.Equal((1050L, 50L), (added.Total, added.Lines.Data.Single().Taxes.Single().Amount));

        var line = added.Lines.Data.Single().Id;
        var changed = await stripe.V1.Invoices.UpdateLinesAsync(draft.Id, new InvoiceUpdateLinesOptions { Lines = [new InvoiceLineOptions { Id = line, TaxRates = [high.Id] }] }, cancellationToken: Ct);
        Assert.Equal((1100L, high.Id), (changed.Total, changed.Lines.Data.Single().Taxes.Single().TaxRateDetails.TaxRateId));
    }

    [Fact]
    public async Task A_pending_taxed_item_is_taxed_on_the_subscription_renewal_that_sweeps_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var rate = await RateAsync(stripe, 25, inclusive: false);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        await ItemAsync(stripe, customer, null, 10, [rate.Id]);

        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = (await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;
        // 999 untaxed and 10 at 25 %: 2.5 → 3.
        Assert.Equal((1009L, 1012L, 1012L, 1009L), (renewal.Subtotal, renewal.Total, renewal.AmountPaid, renewal.TotalExcludingTax));
        Assert.Equal([0, 1], renewal.Lines.Data.Select(l => l.Taxes.Count));
        Assert.Equal((3L, rate.Id), (renewal.TotalTaxes.Single().Amount, renewal.TotalTaxes.Single().TaxRateDetails.TaxRateId));
    }
}
