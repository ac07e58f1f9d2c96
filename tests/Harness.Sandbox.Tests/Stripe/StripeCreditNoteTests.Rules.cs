using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeCreditNoteTests;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Credit notes' refusals in Stripe's error shape, the list's filters and paging both ways, an idempotency key replayed
/// (one refund, one note), and notes surviving a restart of the sandbox.
/// </summary>
public sealed class StripeCreditNoteRuleTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, string? Param)> RefusedAsync(Task task)
    {
        var refused = await Assert.ThrowsAsync<StripeException>(() => task);
        Assert.Equal("invalid_request_error", refused.StripeError.Type);
        return (refused.HttpStatusCode, refused.StripeError.Param);
    }

    [Fact]
    public async Task Notes_are_refused_on_drafts_void_and_unknown_invoices_and_lines_and_beyond_what_is_creditable()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var notes = stripe.V1.CreditNotes;
        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer }, cancellationToken: Ct);
        Assert.Equal((HttpStatusCode.BadRequest, "invoice"), await RefusedAsync(notes.CreateAsync(new CreditNoteCreateOptions { Invoice = draft.Id, Amount = 100 }, cancellationToken: Ct)));
        Assert.Equal((HttpStatusCode.NotFound, "invoice"), await RefusedAsync(notes.CreateAsync(new CreditNoteCreateOptions { Invoice = "in_missing", Amount = 100 }, cancellationToken: Ct)));

        var voided = await InvoiceAsync(stripe, customer, 1000, pay: false);
        await stripe.V1.Invoices.VoidInvoiceAsync(voided.Id, cancellationToken: Ct);
        Assert.Equal((HttpStatusCode.BadRequest, "invoice"), await RefusedAsync(notes.CreateAsync(new CreditNoteCreateOptions { Invoice = voided.Id, Amount = 100 }, cancellationToken: Ct)));

        var open = await InvoiceAsync(stripe, customer, 5000, pay: false);
        var unknownLine = new CreditNoteCreateOptions { Invoice = open.Id, Lines = [new CreditNoteLineOptions { Type = "invoice_line_item", InvoiceLineItem = "il_missing", Amount = 100 }] };
        Assert.Equal((HttpStatusCode.NotFound, "lines[0][invoice_line_item]"), await RefusedAsync(notes.CreateAsync(unknownLine, cancellationToken: Ct)));
        var lineId = open.Lines.Data.Single().Id;
        var overLine = new CreditNoteCreateOptions { Invoice = open.Id, Lines = [new CreditNoteLineOptions { Type = "invoice_line_item", InvoiceLineItem = lineId, Amount = 5001 }] };
        Assert.Equal((HttpStatusCode.BadRequest, "lines[0][amount]"), await RefusedAsync(notes.CreateAsync(overLine, cancellationToken: Ct)));
        var both = new CreditNoteCreateOptions { Invoice = open.Id, Lines = [new CreditNoteLineOptions { Type = "invoice_line_item", InvoiceLineItem = lineId, Amount = 10, Quantity = 1 }] };
        Assert.Equal((HttpStatusCode.BadRequest, "lines[0][amount]"), await RefusedAsync(notes.CreateAsync(both, cancellationToken: Ct)));
        Assert.Equal((HttpStatusCode.BadRequest, "amount"), await RefusedAsync(notes.CreateAsync(new CreditNoteCreateOptions { Invoice = open.Id, Amount = 5001 }, cancellationToken: Ct)));
        Assert.Equal((HttpStatusCode.BadRequest, "lines"), await RefusedAsync(notes.CreateAsync(new CreditNoteCreateOptions { Invoice = open.Id }, cancellationToken: Ct)));
        Assert.Equal((HttpStatusCode.BadRequest, "reason"), await RefusedAsync(notes.CreateAsync(new CreditNoteCreateOptions { Invoice = open.Id, Amount = 10, Reason = "whim" }, cancellationToken: Ct)));

        // Nothing of an open invoice's credit is post-payment: there is nothing to refund.
        Assert.Equal((HttpStatusCode.BadRequest, "refund_amount"), await RefusedAsync(notes.CreateAsync(new CreditNoteCreateOptions { Invoice = open.Id, Amount = 100, RefundAmount = 100 }, cancellationToken: Ct)));
        var linked = new CreditNoteCreateOptions { Invoice = open.Id, Amount = 100, Refunds = [new CreditNoteRefundOptions { Refund = "re_x", AmountRefunded = 100 }] };
        Assert.Equal((HttpStatusCode.BadRequest, "refunds"), await RefusedAsync(notes.CreateAsync(linked, cancellationToken: Ct)));

        // Nothing was changed by the refusals.
        var untouched = await stripe.V1.Invoices.GetAsync(open.Id, cancellationToken: Ct);
        Assert.Equal((5000L, 0L), (untouched.AmountDue, untouched.PrePaymentCreditNotesAmount));
        Assert.Empty((await notes.ListAsync(cancellationToken: Ct)).Data);
        Assert.Equal((HttpStatusCode.NotFound, "id"), await RefusedAsync(notes.GetAsync("cn_missing", cancellationToken: Ct)));
    }

    [Fact]
    public async Task A_paid_invoices_credit_must_be_split_exactly_and_a_refund_needs_a_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var notes = stripe.V1.CreditNotes;
        var paid = await InvoiceAsync(stripe, customer, 3000, pay: true);
        Assert.Equal((HttpStatusCode.BadRequest, "out_of_band_amount"), await RefusedAsync(notes.CreateAsync(new CreditNoteCreateOptions { Invoice = paid.Id, Amount = 1000 }, cancellationToken: Ct)));
        var short1 = new CreditNoteCreateOptions { Invoice = paid.Id, Amount = 1000, RefundAmount = 500, CreditAmount = 400 };
        Assert.Equal((HttpStatusCode.BadRequest, "refund_amount"), await RefusedAsync(notes.CreateAsync(short1, cancellationToken: Ct)));

        // Split three ways, exactly.
        var split = await notes.CreateAsync(new CreditNoteCreateOptions { Invoice = paid.Id, Amount = 1000, RefundAmount = 500, CreditAmount = 300, OutOfBandAmount = 200 }, cancellationToken: Ct);
        Assert.Equal((500L, 200L), (split.Refunds.Single().AmountRefunded, split.OutOfBandAmount));
        Assert.Equal(-300L, (await stripe.V1.Customers.GetAsync(customer, cancellationToken: Ct)).Balance);
        Assert.Equal((HttpStatusCode.BadRequest, "amount"), await RefusedAsync(notes.CreateAsync(new CreditNoteCreateOptions { Invoice = paid.Id, Amount = 2001, OutOfBandAmount = 2001 }, cancellationToken: Ct)));

        var outOfBand = await InvoiceAsync(stripe, customer, 2000, pay: false);
        await stripe.V1.Invoices.PayAsync(outOfBand.Id, new InvoicePayOptions { PaidOutOfBand = true }, cancellationToken: Ct);
        Assert.Equal((HttpStatusCode.BadRequest, "refund_amount"), await RefusedAsync(notes.CreateAsync(new CreditNoteCreateOptions { Invoice = outOfBand.Id, Amount = 500, RefundAmount = 500 }, cancellationToken: Ct)));
        var recorded = await notes.CreateAsync(new CreditNoteCreateOptions { Invoice = outOfBand.Id, Amount = 500, OutOfBandAmount = 500 }, cancellationToken: Ct);
        Assert.Equal(("post_payment", 500L), (recorded.Type, recorded.OutOfBandAmount));
    }

    [Fact]
    public async Task The_list_filters_by_invoice_customer_and_created_and_pages_both_ways()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var notes = stripe.V1.CreditNotes;
        var first = await CustomerAsync(stripe);
        var second = await CustomerAsync(stripe);
        var a = await InvoiceAsync(stripe, first, 5000, pay: false);
        var b = await InvoiceAsync(stripe, first, 5000, pay: false);
        var c = await InvoiceAsync(stripe, second, 5000, pay: false);
        var made = new List<string>();
        foreach (var invoice in new[] { a, a, b, c })
        {
            made.Add((await notes.CreateAsync(new CreditNoteCreateOptions { Invoice = invoice.Id, Amount = 100 }, cancellationToken: Ct)).Id);
        }

        Assert.Equal([made[1], made[0]], (await notes.ListAsync(new CreditNoteListOptions { Invoice = a.Id }, cancellationToken: Ct)).Data.Select(n => n.Id));
        Assert.Equal([made[2], made[1], made[0]], (await notes.ListAsync(new CreditNoteListOptions { Customer = first }, cancellationToken: Ct)).Data.Select(n => n.Id));
        var created = (await notes.GetAsync(made[0], cancellationToken: Ct)).Created;
        Assert.Equal(4, (await notes.ListAsync(new CreditNoteListOptions { Created = new DateRangeOptions { GreaterThanOrEqual = created } }, cancellationToken: Ct)).Data.Count);
        Assert.Empty((await notes.ListAsync(new CreditNoteListOptions { Created = new DateRangeOptions { GreaterThan = created } }, cancellationToken: Ct)).Data);

        var page = await notes.ListAsync(new CreditNoteListOptions { Limit = 2 }, cancellationToken: Ct);
        Assert.Equal([made[3], made[2]], page.Data.Select(n => n.Id));
        Assert.True(page.HasMore);
        var next = await notes.ListAsync(new CreditNoteListOptions { Limit = 2, StartingAfter = made[2] }, cancellationToken: Ct);
        Assert.Equal([made[1], made[0]], next.Data.Select(n => n.Id));
        Assert.False(next.HasMore);
        var back = await notes.ListAsync(new CreditNoteListOptions { Limit = 2, EndingBefore = made[1] }, cancellationToken: Ct);
        Assert.Equal([made[3], made[2]], back.Data.Select(n => n.Id));
        Assert.Equal((HttpStatusCode.BadRequest, "limit"), await RefusedAsync(notes.ListAsync(new CreditNoteListOptions { Limit = 0 }, cancellationToken: Ct)));
    }

    [Fact]
    public async Task A_replayed_idempotency_key_issues_one_note_and_one_refund()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var paid = await InvoiceAsync(stripe, customer, 3000, pay: true);
        var once = new RequestOptions { IdempotencyKey = "credit-note-refund-1" };
        var options = new CreditNoteCreateOptions { Invoice = paid.Id, Amount = 1000, RefundAmount = 1000 };

        var first = await stripe.V1.CreditNotes.CreateAsync(options, once, Ct);
        var again = await stripe.V1.CreditNotes.CreateAsync(options, once, Ct);

        Assert.Equal(first.Id, again.Id);
        Assert.Single((await stripe.V1.CreditNotes.ListAsync(cancellationToken: Ct)).Data);
        Assert.Equal(1000L, (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data.Single().AmountRefunded);
        Assert.Equal(1000L, (await stripe.V1.Invoices.GetAsync(paid.Id, cancellationToken: Ct)).PostPaymentCreditNotesAmount);
    }

    [Fact]
    public async Task Notes_survive_a_restart_and_can_still_be_voided()
    {
        var options = new SandboxOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N")),
            BasePort = 0,
            Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)),
        };
        string invoiceId, noteId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            var customer = await CustomerAsync(before);
            invoiceId = (await InvoiceAsync(before, customer, 4000, pay: false)).Id;
            noteId = (await before.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = invoiceId, Amount = 1500 }, cancellationToken: Ct)).Id;
        }

        await using var second = await SandboxServer.StartAsync(options, Ct);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
        var kept = await stripe.V1.CreditNotes.GetAsync(noteId, cancellationToken: Ct);
        Assert.Equal(("issued", 1500L, invoiceId), (kept.Status, kept.Total, kept.InvoiceId));
        Assert.Equal(2500L, (await stripe.V1.Invoices.GetAsync(invoiceId, cancellationToken: Ct)).AmountDue);
        await stripe.V1.CreditNotes.VoidCreditNoteAsync(noteId, cancellationToken: Ct);
        Assert.Equal(4000L, (await stripe.V1.Invoices.GetAsync(invoiceId, cancellationToken: Ct)).AmountDue);
    }
}
