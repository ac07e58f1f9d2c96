using System.Net;
using System.Text;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeQuoteTests;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Quotes' rules through Stripe.net: cancel, expiry on the sandbox clock (with <c>quote.will_expire</c>), the PDF on
/// the files host, list filters and paging both ways, line items, refusals, and a restart.
/// </summary>
public sealed class StripeQuoteRuleTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Draft_and_open_quotes_cancel_and_a_canceled_quote_takes_nothing_more()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, card: null);
        var draft = await DraftAsync(stripe, customer.Id, Line(StripeCatalog.CreditsPrice));
        var canceled = await stripe.V1.Quotes.CancelAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal("canceled", canceled.Status);
        Assert.NotNull(canceled.StatusTransitions.CanceledAt);
        foreach (var refused in new[]
        {
            RefusedAsync(stripe.V1.Quotes.CancelAsync(draft.Id, cancellationToken: Ct)),
            RefusedAsync(stripe.V1.Quotes.FinalizeQuoteAsync(draft.Id, cancellationToken: Ct)),
            RefusedAsync(stripe.V1.Quotes.AcceptAsync(draft.Id, cancellationToken: Ct)),
            RefusedAsync(stripe.V1.Quotes.UpdateAsync(draft.Id, new QuoteUpdateOptions { Metadata = new() { ["k"] = "v" } }, cancellationToken: Ct)),
        })
        {
            var error = await refused;
            Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
            Assert.Contains("status of `canceled`", error.StripeError.Message, StringComparison.Ordinal);
        }

        var open = await DraftAsync(stripe, customer.Id, Line(StripeCatalog.CreditsPrice));
        await stripe.V1.Quotes.FinalizeQuoteAsync(open.Id, cancellationToken: Ct);
        Assert.Equal("canceled", (await stripe.V1.Quotes.CancelAsync(open.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task An_open_quote_is_reminded_of_seven_days_ahead_and_canceled_at_its_expiry_on_the_sandbox_clock()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, card: null);
        var expires = sandbox.Server.Context.Clock.GetUtcNow().UtcDateTime.AddDays(10);
        expires = expires.AddTicks(-(expires.Ticks % TimeSpan.TicksPerSecond));
        var quote = await stripe.V1.Quotes.CreateAsync(new QuoteCreateOptions { Customer = customer.Id, LineItems = [Line(StripeCatalog.CreditsPrice)], ExpiresAt = expires }, cancellationToken: Ct);
        await stripe.V1.Quotes.FinalizeQuoteAsync(quote.Id, cancellationToken: Ct);
        var draft = await DraftAsync(stripe, customer.Id, Line(StripeCatalog.CreditsPrice));

        await sandbox.AdvanceAsync(TimeSpan.FromDays(4));
        Assert.Equal("open", (await stripe.V1.Quotes.GetAsync(quote.Id, cancellationToken: Ct)).Status);
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "quote.will_expire") == 1);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(7));
        var expired = await stripe.V1.Quotes.GetAsync(quote.Id, cancellationToken: Ct);
        Assert.Equal(("canceled", expires), (expired.Status, expired.StatusTransitions.CanceledAt));
        await CollectAsync(receiver, events, e => Count(e, "quote.canceled") == 1);
        Assert.Equal(quote.Id, ((Quote)events.Single(e => e.Type == "quote.canceled").Data.Object).Id);
        Assert.Equal("draft", (await stripe.V1.Quotes.GetAsync(draft.Id, cancellationToken: Ct)).Status);

        // The draft keeps Stripe's default 30 days, and expires then too.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(20));
        Assert.Equal("canceled", (await stripe.V1.Quotes.GetAsync(draft.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task A_finalized_quotes_pdf_is_served_on_the_files_host_and_a_drafts_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"), filesBase: sandbox.BaseUrl("stripe"));
        var customer = await CustomerAsync(stripe, card: null);
        var quote = await stripe.V1.Quotes.CreateAsync(new QuoteCreateOptions
        {
            Customer = customer.Id, LineItems = [Line(StripeCatalog.CreditsPrice, 4)], Header = "Offer (annual)", Footer = "Thank you",
        }, cancellationToken: Ct);
        var draft = await RefusedAsync(stripe.V1.Quotes.PdfAsync(quote.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, draft.HttpStatusCode);

        var open = await stripe.V1.Quotes.FinalizeQuoteAsync(quote.Id, cancellationToken: Ct);
        await using var stream = await stripe.V1.Quotes.PdfAsync(quote.Id, cancellationToken: Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(copy.ToArray(), 0, 5), StringComparison.Ordinal);
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(copy.ToArray());
        Assert.Equal(1, pdf.NumberOfPages);
        var lines = pdf.GetPage(1).GetWords().GroupBy(w => Math.Round(w.BoundingBox.Bottom)).OrderByDescending(g => g.Key).Select(g => string.Join(' ', g.Select(w => w.Text))).ToList();
        Assert.Equal($"Quote {open.Number}", lines[0]);
        Assert.Equal("Offer (annual)", lines[1]);
        Assert.Contains("Total: 4.00 USD", lines);
        Assert.Equal("Thank you", lines[^1]);
    }

    [Fact]
    public async Task Quotes_list_by_customer_and_status_page_both_ways_and_their_line_items_page()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var mine = await CustomerAsync(stripe, card: null);
        var other = await CustomerAsync(stripe, card: null);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await DraftAsync(stripe, mine.Id, Line(StripeCatalog.CreditsPrice, i + 1))).Id);
        }

        await DraftAsync(stripe, other.Id, Line(StripeCatalog.CreditsPrice));
        await stripe.V1.Quotes.FinalizeQuoteAsync(ids[1], cancellationToken: Ct);

        var all = await stripe.V1.Quotes.ListAsync(new QuoteListOptions { Customer = mine.Id }, cancellationToken: Ct);
        Assert.Equal([ids[2], ids[1], ids[0]], all.Data.Select(q => q.Id));
        Assert.Equal([ids[1]], (await stripe.V1.Quotes.ListAsync(new QuoteListOptions { Customer = mine.Id, Status = "open" }, cancellationToken: Ct)).Data.Select(q => q.Id));
        var first = await stripe.V1.Quotes.ListAsync(new QuoteListOptions { Customer = mine.Id, Limit = 2 }, cancellationToken: Ct);
        Assert.True(first.HasMore);
        var next = await stripe.V1.Quotes.ListAsync(new QuoteListOptions { Customer = mine.Id, Limit = 2, StartingAfter = first.Data[^1].Id }, cancellationToken: Ct);
        Assert.Equal([ids[0]], next.Data.Select(q => q.Id));
        Assert.False(next.HasMore);
        var back = await stripe.V1.Quotes.ListAsync(new QuoteListOptions { Customer = mine.Id, EndingBefore = ids[0] }, cancellationToken: Ct);
        Assert.Equal([ids[2], ids[1]], back.Data.Select(q => q.Id));
        var badStatus = await RefusedAsync(stripe.V1.Quotes.ListAsync(new QuoteListOptions { Status = "stale" }, cancellationToken: Ct));
        Assert.Equal("status", badStatus.StripeError.Param);

        var many = await DraftAsync(stripe, mine.Id, Line(StripeCatalog.CreditsPrice, 1), Line(StripeCatalog.CreditsPrice, 2), Line(StripeCatalog.CreditsPrice, 3));
        var page = await stripe.V1.Quotes.LineItems.ListAsync(many.Id, new QuoteLineItemListOptions { Limit = 2 }, cancellationToken: Ct);
        Assert.Equal([100L, 200L], page.Data.Select(l => l.AmountTotal));
        Assert.True(page.HasMore);
        var rest = await stripe.V1.Quotes.LineItems.ListAsync(many.Id, new QuoteLineItemListOptions { StartingAfter = page.Data[^1].Id }, cancellationToken: Ct);
        Assert.Equal([300L], rest.Data.Select(l => l.AmountTotal));
        var expanded = await stripe.V1.Quotes.GetAsync(many.Id, new QuoteGetOptions { Expand = ["line_items", "computed.upfront.line_items"] }, cancellationToken: Ct);
        Assert.Equal((3, 3), (expanded.LineItems.Data.Count, expanded.Computed.Upfront.LineItems.Data.Count));
    }

    [Fact]
    public async Task Bad_quotes_are_refused_in_stripes_shape_naming_the_parameter()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, card: null);

        async Task RefusedWith(QuoteCreateOptions options, HttpStatusCode status, string param, string? code = null)
        {
            options.Customer ??= customer.Id;
            var error = await RefusedAsync(stripe.V1.Quotes.CreateAsync(options, cancellationToken: Ct));
            Assert.Equal((status, param), (error.HttpStatusCode, error.StripeError.Param));
            Assert.Equal("invalid_request_error", error.StripeError.Type);
            if (code is not null)
            {
                Assert.Equal(code, error.StripeError.Code);
            }
        }

        await RefusedWith(new() { LineItems = [Line("price_nope")] }, HttpStatusCode.NotFound, "line_items[0][price]", "resource_missing");
        await RefusedWith(new() { LineItems = [Line(StripeCatalog.MonthlyPrice), Line(StripeCatalog.EuroMonthlyPrice)] }, HttpStatusCode.BadRequest, "line_items[1][price]");
        await RefusedWith(new() { LineItems = [Line(StripeCatalog.MonthlyPrice), Line(StripeCatalog.YearlyPrice)] }, HttpStatusCode.BadRequest, "line_items");
        await RefusedWith(new() { Customer = "cus_missing" }, HttpStatusCode.NotFound, "customer", "resource_missing");
        await RefusedWith(new() { InvoiceSettings = new QuoteInvoiceSettingsOptions { DaysUntilDue = 10 } }, HttpStatusCode.BadRequest, "invoice_settings[days_until_due]");
        await RefusedWith(new() { ExpiresAt = DateTime.UtcNow.AddYears(-1) }, HttpStatusCode.BadRequest, "expires_at");
        await RefusedWith(new() { AutomaticTax = new QuoteAutomaticTaxOptions { Enabled = true } }, HttpStatusCode.BadRequest, "automatic_tax");
        await RefusedWith(new() { LineItems = [new QuoteLineItemOptions { Price = StripeCatalog.CreditsPrice, Discounts = [new QuoteLineItemDiscountOptions { Coupon = "X" }] }] },
            HttpStatusCode.BadRequest, "line_items[0][discounts]");
        await RefusedWith(new() { SubscriptionData = new QuoteSubscriptionDataOptions { TrialPeriodDays = 0 } }, HttpStatusCode.BadRequest, "subscription_data[trial_period_days]");
        var unknown = new QuoteCreateOptions { Customer = customer.Id };
        unknown.AddExtraParam("days_until_due", "30");
        var unknownError = await RefusedAsync(stripe.V1.Quotes.CreateAsync(unknown, cancellationToken: Ct));
        Assert.Equal(("parameter_unknown", "days_until_due"), (unknownError.StripeError.Code, unknownError.StripeError.Param));

        var empty = await stripe.V1.Quotes.CreateAsync(new QuoteCreateOptions { Customer = customer.Id }, cancellationToken: Ct);
        Assert.Equal(("line_items", 0L), ((await RefusedAsync(stripe.V1.Quotes.FinalizeQuoteAsync(empty.Id, cancellationToken: Ct))).StripeError.Param, empty.AmountTotal));
        var draftAccept = await RefusedAsync(stripe.V1.Quotes.AcceptAsync(empty.Id, cancellationToken: Ct));
        Assert.Contains("status of `draft`", draftAccept.StripeError.Message, StringComparison.Ordinal);
        var trialOneTime = await stripe.V1.Quotes.UpdateAsync(empty.Id, new QuoteUpdateOptions
        {
            LineItems = [Line(StripeCatalog.CreditsPrice)], SubscriptionData = new QuoteSubscriptionDataOptions { TrialPeriodDays = 7 },
        }, cancellationToken: Ct);
        Assert.Equal("subscription_data[trial_period_days]", (await RefusedAsync(stripe.V1.Quotes.FinalizeQuoteAsync(trialOneTime.Id, cancellationToken: Ct))).StripeError.Param);
        await StripeDiscountTests.CouponAsync(stripe, "MIXED", percent: 5);
        var mixed = await stripe.V1.Quotes.CreateAsync(new QuoteCreateOptions
        {
            Customer = customer.Id, LineItems = [Line(StripeCatalog.MonthlyPrice), Line(StripeCatalog.CreditsPrice)], Discounts = [new QuoteDiscountOptions { Coupon = "MIXED" }],
        }, cancellationToken: Ct);
        var notSimulated = await RefusedAsync(stripe.V1.Quotes.FinalizeQuoteAsync(mixed.Id, cancellationToken: Ct));
        Assert.Equal("discounts", notSimulated.StripeError.Param);
        Assert.Contains("not simulated", notSimulated.StripeError.Message, StringComparison.Ordinal);
        var missing = await RefusedAsync(stripe.V1.Quotes.GetAsync("qt_missing", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (missing.HttpStatusCode, missing.StripeError.Code));
    }

    [Fact]
    public async Task Quotes_survive_a_restart_and_one_past_its_expiry_is_canceled_after_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-quotes-" + Guid.NewGuid().ToString("N"));
        var start = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        string expiring, kept, number;
        await using (var first = await TestSandbox.StartAsync(now: start, configure: o => o.DataDirectory = data))
        {
            var stripe = Client(first);
            var customer = await CustomerAsync(stripe);
            expiring = (await stripe.V1.Quotes.CreateAsync(new QuoteCreateOptions
            {
                Customer = customer.Id, LineItems = [Line(StripeCatalog.CreditsPrice)], ExpiresAt = start.UtcDateTime.AddDays(2),
            }, cancellationToken: Ct)).Id;
            await stripe.V1.Quotes.FinalizeQuoteAsync(expiring, cancellationToken: Ct);
            kept = (await DraftAsync(stripe, customer.Id, Line(StripeCatalog.CreditsPrice, 7))).Id;
            number = (await stripe.V1.Quotes.FinalizeQuoteAsync(kept, cancellationToken: Ct)).Number;
        }

        await using (var second = await TestSandbox.StartAsync(now: start.AddDays(3), configure: o => o.DataDirectory = data))
        {
            await second.RunDueAsync();
            var stripe = Client(second);
            Assert.Equal("canceled", (await stripe.V1.Quotes.GetAsync(expiring, cancellationToken: Ct)).Status);
            var accepted = await stripe.V1.Quotes.AcceptAsync(kept, cancellationToken: Ct);
            Assert.Equal(("accepted", number, 700L), (accepted.Status, accepted.Number, accepted.AmountTotal));
            Assert.Equal(700L, (await stripe.V1.Invoices.GetAsync(accepted.InvoiceId, cancellationToken: Ct)).AmountDue);
        }

        Directory.Delete(data, recursive: true);
    }
}
