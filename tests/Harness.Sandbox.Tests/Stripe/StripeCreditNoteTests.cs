using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;
using static Harness.Sandbox.Tests.Stripe.StripeTaxRateTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Credit notes through Stripe.net 53.1.0: a pre-payment note lowering what an open invoice owes, post-payment notes
/// refunding the charge, crediting the customer's balance (taken by the next invoice) or settled out of band, lines
/// credited by quantity with their share of the invoice's taxes, a subscription invoice's line refunded, the preview, and void.
/// </summary>
public sealed class StripeCreditNoteTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static async Task<string> CustomerAsync(StripeClient stripe)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "credit@example.com" }, cancellationToken: Ct);
        var card = await stripe.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct);
        await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = card.Id } }, cancellationToken: Ct);
        return customer.Id;
    }

    /// <summary>A finalized standalone invoice of one item of <paramref name="amount"/>: open, or paid with the customer's card.</summary>
    internal static async Task<Invoice> InvoiceAsync(StripeClient stripe, string customer, long amount, bool pay)
    {
        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer }, cancellationToken: Ct);
        await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer, Invoice = draft.Id, Amount = amount, Currency = "usd" }, cancellationToken: Ct);
        var open = await stripe.V1.Invoices.FinalizeInvoiceAsync(draft.Id, cancellationToken: Ct);
        return pay ? await stripe.V1.Invoices.PayAsync(draft.Id, cancellationToken: Ct) : open;
    }

    private static async Task<List<string>> EventTypesAsync(StripeClient stripe) =>
        [.. (await stripe.V1.Events.ListAsync(new EventListOptions { Limit = 100 }, cancellationToken: Ct)).Data.Select(e => e.Type)];

    [Fact]
    public async Task A_note_on_an_open_invoice_lowers_what_it_owes_and_the_payment_charges_the_rest()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var invoice = await InvoiceAsync(stripe, customer, 5000, pay: false);

        var note = await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = invoice.Id, Amount = 1500, Reason = "order_change", Memo = "Late delivery" }, cancellationToken: Ct);
        Assert.Equal(("issued", "pre_payment", 1500L, 1500L, 0L), (note.Status, note.Type, note.Total, note.PrePaymentAmount, note.PostPaymentAmount));
        Assert.Equal((invoice.Number + "-CN-01", customer, "order_change", "Late delivery"), (note.Number, note.CustomerId, note.Reason, note.Memo));
        Assert.Equal(("custom_line_item", 1500L), (note.Lines.Data.Single().Type, note.Lines.Data.Single().Amount));

        var lowered = await stripe.V1.Invoices.GetAsync(invoice.Id, cancellationToken: Ct);
        Assert.Equal(("open", 3500L, 3500L, 1500L, 0L), (lowered.Status, lowered.AmountDue, lowered.AmountRemaining, lowered.PrePaymentCreditNotesAmount, lowered.PostPaymentCreditNotesAmount));

        var paid = await stripe.V1.Invoices.PayAsync(invoice.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 3500L), (paid.Status, paid.AmountPaid));
        Assert.Equal(3500L, (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data.Single().Amount);
        var events = await EventTypesAsync(stripe);
        Assert.Contains("credit_note.created", events);
        Assert.Contains("invoice.updated", events);
    }

    [Fact]
    public async Task A_note_crediting_all_an_open_invoice_owes_leaves_it_paid_without_a_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var invoice = await InvoiceAsync(stripe, customer, 800, pay: false);

        await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = invoice.Id, Amount = 800 }, cancellationToken: Ct);

        var settled = await stripe.V1.Invoices.GetAsync(invoice.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 0L, 0L), (settled.Status, settled.AmountRemaining, settled.AmountPaid));
        Assert.Empty((await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task A_refund_note_on_a_paid_invoice_refunds_its_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var invoice = await InvoiceAsync(stripe, customer, 5000, pay: true);

        var note = await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = invoice.Id, Amount = 2000, RefundAmount = 2000, Reason = "product_unsatisfactory" }, cancellationToken: Ct);
        Assert.Equal(("post_payment", 0L, 2000L), (note.Type, note.PrePaymentAmount, note.PostPaymentAmount));
        var refund = note.Refunds.Single();
        Assert.Equal(("refund", 2000L), (refund.Type, refund.AmountRefunded));

        var charge = (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data.Single();
        Assert.Equal((2000L, false), (charge.AmountRefunded, charge.Refunded));
        Assert.Equal(refund.RefundId, (await stripe.V1.Refunds.GetAsync(refund.RefundId, cancellationToken: Ct)).Id);
        var after = await stripe.V1.Invoices.GetAsync(invoice.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 5000L, 2000L), (after.Status, after.AmountPaid, after.PostPaymentCreditNotesAmount));
        var events = await EventTypesAsync(stripe);
        Assert.Contains("refund.created", events);
        Assert.Contains("charge.refunded", events);

        var kept = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.CreditNotes.VoidCreditNoteAsync(note.Id, cancellationToken: Ct));
        Assert.Equal(400, (int)kept.HttpStatusCode);
        Assert.Contains("cannot be voided", kept.StripeError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credit_note_credits_the_customers_balance_which_the_next_invoice_takes()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var invoice = await InvoiceAsync(stripe, customer, 5000, pay: true);

        var note = await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = invoice.Id, Amount = 1200, CreditAmount = 1200 }, cancellationToken: Ct);
        Assert.NotNull(note.CustomerBalanceTransactionId);
        Assert.Equal(-1200L, (await stripe.V1.Customers.GetAsync(customer, cancellationToken: Ct)).Balance);
        var transaction = (await stripe.V1.Customers.BalanceTransactions.ListAsync(customer, cancellationToken: Ct)).Data.Single();
        Assert.Equal((note.CustomerBalanceTransactionId, "credit_note", -1200L, note.Id, invoice.Id), (transaction.Id, transaction.Type, transaction.Amount, transaction.CreditNoteId, transaction.InvoiceId));

        var next = await InvoiceAsync(stripe, customer, 3000, pay: false);
        Assert.Equal((-1200L, 1800L), (next.StartingBalance, next.AmountDue));
        Assert.Equal(0L, (await stripe.V1.Customers.GetAsync(customer, cancellationToken: Ct)).Balance);
    }

    [Fact]
    public async Task Lines_credited_by_quantity_take_their_share_of_the_tax_exactly_and_the_preview_matches()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var rate = await RateAsync(stripe, 7.5m, inclusive: false, "Sales tax");
        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer }, cancellationToken: Ct);
        await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer, Invoice = draft.Id, Pricing = new InvoiceItemPricingOptions { Price = StripeCatalog.CreditsPrice }, Quantity = 3, TaxRates = [rate.Id],
        }, cancellationToken: Ct);
        await stripe.V1.Invoices.FinalizeInvoiceAsync(draft.Id, cancellationToken: Ct);
        var invoice = await stripe.V1.Invoices.PayAsync(draft.Id, cancellationToken: Ct);

        // 3 × 100 at 7.5 %: 22.5 → 23 of tax, 323 paid.
        Assert.Equal((323L, 323L), (invoice.Total, invoice.AmountPaid));
        var lineId = invoice.Lines.Data.Single().Id;
        CreditNoteCreateOptions OneUnit() => new()
        {
            Invoice = invoice.Id, OutOfBandAmount = 108, Lines = [new CreditNoteLineOptions { Type = "invoice_line_item", InvoiceLineItem = lineId, Quantity = 1 }],
        };

        // One unit of three: round(23 × 1/3) = 8 of the tax.
        var preview = await stripe.V1.CreditNotes.PreviewAsync(new CreditNotePreviewOptions
        {
            Invoice = invoice.Id, OutOfBandAmount = 108, Lines = [new CreditNoteLineOptions { Type = "invoice_line_item", InvoiceLineItem = lineId, Quantity = 1 }],
        }, cancellationToken: Ct);
        var note = await stripe.V1.CreditNotes.CreateAsync(OneUnit(), cancellationToken: Ct);
        foreach (var shown in new[] { preview, note })
        {
            Assert.Equal((100L, 108L, 100L, 108L, 108L), (shown.Subtotal, shown.Total, shown.TotalExcludingTax, shown.OutOfBandAmount, shown.PostPaymentAmount));
            Assert.Equal([(rate.Id, 8L, 100L)], shown.TotalTaxes.Select(t => (t.TaxRateDetails.TaxRateId, t.Amount, t.TaxableAmount)));
            var line = shown.Lines.Data.Single();
            Assert.Equal((lineId, 1L, 100L, 100L, 8L), (line.InvoiceLineItem, line.Quantity, line.UnitAmount, line.Amount, line.Taxes.Single().Amount));
            Assert.Equal([rate.Id], line.TaxRates.Select(r => r.Id));
        }

        // Previewed now, the next unit is the second: 100 and 7 of tax.
        var previewLines = await stripe.V1.CreditNotes.PreviewLines.ListAsync(new CreditNotePreviewLinesListOptions
        {
            Invoice = invoice.Id, OutOfBandAmount = 107, Lines = [new CreditNotePreviewLinesLineOptions { Type = "invoice_line_item", InvoiceLineItem = lineId, Quantity = 1 }],
        }, cancellationToken: Ct);
        Assert.Equal((100L, 7L), (previewLines.Data.Single().Amount, previewLines.Data.Single().Taxes.Single().Amount));
        Assert.Equal(note.Lines.Data.Single().Id, (await stripe.V1.CreditNotes.ListLineItemsAsync(note.Id, cancellationToken: Ct)).Data.Single().Id);

        // The second unit: round(23 × 2/3) − 8 = 7; the third: 23 − 15 = 8. Every unit of tax is credited once.
        var second = await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = invoice.Id, OutOfBandAmount = 107, Lines = [new CreditNoteLineOptions { Type = "invoice_line_item", InvoiceLineItem = lineId, Quantity = 1 }],
        }, cancellationToken: Ct);
        Assert.Equal((7L, invoice.Number + "-CN-02"), (second.TotalTaxes.Single().Amount, second.Number));
        var third = await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = invoice.Id, OutOfBandAmount = 108, Lines = [new CreditNoteLineOptions { Type = "invoice_line_item", InvoiceLineItem = lineId, Quantity = 1 }],
        }, cancellationToken: Ct);
        Assert.Equal(8L, third.TotalTaxes.Single().Amount);
        Assert.Equal(323L, (await stripe.V1.Invoices.GetAsync(invoice.Id, cancellationToken: Ct)).PostPaymentCreditNotesAmount);

        var none = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.CreditNotes.CreateAsync(OneUnit(), cancellationToken: Ct));
        Assert.Equal("lines[0][quantity]", none.StripeError.Param);
    }

    [Fact]
    public async Task A_subscription_invoice_is_credited_by_quantity_with_a_refund_of_its_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 2 }],
        }, cancellationToken: Ct);
        var invoice = await stripe.V1.Invoices.GetAsync(subscription.LatestInvoiceId, cancellationToken: Ct);
        Assert.Equal("paid", invoice.Status);
        var line = invoice.Lines.Data.Single();
        var unit = line.Amount / 2;

        var note = await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = invoice.Id, RefundAmount = unit, Lines = [new CreditNoteLineOptions { Type = "invoice_line_item", InvoiceLineItem = line.Id, Quantity = 1 }],
        }, cancellationToken: Ct);

        // A subscription invoice has no number in the sandbox: the note's number is made from the invoice's id.
        Assert.Equal((unit, unit, invoice.Id + "-CN-01"), (note.Total, note.Refunds.Single().AmountRefunded, note.Number));
        Assert.Equal(unit, (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data.Single().AmountRefunded);
    }

    [Fact]
    public async Task Voiding_gives_back_what_the_note_took_off_the_invoice_or_put_on_the_balance()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var open = await InvoiceAsync(stripe, customer, 4000, pay: false);
        var lowering = await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = open.Id, Amount = 1000, Metadata = new Dictionary<string, string> { ["case"] = "42" } }, cancellationToken: Ct);

        var updated = await stripe.V1.CreditNotes.UpdateAsync(lowering.Id, new CreditNoteUpdateOptions { Memo = "Goodwill" }, cancellationToken: Ct);
        Assert.Equal(("Goodwill", "42"), (updated.Memo, updated.Metadata["case"]));

        var voided = await stripe.V1.CreditNotes.VoidCreditNoteAsync(lowering.Id, cancellationToken: Ct);
        Assert.Equal("void", voided.Status);
        Assert.NotNull(voided.VoidedAt);
        var restored = await stripe.V1.Invoices.GetAsync(open.Id, cancellationToken: Ct);
        Assert.Equal((4000L, 4000L, 0L), (restored.AmountDue, restored.AmountRemaining, restored.PrePaymentCreditNotesAmount));
        var again = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.CreditNotes.VoidCreditNoteAsync(lowering.Id, cancellationToken: Ct));
        Assert.Equal(400, (int)again.HttpStatusCode);

        // A void note no longer counts: the whole invoice can be credited again, and the number goes on.
        var whole = await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = open.Id, Amount = 3000 }, cancellationToken: Ct);
        Assert.Equal(open.Number + "-CN-02", whole.Number);

        var paid = await InvoiceAsync(stripe, customer, 2500, pay: true);
        var credit = await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = paid.Id, Amount = 500, CreditAmount = 500 }, cancellationToken: Ct);
        Assert.Equal(-500L, (await stripe.V1.Customers.GetAsync(customer, cancellationToken: Ct)).Balance);
        await stripe.V1.CreditNotes.VoidCreditNoteAsync(credit.Id, cancellationToken: Ct);
        Assert.Equal(0L, (await stripe.V1.Customers.GetAsync(customer, cancellationToken: Ct)).Balance);
        Assert.Equal([500L, -500L], (await stripe.V1.Customers.BalanceTransactions.ListAsync(customer, cancellationToken: Ct)).Data.Where(t => t.CreditNoteId == credit.Id).Select(t => t.Amount));
        Assert.Equal(0L, (await stripe.V1.Invoices.GetAsync(paid.Id, cancellationToken: Ct)).PostPaymentCreditNotesAmount);

        var events = await EventTypesAsync(stripe);
        Assert.Contains("credit_note.updated", events);
        Assert.Equal(2, events.Count(e => e == "credit_note.voided"));
    }
}
