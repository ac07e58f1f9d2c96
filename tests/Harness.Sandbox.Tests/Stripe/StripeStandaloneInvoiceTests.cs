using System.Net;
using System.Net.Http.Json;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Standalone (one-off) invoices through Stripe.net 53.1.0: a draft filled with invoice items, finalized and paid; a
/// <c>send_invoice</c> one with its due date, sent and paid on its hosted page; void and uncollectible; deleting drafts;
/// pending items included or not; a declining card; <c>auto_advance</c> on a test clock; list filters; a restart.
/// </summary>
public sealed class StripeStandaloneInvoiceTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>2026-01-01 00:00 UTC, where the test clock starts.</summary>
    private static readonly DateTime Frozen = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static async Task<Customer> CustomerAsync(StripeClient stripe, string? card = null, string? clock = null)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "b2b@example.com", Name = "Acme", TestClock = clock }, cancellationToken: Ct);
        if (card is not null)
        {
            var saved = await stripe.V1.PaymentMethods.AttachAsync(card, new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct);
            await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = saved.Id } }, cancellationToken: Ct);
        }

        return customer;
    }

    private static Task<InvoiceItem> ItemAsync(StripeClient stripe, string customer, string invoice, long amount, string description = "Consulting") =>
        stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer, Invoice = invoice, Amount = amount, Currency = "usd", Description = description }, cancellationToken: Ct);

    /// <summary>An open invoice of <paramref name="amount"/> for the customer.</summary>
    private static async Task<Invoice> OpenAsync(StripeClient stripe, string customer, long amount, InvoiceCreateOptions? options = null)
    {
        options ??= new InvoiceCreateOptions();
        options.Customer = customer;
        var draft = await stripe.V1.Invoices.CreateAsync(options, cancellationToken: Ct);
        await ItemAsync(stripe, customer, draft.Id, amount);
        return await stripe.V1.Invoices.FinalizeInvoiceAsync(draft.Id, cancellationToken: Ct);
    }

    private static async Task<StripeException> RefusedAsync(Task task) => await Assert.ThrowsAsync<StripeException>(() => task);

    [Fact]
    public async Task A_draft_with_items_is_finalized_and_paid_with_the_customers_default_card()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, "pm_card_visa");

        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id, Description = "March consulting", Metadata = new() { ["po"] = "PO-7" },
        }, cancellationToken: Ct);
        Assert.Equal(("draft", "manual", "charge_automatically", false, 0L), (draft.Status, draft.BillingReason, draft.CollectionMethod, draft.AutoAdvance, draft.AmountDue));
        Assert.Null(draft.Number);
        Assert.Null(draft.Parent);
        Assert.Equal(("March consulting", "PO-7"), (draft.Description, draft.Metadata["po"]));

        await ItemAsync(stripe, customer.Id, draft.Id, 5000);
        var seats = await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer.Id, Invoice = draft.Id, Pricing = new InvoiceItemPricingOptions { Price = StripeCatalog.CreditsPrice }, Quantity = 2,
        }, cancellationToken: Ct);
        var stale = await ItemAsync(stripe, customer.Id, draft.Id, 700, "Removed later");
        Assert.Equal(draft.Id, stale.InvoiceId);
        Assert.Equal((5900L, 5900L, 3), await TotalsAsync(stripe, draft.Id));
        await stripe.V1.InvoiceItems.DeleteAsync(stale.Id, cancellationToken: Ct);
        await stripe.V1.InvoiceItems.UpdateAsync(seats.Id, new InvoiceItemUpdateOptions { Quantity = 3 }, cancellationToken: Ct);
        Assert.Equal((5300L, 5300L, 2), await TotalsAsync(stripe, draft.Id));

        var open = await stripe.V1.Invoices.FinalizeInvoiceAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal(("open", 5300L, 5300L), (open.Status, open.AmountDue, open.AmountRemaining));
        Assert.Equal($"{customer.InvoicePrefix}-0001", open.Number);
        Assert.NotNull(open.StatusTransitions.FinalizedAt);
        Assert.Contains("/pay/pi_", open.HostedInvoiceUrl, StringComparison.Ordinal);
        var refinalize = await RefusedAsync(stripe.V1.Invoices.FinalizeInvoiceAsync(draft.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "invoice_not_editable"), (refinalize.HttpStatusCode, refinalize.StripeError.Code));
        var lockedItem = await RefusedAsync(ItemAsync(stripe, customer.Id, draft.Id, 100));
        Assert.Equal((HttpStatusCode.BadRequest, "invoice"), (lockedItem.HttpStatusCode, lockedItem.StripeError.Param));

        var paid = await stripe.V1.Invoices.PayAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 5300L, 0L, 1L, false), (paid.Status, paid.AmountPaid, paid.AmountRemaining, paid.AttemptCount, paid.AutoAdvance));
        var charge = (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data.Single();
        Assert.Equal(("succeeded", 5300L, "4242"), (charge.Status, charge.Amount, charge.PaymentMethodDetails.Card.Last4));

        // The next one of this customer takes the next number.
        Assert.Equal($"{customer.InvoicePrefix}-0002", (await OpenAsync(stripe, customer.Id, 100)).Number);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 1);
        var types = events.Where(e => e.Data.Object is Invoice i && i.Id == draft.Id).Select(e => e.Type).ToList();
        Assert.Equal(["invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded"], types);
        Assert.NotEmpty(await sandbox.DeliveriesAsync(draft.Id));
    }

    private static async Task<(long Subtotal, long AmountDue, int Lines)> TotalsAsync(StripeClient stripe, string id)
    {
        var invoice = await stripe.V1.Invoices.GetAsync(id, cancellationToken: Ct);
        Assert.Equal(invoice.Subtotal, invoice.Lines.Data.Sum(l => l.Amount));
        return (invoice.Subtotal, invoice.AmountDue, invoice.Lines.Data.Count);
    }

    [Fact]
    public async Task A_send_invoice_invoice_is_due_in_its_days_sent_and_paid_on_its_hosted_page()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);

        var noDue = await RefusedAsync(stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, CollectionMethod = "send_invoice" }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "days_until_due"), (noDue.HttpStatusCode, noDue.StripeError.Param));
        var dueOnCharge = await RefusedAsync(stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, DaysUntilDue = 30 }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, dueOnCharge.HttpStatusCode);

        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, CollectionMethod = "send_invoice", DaysUntilDue = 30 }, cancellationToken: Ct);
        Assert.Equal(draft.Created.AddDays(30), draft.DueDate);
        await ItemAsync(stripe, customer.Id, draft.Id, 12_000);
        var chargeOnly = await RefusedAsync(stripe.V1.Invoices.SendInvoiceAsync((await OpenAsync(stripe, customer.Id, 100)).Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, chargeOnly.HttpStatusCode);

        // Sending a draft finalizes it first.
        var sent = await stripe.V1.Invoices.SendInvoiceAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal(("open", 12_000L), (sent.Status, sent.AmountDue));
        var noCard = await RefusedAsync(stripe.V1.Invoices.PayAsync(draft.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, noCard.HttpStatusCode);

        // The customer pays on the hosted invoice page, which is the invoice's PaymentIntent's.
        var intentId = sent.HostedInvoiceUrl[(sent.HostedInvoiceUrl.LastIndexOf('/') + 1)..];
        using (var page = await sandbox.Control.GetAsync(new Uri(sent.HostedInvoiceUrl), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        await sandbox.ActAsync(intentId, "pay");
        var paid = await stripe.V1.Invoices.GetAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 12_000L), (paid.Status, paid.AmountPaid));
        Assert.Equal(("succeeded", 12_000L), ((await stripe.V1.PaymentIntents.GetAsync(intentId, cancellationToken: Ct)).Status, (await stripe.V1.PaymentIntents.GetAsync(intentId, cancellationToken: Ct)).AmountReceived));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 1);
        Assert.Equal(1, Count(events, "invoice.sent"));
        Assert.True(events.FindIndex(e => e.Type == "invoice.sent") < events.FindIndex(e => e.Type == "invoice.paid"));
    }

    [Fact]
    public async Task An_uncollectible_invoice_can_still_be_paid_and_a_void_one_cannot()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);

        var bad = await OpenAsync(stripe, customer.Id, 4000);
        var uncollectible = await stripe.V1.Invoices.MarkUncollectibleAsync(bad.Id, cancellationToken: Ct);
        Assert.Equal(("uncollectible", false), (uncollectible.Status, uncollectible.AutoAdvance));
        Assert.NotNull(uncollectible.StatusTransitions.MarkedUncollectibleAt);
        var twice = await RefusedAsync(stripe.V1.Invoices.MarkUncollectibleAsync(bad.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, twice.HttpStatusCode);
        var paid = await stripe.V1.Invoices.PayAsync(bad.Id, new InvoicePayOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct);
        Assert.Equal(("paid", 4000L), (paid.Status, paid.AmountPaid));

        var canceled = await OpenAsync(stripe, customer.Id, 2500);
        var voided = await stripe.V1.Invoices.VoidInvoiceAsync(canceled.Id, cancellationToken: Ct);
        Assert.Equal("void", voided.Status);
        Assert.NotNull(voided.StatusTransitions.VoidedAt);
        var intentId = canceled.HostedInvoiceUrl[(canceled.HostedInvoiceUrl.LastIndexOf('/') + 1)..];
        Assert.Equal(("canceled", "void_invoice"), ((await stripe.V1.PaymentIntents.GetAsync(intentId, cancellationToken: Ct)).Status, (await stripe.V1.PaymentIntents.GetAsync(intentId, cancellationToken: Ct)).CancellationReason));
        var payVoid = await RefusedAsync(stripe.V1.Invoices.PayAsync(canceled.Id, new InvoicePayOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "You cannot pay a void invoice."), (payVoid.HttpStatusCode, payVoid.StripeError.Message));
        var voidPaid = await RefusedAsync(stripe.V1.Invoices.VoidInvoiceAsync(bad.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, voidPaid.HttpStatusCode);

        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id }, cancellationToken: Ct);
        var voidDraft = await RefusedAsync(stripe.V1.Invoices.VoidInvoiceAsync(draft.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, voidDraft.HttpStatusCode);

        var events = await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.*" }, cancellationToken: Ct);
        Assert.Contains(events.Data, e => e.Type == "invoice.marked_uncollectible");
        Assert.Contains(events.Data, e => e.Type == "invoice.voided");
    }

    [Fact]
    public async Task A_past_due_renewal_marked_uncollectible_is_retried_no_more()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, "pm_card_visa");
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);
        (await sandbox.Control.PostAsJsonAsync($"/control/stripe/subscriptions/{subscription.Id}/payment-failure", new { fail = true }, Ct)).EnsureSuccessStatusCode();
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = (await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;
        Assert.Equal(("open", 1L), (renewal.Status, renewal.AttemptCount));
        Assert.NotNull(renewal.NextPaymentAttempt);

        var uncollectible = await stripe.V1.Invoices.MarkUncollectibleAsync(renewal.Id, cancellationToken: Ct);
        Assert.Null(uncollectible.NextPaymentAttempt);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(4));
        Assert.Equal(("uncollectible", 1L), ((await stripe.V1.Invoices.GetAsync(renewal.Id, cancellationToken: Ct)).Status, (await stripe.V1.Invoices.GetAsync(renewal.Id, cancellationToken: Ct)).AttemptCount));
    }

    [Fact]
    public async Task Only_drafts_are_deleted_and_a_finalized_invoice_changes_only_its_metadata_and_description()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);

        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id }, cancellationToken: Ct);
        var item = await ItemAsync(stripe, customer.Id, draft.Id, 900);
        var changed = await stripe.V1.Invoices.UpdateAsync(draft.Id, new InvoiceUpdateOptions { CollectionMethod = "send_invoice", DaysUntilDue = 14, Description = "Net 14" }, cancellationToken: Ct);
        Assert.Equal(("send_invoice", "Net 14", draft.Created.AddDays(14)), (changed.CollectionMethod, changed.Description, changed.DueDate));
        var deleted = await stripe.V1.Invoices.DeleteAsync(draft.Id, cancellationToken: Ct);
        Assert.True(deleted.Deleted);
        var gone = await RefusedAsync(stripe.V1.Invoices.GetAsync(draft.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (gone.HttpStatusCode, gone.StripeError.Code));
        var itemGone = await RefusedAsync(stripe.V1.InvoiceItems.GetAsync(item.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, itemGone.HttpStatusCode);

        var open = await OpenAsync(stripe, customer.Id, 900);
        var refused = await RefusedAsync(stripe.V1.Invoices.DeleteAsync(open.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", "invoice_not_editable"), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Code));
        var renamed = await stripe.V1.Invoices.UpdateAsync(open.Id, new InvoiceUpdateOptions { Description = "Renamed", Metadata = new() { ["k"] = "v" } }, cancellationToken: Ct);
        Assert.Equal(("Renamed", "v", "open"), (renamed.Description, renamed.Metadata["k"], renamed.Status));
        var locked = await RefusedAsync(stripe.V1.Invoices.UpdateAsync(open.Id, new InvoiceUpdateOptions { CollectionMethod = "send_invoice", DaysUntilDue = 3 }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "invoice_not_editable"), (locked.HttpStatusCode, locked.StripeError.Code));
        var lockedItem = await RefusedAsync(stripe.V1.InvoiceItems.UpdateAsync(open.Lines.Data.Single().Parent.InvoiceItemDetails.InvoiceItem, new InvoiceItemUpdateOptions { Amount = 1 }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, lockedItem.HttpStatusCode);
    }

    [Fact]
    public async Task Pending_items_join_only_with_include_a_coupon_discounts_and_nothing_due_is_paid_on_finalize()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var pending = await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 3000, Currency = "usd" }, cancellationToken: Ct);

        var excluded = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id }, cancellationToken: Ct);
        Assert.Empty(excluded.Lines.Data);
        Assert.Null((await stripe.V1.InvoiceItems.GetAsync(pending.Id, cancellationToken: Ct)).InvoiceId);

        // Nothing to pay: paid as it is finalized, without a charge.
        var empty = await stripe.V1.Invoices.FinalizeInvoiceAsync(excluded.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 0L), (empty.Status, empty.AmountDue));
        Assert.Empty((await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);

        var coupon = await stripe.V1.Coupons.CreateAsync(new CouponCreateOptions { PercentOff = 10, Duration = "once" }, cancellationToken: Ct);
        var included = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id, PendingInvoiceItemsBehavior = "include", Discounts = [new InvoiceDiscountOptions { Coupon = coupon.Id }],
        }, cancellationToken: Ct);
        Assert.Equal(pending.Id, included.Lines.Data.Single().Parent.InvoiceItemDetails.InvoiceItem);
        Assert.Equal((3000L, 2700L, 300L), (included.Subtotal, included.AmountDue, included.TotalDiscountAmounts.Single().Amount));
        Assert.Equal(included.Id, (await stripe.V1.InvoiceItems.GetAsync(pending.Id, cancellationToken: Ct)).InvoiceId);
        Assert.Equal(1L, (await stripe.V1.Coupons.GetAsync(coupon.Id, cancellationToken: Ct)).TimesRedeemed);

        var bad = await RefusedAsync(stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, PendingInvoiceItemsBehavior = "sometimes" }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "pending_invoice_items_behavior"), (bad.HttpStatusCode, bad.StripeError.Param));
        var nobody = await RefusedAsync(stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = "cus_missing" }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "customer"), (nobody.HttpStatusCode, nobody.StripeError.Param));
    }

    [Fact]
    public async Task A_declining_default_card_is_the_cards_402_and_the_invoice_stays_open()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, "pm_card_chargeCustomerFail");
        var invoice = await OpenAsync(stripe, customer.Id, 1500);

        var declined = await RefusedAsync(stripe.V1.Invoices.PayAsync(invoice.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_error", "card_declined"), (declined.HttpStatusCode, declined.StripeError.Type, declined.StripeError.Code));
        var stillOpen = await stripe.V1.Invoices.GetAsync(invoice.Id, cancellationToken: Ct);
        Assert.Equal(("open", 1L, 1500L), (stillOpen.Status, stillOpen.AttemptCount, stillOpen.AmountRemaining));

        var paid = await stripe.V1.Invoices.PayAsync(invoice.Id, new InvoicePayOptions { PaymentMethod = "pm_card_mastercard" }, cancellationToken: Ct);
        Assert.Equal(("paid", 2L), (paid.Status, paid.AttemptCount));
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 1);
        Assert.Equal(1, Count(events, "invoice.payment_failed"));
    }

    [Fact]
    public async Task An_auto_advance_draft_is_finalized_an_hour_after_creation_on_its_test_clock_and_charged()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct);
        var customer = await CustomerAsync(stripe, "pm_card_visa", clock.Id);
        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, AutoAdvance = true }, cancellationToken: Ct);
        Assert.Equal(Frozen.AddHours(1), draft.AutomaticallyFinalizesAt);
        await ItemAsync(stripe, customer.Id, draft.Id, 8000);
        var manual = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id }, cancellationToken: Ct);
        await ItemAsync(stripe, customer.Id, manual.Id, 100);

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMinutes(30));
        Assert.Equal("draft", (await stripe.V1.Invoices.GetAsync(draft.Id, cancellationToken: Ct)).Status);
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddHours(2));
        var paid = await stripe.V1.Invoices.GetAsync(draft.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 8000L, Frozen.AddHours(1)), (paid.Status, paid.AmountPaid, paid.StatusTransitions.FinalizedAt));
        // Without auto_advance a draft waits for its finalize.
        Assert.Equal("draft", (await stripe.V1.Invoices.GetAsync(manual.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Invoices_are_listed_newest_first_by_customer_status_collection_method_and_subscription()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var first = await CustomerAsync(stripe, "pm_card_visa");
        var second = await CustomerAsync(stripe);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = first.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);
        var draft = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = first.Id }, cancellationToken: Ct);
        var open = await OpenAsync(stripe, first.Id, 500);
        var sendable = await OpenAsync(stripe, second.Id, 700, new InvoiceCreateOptions { CollectionMethod = "send_invoice", DaysUntilDue = 7 });

        var mine = await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = first.Id }, cancellationToken: Ct);
        Assert.Equal([open.Id, draft.Id, subscription.LatestInvoiceId], mine.Data.Select(i => i.Id));
        Assert.Equal([draft.Id], (await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Status = "draft" }, cancellationToken: Ct)).Data.Select(i => i.Id));
        Assert.Equal([sendable.Id, open.Id], (await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Status = "open" }, cancellationToken: Ct)).Data.Select(i => i.Id));
        Assert.Equal([sendable.Id], (await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { CollectionMethod = "send_invoice" }, cancellationToken: Ct)).Data.Select(i => i.Id));
        Assert.Equal([subscription.LatestInvoiceId], (await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = subscription.Id }, cancellationToken: Ct)).Data.Select(i => i.Id));
        var page = await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = first.Id, Limit = 1, StartingAfter = open.Id }, cancellationToken: Ct);
        Assert.Equal([draft.Id], page.Data.Select(i => i.Id));
        Assert.True(page.HasMore);
        var badStatus = await RefusedAsync(stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Status = "lost" }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "status"), (badStatus.HttpStatusCode, badStatus.StripeError.Param));
    }

    [Fact]
    public async Task Drafts_and_open_invoices_survive_a_restart_and_a_due_auto_advance_draft_is_finalized_after_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-invoices-" + Guid.NewGuid().ToString("N"));
        var start = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        string open, scheduled, number;
        await using (var first = await TestSandbox.StartAsync(now: start, configure: o => o.DataDirectory = data))
        {
            var stripe = Client(first);
            var customer = await CustomerAsync(stripe, "pm_card_visa");
            var invoice = await OpenAsync(stripe, customer.Id, 2200);
            (open, number) = (invoice.Id, invoice.Number);
            scheduled = (await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, AutoAdvance = true, CollectionMethod = "send_invoice", DaysUntilDue = 10 }, cancellationToken: Ct)).Id;
            await ItemAsync(stripe, customer.Id, scheduled, 400);
        }

        await using (var second = await TestSandbox.StartAsync(now: start.AddHours(2), configure: o => o.DataDirectory = data))
        {
            await second.RunDueAsync();
            var stripe = Client(second);
            var reopened = await stripe.V1.Invoices.GetAsync(open, cancellationToken: Ct);
            Assert.Equal(("open", number, 2200L), (reopened.Status, reopened.Number, reopened.AmountDue));
            Assert.Equal("paid", (await stripe.V1.Invoices.PayAsync(open, cancellationToken: Ct)).Status);
            var finalized = await stripe.V1.Invoices.GetAsync(scheduled, cancellationToken: Ct);
            Assert.Equal(("open", 400L), (finalized.Status, finalized.AmountDue));
            var sent = await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.sent" }, cancellationToken: Ct);
            Assert.Equal(scheduled, ((Invoice)sent.Data.Single().Data.Object).Id);
        }

        Directory.Delete(data, recursive: true);
    }
}
