using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Quotes through Stripe.net 53.1.0's <c>QuoteService</c>: draft → update → finalize → accept for one-time lines (a
/// draft invoice) and recurring lines (a subscription with the quote's discount and tax rate, whose first invoice
/// charges the quote's total), a future <c>effective_date</c> (a schedule), a trial, and the events delivered.
/// </summary>
public sealed class StripeQuoteTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static async Task<Customer> CustomerAsync(StripeClient stripe, string? card = "pm_card_visa")
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "buyer@example.com", Name = "Acme GmbH" }, cancellationToken: Ct);
        if (card is not null)
        {
            var saved = await stripe.V1.PaymentMethods.AttachAsync(card, new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct);
            await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = saved.Id } }, cancellationToken: Ct);
        }

        return customer;
    }

    internal static QuoteLineItemOptions Line(string price, long quantity = 1, List<string>? rates = null) => new() { Price = price, Quantity = quantity, TaxRates = rates };

    internal static Task<Quote> DraftAsync(StripeClient stripe, string customer, params QuoteLineItemOptions[] lines) =>
        stripe.V1.Quotes.CreateAsync(new QuoteCreateOptions { Customer = customer, LineItems = [.. lines] }, cancellationToken: Ct);

    internal static async Task<StripeException> RefusedAsync(Task task) => await Assert.ThrowsAsync<StripeException>(() => task);

    [Fact]
    public async Task A_one_time_quote_is_drafted_updated_finalized_and_accepted_into_a_draft_invoice()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);

        var draft = await stripe.V1.Quotes.CreateAsync(new QuoteCreateOptions
        {
            Customer = customer.Id, LineItems = [Line(StripeCatalog.CreditsPrice, 3)], Description = "Onboarding", Header = "Acme x Harness", Footer = "Valid 30 days",
            Metadata = new() { ["deal"] = "D-1" },
        }, cancellationToken: Ct);
        Assert.Equal(("draft", 300L, 300L, "usd", "charge_automatically"), (draft.Status, draft.AmountSubtotal, draft.AmountTotal, draft.Currency, draft.CollectionMethod));
        Assert.Equal((300L, 300L), (draft.Computed.Upfront.AmountSubtotal, draft.Computed.Upfront.AmountTotal));
        Assert.Null(draft.Computed.Recurring);
        Assert.Null(draft.Number);
        Assert.Equal(draft.Created.AddDays(30), draft.ExpiresAt);
        Assert.Equal(("Onboarding", "Acme x Harness", "Valid 30 days", "D-1"), (draft.Description, draft.Header, draft.Footer, draft.Metadata["deal"]));

        var updated = await stripe.V1.Quotes.UpdateAsync(draft.Id, new QuoteUpdateOptions
        {
            LineItems =
            [
                Line(StripeCatalog.CreditsPrice, 5),
                new QuoteLineItemOptions { PriceData = new QuoteLineItemPriceDataOptions { Currency = "usd", Product = "prod_HarnessCredits", UnitAmount = 250 }, Quantity = 2 },
            ],
            CollectionMethod = "send_invoice", InvoiceSettings = new QuoteInvoiceSettingsOptions { DaysUntilDue = 14 },
        }, cancellationToken: Ct);
        Assert.Equal((1000L, 1000L, 14L), (updated.AmountSubtotal, updated.AmountTotal, updated.InvoiceSettings.DaysUntilDue));
        var lines = await stripe.V1.Quotes.LineItems.ListAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal([(500L, 5L, "Sandbox credits"), (500L, 2L, "Sandbox credits")], lines.Data.Select(l => (l.AmountTotal, l.Quantity ?? 0, l.Description)));
        Assert.False(lines.Data[1].Price.Active);

        var open = await stripe.V1.Quotes.FinalizeQuoteAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal(("open", $"QT-{customer.InvoicePrefix}-0001-1"), (open.Status, open.Number));
        Assert.NotNull(open.StatusTransitions.FinalizedAt);
        var locked = await RefusedAsync(stripe.V1.Quotes.UpdateAsync(draft.Id, new QuoteUpdateOptions { Description = "Late change" }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "description"), (locked.HttpStatusCode, locked.StripeError.Param));
        var later = open.ExpiresAt.AddDays(5);
        Assert.Equal(later, (await stripe.V1.Quotes.UpdateAsync(draft.Id, new QuoteUpdateOptions { ExpiresAt = later }, cancellationToken: Ct)).ExpiresAt);

        var accepted = await stripe.V1.Quotes.AcceptAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal("accepted", accepted.Status);
        Assert.NotNull(accepted.StatusTransitions.AcceptedAt);
        Assert.Null(accepted.SubscriptionId);
        var invoice = await stripe.V1.Invoices.GetAsync(accepted.InvoiceId, cancellationToken: Ct);
        Assert.Equal(("draft", "send_invoice", 1000L, 2, "Onboarding"), (invoice.Status, invoice.CollectionMethod, invoice.AmountDue, invoice.Lines.Data.Count, invoice.Description));
        var twice = await RefusedAsync(stripe.V1.Quotes.AcceptAsync(draft.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, twice.HttpStatusCode);
        Assert.Contains("status of `accepted`", twice.StripeError.Message, StringComparison.Ordinal);
        Assert.Equal(("open", 1000L), (await stripe.V1.Invoices.FinalizeInvoiceAsync(invoice.Id, cancellationToken: Ct)) is var f ? (f.Status, f.AmountDue) : default);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "quote.accepted") == 1);
        Assert.Equal(["quote.created", "quote.finalized", "quote.accepted"], events.Where(e => e.Data.Object is Quote).Select(e => e.Type));
        Assert.Equal(accepted.InvoiceId, ((Quote)events.Single(e => e.Type == "quote.accepted").Data.Object).InvoiceId);
    }

    [Fact]
    public async Task A_recurring_quote_with_a_discount_and_a_tax_rate_becomes_a_subscription_whose_first_invoice_charges_the_quoted_total()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        await StripeDiscountTests.CouponAsync(stripe, "QUOTE10", percent: 10, duration: "forever");
        var rate = await StripeTaxRateTests.RateAsync(stripe, 8m, inclusive: false, "Sales tax");

        var quote = await stripe.V1.Quotes.CreateAsync(new QuoteCreateOptions
        {
            Customer = customer.Id,
            LineItems = [Line(StripeCatalog.MonthlyPrice, 2), Line(StripeCatalog.TeamMonthlyPrice)],
            Discounts = [new QuoteDiscountOptions { Coupon = "QUOTE10" }],
            DefaultTaxRates = [rate.Id],
            SubscriptionData = new QuoteSubscriptionDataOptions { Description = "Pro seats", Metadata = new() { ["crm"] = "42" } },
        }, cancellationToken: Ct);

        // 1998 + 2999, 10% off each line (200 and 300), then 8% on what is left (144 and 216).
        Assert.Equal((4997L, 500L, 360L, 4857L), (quote.AmountSubtotal, quote.TotalDetails.AmountDiscount, quote.TotalDetails.AmountTax, quote.AmountTotal));
        Assert.Equal(4857L, quote.Computed.Upfront.AmountTotal);
        Assert.Equal((4997L, 4857L, "month", 1L), (quote.Computed.Recurring.AmountSubtotal, quote.Computed.Recurring.AmountTotal, quote.Computed.Recurring.Interval, quote.Computed.Recurring.IntervalCount));
        var upfront = await stripe.V1.Quotes.ComputedUpfrontLineItems.ListAsync(quote.Id, cancellationToken: Ct);
        Assert.Equal([(200L, 144L, 1942L), (300L, 216L, 2915L)], upfront.Data.Select(l => (l.AmountDiscount, l.AmountTax, l.AmountTotal)));

        await stripe.V1.Quotes.FinalizeQuoteAsync(quote.Id, cancellationToken: Ct);
        var accepted = await stripe.V1.Quotes.AcceptAsync(quote.Id, cancellationToken: Ct);
        var subscription = await stripe.V1.Subscriptions.GetAsync(accepted.SubscriptionId, cancellationToken: Ct);
        Assert.Equal(("active", "Pro seats", "42"), (subscription.Status, subscription.Description, subscription.Metadata["crm"]));
        Assert.Equal([2L, 1L], subscription.Items.Data.Select(i => i.Quantity));
        Assert.Equal([rate.Id], subscription.DefaultTaxRates.Select(r => r.Id));
        Assert.Single(subscription.Discounts);
        var invoice = await stripe.V1.Invoices.GetAsync(accepted.InvoiceId, cancellationToken: Ct);
        Assert.Equal(subscription.LatestInvoiceId, invoice.Id);
        Assert.Equal(("paid", quote.AmountTotal, quote.AmountSubtotal), (invoice.Status, invoice.Total, invoice.Subtotal));
        Assert.Equal(quote.TotalDetails.AmountTax, invoice.TotalTaxes.Sum(t => t.Amount));
    }

    [Fact]
    public async Task A_future_effective_date_makes_a_subscription_schedule_and_a_trial_is_not_charged_up_front()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var start = sandbox.Server.Context.Clock.GetUtcNow().UtcDateTime.AddDays(10);
        start = start.AddTicks(-(start.Ticks % TimeSpan.TicksPerSecond));

        var scheduled = await stripe.V1.Quotes.CreateAsync(new QuoteCreateOptions
        {
            Customer = customer.Id, LineItems = [Line(StripeCatalog.TeamMonthlyPrice)],
            SubscriptionData = new QuoteSubscriptionDataOptions { EffectiveDate = start, TrialPeriodDays = 7 },
        }, cancellationToken: Ct);
        Assert.Equal((2999L, 0L, 2999L), (scheduled.AmountTotal, scheduled.Computed.Upfront.AmountTotal, scheduled.Computed.Recurring.AmountTotal));
        Assert.Empty((await stripe.V1.Quotes.ComputedUpfrontLineItems.ListAsync(scheduled.Id, cancellationToken: Ct)).Data);
        await stripe.V1.Quotes.FinalizeQuoteAsync(scheduled.Id, cancellationToken: Ct);
        var accepted = await stripe.V1.Quotes.AcceptAsync(scheduled.Id, cancellationToken: Ct);
        Assert.Null(accepted.SubscriptionId);
        var schedule = await stripe.V1.SubscriptionSchedules.GetAsync(accepted.SubscriptionScheduleId, cancellationToken: Ct);
        Assert.Equal(("not_started", "release", start, start.AddDays(7)), (schedule.Status, schedule.EndBehavior, schedule.Phases[0].StartDate, schedule.Phases[0].TrialEnd));
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, schedule.Phases[0].Items.Single().PriceId);

        var trial = await DraftAsync(stripe, customer.Id, Line(StripeCatalog.MonthlyPrice));
        await stripe.V1.Quotes.UpdateAsync(trial.Id, new QuoteUpdateOptions { SubscriptionData = new QuoteSubscriptionDataOptions { TrialPeriodDays = 14 } }, cancellationToken: Ct);
        await stripe.V1.Quotes.FinalizeQuoteAsync(trial.Id, cancellationToken: Ct);
        var trialing = await stripe.V1.Subscriptions.GetAsync((await stripe.V1.Quotes.AcceptAsync(trial.Id, cancellationToken: Ct)).SubscriptionId, cancellationToken: Ct);
        Assert.Equal("trialing", trialing.Status);
    }

    [Fact]
    public async Task An_accept_retried_with_its_idempotency_key_makes_one_invoice_and_a_refused_acceptance_leaves_the_quote_open()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var quote = await DraftAsync(stripe, customer.Id, Line(StripeCatalog.CreditsPrice, 2));
        await stripe.V1.Quotes.FinalizeQuoteAsync(quote.Id, cancellationToken: Ct);
        var key = new RequestOptions { IdempotencyKey = "accept-" + quote.Id };
        var first = await stripe.V1.Quotes.AcceptAsync(quote.Id, requestOptions: key, cancellationToken: Ct);
        var again = await stripe.V1.Quotes.AcceptAsync(quote.Id, requestOptions: key, cancellationToken: Ct);
        Assert.Equal(first.InvoiceId, again.InvoiceId);
        Assert.Single((await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);

        // A coupon deleted after the quote was finalized: the invoice refuses it, so nothing is made and the quote stays open.
        await StripeDiscountTests.CouponAsync(stripe, "GONE", amount: 50);
        var discounted = await stripe.V1.Quotes.CreateAsync(new QuoteCreateOptions
        {
            Customer = customer.Id, LineItems = [Line(StripeCatalog.CreditsPrice, 2)], Discounts = [new QuoteDiscountOptions { Coupon = "GONE" }],
        }, cancellationToken: Ct);
        Assert.Equal(150L, discounted.AmountTotal);
        await stripe.V1.Quotes.FinalizeQuoteAsync(discounted.Id, cancellationToken: Ct);
        await stripe.V1.Coupons.DeleteAsync("GONE", cancellationToken: Ct);
        var refused = await RefusedAsync(stripe.V1.Quotes.AcceptAsync(discounted.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (refused.HttpStatusCode, refused.StripeError.Code));
        Assert.Equal("open", (await stripe.V1.Quotes.GetAsync(discounted.Id, cancellationToken: Ct)).Status);
        Assert.Single((await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);
    }
}
