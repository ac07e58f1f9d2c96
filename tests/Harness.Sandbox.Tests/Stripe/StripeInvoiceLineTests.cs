using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// An invoice's lines through Stripe.net 53.1.0: listed and paged for any invoice; on a standalone draft added (a
/// pending invoice item, an amount, a price, <c>price_data</c>), updated (in a batch or one line), removed (deleted or
/// unassigned back to pending) with the totals and <c>invoice.updated</c>; the refusals, a refused batch storing nothing.
/// </summary>
public sealed class StripeInvoiceLineTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<(StripeClient Stripe, string Customer, Invoice Draft)> DraftAsync(TestSandbox sandbox)
    {
        var stripe = Client(sandbox);
        var customer = (await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "lines@example.com" }, cancellationToken: Ct)).Id;
        return (stripe, customer, await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer }, cancellationToken: Ct));
    }

    private static async Task<StripeException> RefusedAsync(Task task) => await Assert.ThrowsAsync<StripeException>(() => task);

    [Fact]
    public async Task Lines_are_added_listed_updated_and_removed_on_a_draft_with_its_totals_and_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var (stripe, customer, draft) = await DraftAsync(sandbox);
        var pending = await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer, Amount = 1500, Currency = "usd", Description = "Pending fee" }, cancellationToken: Ct);

        var added = await stripe.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions
        {
            Lines =
            [
                new InvoiceLineOptions { InvoiceItem = pending.Id },
                new InvoiceLineOptions { Amount = 2500, Description = "Setup" },
                new InvoiceLineOptions { Pricing = new InvoiceLinePricingOptions { Price = StripeCatalog.CreditsPrice }, Quantity = 3 },
                new InvoiceLineOptions
                {
                    PriceData = new InvoiceLinePriceDataOptions { Currency = "usd", ProductData = new InvoiceLinePriceDataProductDataOptions { Name = "Workshop" }, UnitAmount = 4000 },
                    Period = new InvoiceLinePeriodOptions { Start = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), End = new DateTime(2026, 3, 31, 0, 0, 0, DateTimeKind.Utc) },
                },
            ],
            InvoiceMetadata = new() { ["batch"] = "1" },
        }, cancellationToken: Ct);
        Assert.Equal([1500L, 2500L, 300L, 4000L], added.Lines.Data.Select(l => l.Amount));
        Assert.Equal((8300L, 8300L, 8300L, "1"), (added.Subtotal, added.Total, added.AmountDue, added.Metadata["batch"]));
        Assert.Equal(pending.Id, added.Lines.Data[0].Parent.InvoiceItemDetails.InvoiceItem);
        Assert.Equal(draft.Id, (await stripe.V1.InvoiceItems.GetAsync(pending.Id, cancellationToken: Ct)).InvoiceId);
        var workshop = added.Lines.Data[3];
        Assert.Equal((new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), "Workshop"), (workshop.Period.Start, (await stripe.V1.Products.GetAsync(workshop.Pricing.PriceDetails.Product, cancellationToken: Ct)).Name));
        var ids = added.Lines.Data.Select(l => l.Id).ToList();

        var first = await stripe.V1.Invoices.LineItems.ListAsync(draft.Id, new InvoiceLineItemListOptions { Limit = 2 }, cancellationToken: Ct);
        Assert.Equal(ids[..2], first.Data.Select(l => l.Id));
        Assert.True(first.HasMore);
        var next = await stripe.V1.Invoices.LineItems.ListAsync(draft.Id, new InvoiceLineItemListOptions { StartingAfter = ids[1] }, cancellationToken: Ct);
        Assert.Equal(ids[2..], next.Data.Select(l => l.Id));
        Assert.False(next.HasMore);
        var before = await stripe.V1.Invoices.LineItems.ListAsync(draft.Id, new InvoiceLineItemListOptions { EndingBefore = ids[3], Limit = 2 }, cancellationToken: Ct);
        Assert.Equal(ids[1..3], before.Data.Select(l => l.Id));
        Assert.True(before.HasMore);

        var updated = await stripe.V1.Invoices.UpdateLinesAsync(draft.Id, new InvoiceUpdateLinesOptions
        {
            Lines = [new InvoiceLineOptions { Id = ids[1], Amount = 2000, Description = "Setup (reduced)" }, new InvoiceLineOptions { Id = ids[2], Quantity = 5 }],
        }, cancellationToken: Ct);
        Assert.Equal([1500L, 2000L, 500L, 4000L], updated.Lines.Data.Select(l => l.Amount));
        Assert.Equal(ids, updated.Lines.Data.Select(l => l.Id));
        Assert.Equal((8000L, "Setup (reduced)"), (updated.AmountDue, updated.Lines.Data[1].Description));

        var line = await stripe.V1.Invoices.LineItems.UpdateAsync(draft.Id, ids[3], new InvoiceLineItemUpdateOptions { Metadata = new() { ["room"] = "B" }, Discountable = false }, cancellationToken: Ct);
        Assert.Equal((ids[3], "B", false, 4000L), (line.Id, line.Metadata["room"], line.Discountable, line.Amount));

        var removed = await stripe.V1.Invoices.RemoveLinesAsync(draft.Id, new InvoiceRemoveLinesOptions
        {
            Lines = [new InvoiceLineOptions { Id = ids[0], Behavior = "unassign" }, new InvoiceLineOptions { Id = ids[3], Behavior = "delete" }],
        }, cancellationToken: Ct);
        Assert.Equal([ids[1], ids[2]], removed.Lines.Data.Select(l => l.Id));
        Assert.Equal((2500L, 2500L), (removed.Subtotal, removed.AmountDue));
        Assert.Null((await stripe.V1.InvoiceItems.GetAsync(pending.Id, cancellationToken: Ct)).InvoiceId);
        Assert.Equal([pending.Id], (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, Pending = true }, cancellationToken: Ct)).Select(i => i.Id));
        var gone = await RefusedAsync(stripe.V1.InvoiceItems.GetAsync(workshop.Parent.InvoiceItemDetails.InvoiceItem, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.HttpStatusCode);

        Assert.Equal(2500L, (await stripe.V1.Invoices.FinalizeInvoiceAsync(draft.Id, cancellationToken: Ct)).AmountDue);
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.updated") == 4 && Count(e, "invoiceitem.created") == 4 && Count(e, "invoiceitem.deleted") == 1);
        var updates = events.Where(e => e.Type == "invoice.updated").Select(e => (Invoice)e.Data.Object).ToList();
        Assert.Equal([8300L, 8000L, 8000L, 2500L], updates.Select(i => i.AmountDue));
        Assert.All(events.Where(e => e.Type == "invoice.updated"), e => Assert.NotNull(e.Data.PreviousAttributes));
    }

    [Fact]
    public async Task Any_invoices_lines_are_listed_but_only_a_drafts_change()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (stripe, customer, draft) = await DraftAsync(sandbox);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);
        var renewal = await stripe.V1.Invoices.LineItems.ListAsync(subscription.LatestInvoiceId, cancellationToken: Ct);
        Assert.Equal([999L], renewal.Data.Select(l => l.Amount));

        var open = await stripe.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions { Lines = [new InvoiceLineOptions { Amount = 700 }] }, cancellationToken: Ct);
        var lineId = open.Lines.Data.Single().Id;
        await stripe.V1.Invoices.FinalizeInvoiceAsync(draft.Id, cancellationToken: Ct);
        foreach (var refusal in new Task[]
        {
            stripe.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions { Lines = [new InvoiceLineOptions { Amount = 100 }] }, cancellationToken: Ct),
            stripe.V1.Invoices.UpdateLinesAsync(draft.Id, new InvoiceUpdateLinesOptions { Lines = [new InvoiceLineOptions { Id = lineId, Amount = 100 }] }, cancellationToken: Ct),
            stripe.V1.Invoices.RemoveLinesAsync(draft.Id, new InvoiceRemoveLinesOptions { Lines = [new InvoiceLineOptions { Id = lineId, Behavior = "delete" }] }, cancellationToken: Ct),
            stripe.V1.Invoices.LineItems.UpdateAsync(draft.Id, lineId, new InvoiceLineItemUpdateOptions { Amount = 100 }, cancellationToken: Ct),
            stripe.V1.Invoices.AddLinesAsync(subscription.LatestInvoiceId, new InvoiceAddLinesOptions { Lines = [new InvoiceLineOptions { Amount = 100 }] }, cancellationToken: Ct),
        })
        {
            var refused = await RefusedAsync(refusal);
            Assert.Equal((HttpStatusCode.BadRequest, "invoice_not_editable"), (refused.HttpStatusCode, refused.StripeError.Code));
        }

        Assert.Equal([700L], (await stripe.V1.Invoices.LineItems.ListAsync(draft.Id, cancellationToken: Ct)).Data.Select(l => l.Amount));
        var missing = await RefusedAsync(stripe.V1.Invoices.LineItems.ListAsync("in_missing", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (missing.HttpStatusCode, missing.StripeError.Code));
    }

    [Fact]
    public async Task Bad_lines_are_refused_naming_the_line_and_a_refused_batch_changes_nothing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (stripe, customer, draft) = await DraftAsync(sandbox);
        var other = (await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "other@example.com" }, cancellationToken: Ct)).Id;
        var othersItem = await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = other, Amount = 100, Currency = "usd" }, cancellationToken: Ct);
        var kept = await stripe.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions { Lines = [new InvoiceLineOptions { Amount = 900, Description = "Kept" }] }, cancellationToken: Ct);
        var lineId = kept.Lines.Data.Single().Id;

        async Task AddRefusedAsync(InvoiceLineOptions bad, HttpStatusCode status, string param, string? code = "parameter_invalid")
        {
            var refused = await RefusedAsync(stripe.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions { Lines = [new InvoiceLineOptions { Amount = 50 }, bad] }, cancellationToken: Ct));
            Assert.Equal((status, param, code), (refused.HttpStatusCode, refused.StripeError.Param, refused.StripeError.Code));
        }

        await AddRefusedAsync(new InvoiceLineOptions { Description = "No amount" }, HttpStatusCode.BadRequest, "lines[1][amount]", "parameter_missing");
        await AddRefusedAsync(new InvoiceLineOptions { Amount = 10, Pricing = new InvoiceLinePricingOptions { Price = StripeCatalog.CreditsPrice } }, HttpStatusCode.BadRequest, "lines[1][amount]");
        await AddRefusedAsync(new InvoiceLineOptions { Pricing = new InvoiceLinePricingOptions { Price = StripeCatalog.MonthlyPrice } }, HttpStatusCode.BadRequest, "lines[1][pricing][price]");
        await AddRefusedAsync(new InvoiceLineOptions { InvoiceItem = othersItem.Id }, HttpStatusCode.BadRequest, "lines[1][invoice_item]");
        await AddRefusedAsync(new InvoiceLineOptions { InvoiceItem = "ii_missing" }, HttpStatusCode.NotFound, "lines[1][invoice_item]", "resource_missing");
        await AddRefusedAsync(new InvoiceLineOptions { Amount = 10, TaxRates = ["txr_123"] }, HttpStatusCode.NotFound, "lines[1][tax_rates][0]", "resource_missing");
        await AddRefusedAsync(
            new InvoiceLineOptions { PriceData = new InvoiceLinePriceDataOptions { Currency = "eur", ProductData = new InvoiceLinePriceDataProductDataOptions { Name = "X" }, UnitAmount = 10 } },
            HttpStatusCode.BadRequest, "lines[1][price_data][currency]");
        await AddRefusedAsync(
            new InvoiceLineOptions { Amount = 10, Period = new InvoiceLinePeriodOptions { Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(-1) } }, HttpStatusCode.BadRequest, "lines[1][period][end]");

        var unknownLine = await RefusedAsync(stripe.V1.Invoices.UpdateLinesAsync(draft.Id, new InvoiceUpdateLinesOptions { Lines = [new InvoiceLineOptions { Id = "il_missing", Amount = 5 }] }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "lines[0][id]"), (unknownLine.HttpStatusCode, unknownLine.StripeError.Param));
        var behavior = await RefusedAsync(stripe.V1.Invoices.RemoveLinesAsync(draft.Id, new InvoiceRemoveLinesOptions { Lines = [new InvoiceLineOptions { Id = lineId, Behavior = "archive" }] }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "lines[0][behavior]"), (behavior.HttpStatusCode, behavior.StripeError.Param));
        var quantity = await RefusedAsync(stripe.V1.Invoices.LineItems.UpdateAsync(draft.Id, lineId, new InvoiceLineItemUpdateOptions { Quantity = 2 }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "quantity"), (quantity.HttpStatusCode, quantity.StripeError.Param));
        var noLine = await RefusedAsync(stripe.V1.Invoices.LineItems.UpdateAsync(draft.Id, "il_missing", new InvoiceLineItemUpdateOptions { Amount = 2 }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, noLine.HttpStatusCode);

        var after = await stripe.V1.Invoices.GetAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal([lineId], after.Lines.Data.Select(l => l.Id));
        Assert.Equal(900L, after.AmountDue);
        Assert.Null((await stripe.V1.InvoiceItems.GetAsync(othersItem.Id, cancellationToken: Ct)).InvoiceId);
    }
}
