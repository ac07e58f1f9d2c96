using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Retries of a one-off invoice's failed automatic payment (<c>charge_automatically</c>, <c>auto_advance=true</c>), on a
/// test clock through Stripe.net 53.1.0: the subscriptions' schedule of 3, 5 and 7 days after the previous attempt,
/// <c>attempt_count</c> and <c>next_payment_attempt</c>, <c>invoice.payment_failed</c> per attempt and <c>invoice.paid</c>
/// on a retry that pays; after the last failure the invoice stays open.
/// </summary>
public sealed class StripeStandaloneInvoiceRetryTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly DateTime Frozen = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>An hour after its creation the draft is finalized and charged: the first attempt.</summary>
    private static readonly DateTime FirstAttempt = Frozen.AddHours(1);

    /// <summary>A customer on a new test clock whose default card is <paramref name="card"/>, and an auto_advance draft of 8000 for it.</summary>
    private static async Task<(string Clock, string Customer, string Invoice)> DraftAsync(StripeClient stripe, string card)
    {
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "b2b@example.com", TestClock = clock.Id }, cancellationToken: Ct);
        await DefaultCardAsync(stripe, customer.Id, card);
        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, AutoAdvance = true }, cancellationToken: Ct);
        await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Invoice = draft.Id, Amount = 8000, Currency = "usd", Description = "Consulting" }, cancellationToken: Ct);
        return (clock.Id, customer.Id, draft.Id);
    }

    private static async Task DefaultCardAsync(StripeClient stripe, string customer, string card)
    {
        var saved = await stripe.V1.PaymentMethods.AttachAsync(card, new PaymentMethodAttachOptions { Customer = customer }, cancellationToken: Ct);
        await stripe.V1.Customers.UpdateAsync(customer, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = saved.Id } }, cancellationToken: Ct);
    }

    [Fact]
    public async Task A_failing_automatic_payment_is_retried_3_5_and_7_days_later_then_the_invoice_stays_open()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var (clock, _, invoiceId) = await DraftAsync(stripe, "pm_card_chargeCustomerFail");

        DateTime[] attempts = [FirstAttempt, FirstAttempt.AddDays(3), FirstAttempt.AddDays(8), FirstAttempt.AddDays(15)];
        DateTime?[] next = [.. attempts.Skip(1).Select(a => (DateTime?)a), null];
        for (var i = 0; i < attempts.Length; i++)
        {
            // Just before the attempt nothing has moved yet.
            await AdvanceClockAsync(stripe, clock, attempts[i].AddMinutes(-1));
            Assert.Equal((long)i, (await stripe.V1.Invoices.GetAsync(invoiceId, cancellationToken: Ct)).AttemptCount);
            await AdvanceClockAsync(stripe, clock, attempts[i]);
            var invoice = await stripe.V1.Invoices.GetAsync(invoiceId, cancellationToken: Ct);
            Assert.Equal(("open", i + 1L, next[i]), (invoice.Status, invoice.AttemptCount, invoice.NextPaymentAttempt));
        }

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_failed") == 4);
        Assert.Equal(next, events.Where(e => e.Type == "invoice.payment_failed").Select(e => ((Invoice)e.Data.Object).NextPaymentAttempt));
        Assert.Equal(4, (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Limit = 10 }, cancellationToken: Ct)).Data.Count(c => c.Status == "failed"));

        // Nothing more is attempted after the last failure.
        await AdvanceClockAsync(stripe, clock, FirstAttempt.AddDays(40));
        var last = await stripe.V1.Invoices.GetAsync(invoiceId, cancellationToken: Ct);
        Assert.Equal(("open", 4L, (DateTime?)null), (last.Status, last.AttemptCount, last.NextPaymentAttempt));
    }

    [Fact]
    public async Task A_retry_with_a_new_default_card_pays_the_invoice_and_stops_the_retries()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var (clock, customer, invoiceId) = await DraftAsync(stripe, "pm_card_chargeCustomerFail");

        await AdvanceClockAsync(stripe, clock, FirstAttempt);
        Assert.Equal((1L, (DateTime?)FirstAttempt.AddDays(3)), await AttemptsAsync(stripe, invoiceId));
        await DefaultCardAsync(stripe, customer, "pm_card_visa");

        await AdvanceClockAsync(stripe, clock, FirstAttempt.AddDays(20));
        var paid = await stripe.V1.Invoices.GetAsync(invoiceId, cancellationToken: Ct);
        Assert.Equal(("paid", 8000L, 2L, (DateTime?)null), (paid.Status, paid.AmountPaid, paid.AttemptCount, paid.NextPaymentAttempt));
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 1);
        Assert.Equal(1, Count(events, "invoice.payment_failed"));
        Assert.Null(((Invoice)events.Single(e => e.Type == "invoice.paid").Data.Object).NextPaymentAttempt);
    }

    [Fact]
    public async Task An_invoice_no_longer_auto_advancing_is_not_retried()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (clock, _, invoiceId) = await DraftAsync(stripe, "pm_card_chargeCustomerFail");

        await AdvanceClockAsync(stripe, clock, FirstAttempt);
        var updated = await stripe.V1.Invoices.UpdateAsync(invoiceId, new InvoiceUpdateOptions { AutoAdvance = false }, cancellationToken: Ct);
        Assert.Null(updated.NextPaymentAttempt);
        await AdvanceClockAsync(stripe, clock, FirstAttempt.AddDays(20));
        Assert.Equal(1L, (await AttemptsAsync(stripe, invoiceId)).Attempts);
    }

    private static async Task<(long Attempts, DateTime? Next)> AttemptsAsync(StripeClient stripe, string invoiceId)
    {
        var invoice = await stripe.V1.Invoices.GetAsync(invoiceId, cancellationToken: Ct);
        return (invoice.AttemptCount, invoice.NextPaymentAttempt);
    }
}
