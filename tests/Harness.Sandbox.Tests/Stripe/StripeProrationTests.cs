using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Plan changes through Stripe.net 53.1.0: <c>POST /v1/subscriptions/{id}</c> with <c>items[0]</c> changing the price or
/// quantity, the proration invoice items (pending, or invoiced at once), a new billing cycle for a new interval, the
/// customer's credit balance after a downgrade, and what the renewals charge afterwards. Amounts are exact: the part of
/// the current calendar period left (the tests' first, Nov 23 to Dec 23, has 30 days; February 28), prorated to the
/// second and rounded half away from zero.
/// </summary>
public sealed class StripeProrationTests
{
    private const long Day = 86_400;

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<Subscription> SubscribeAsync(StripeClient stripe, string price = StripeCatalog.MonthlyPrice, long quantity = 1)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "plans@example.com" }, cancellationToken: Ct);
        return await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = price, Quantity = quantity }],
        }, cancellationToken: Ct);
    }

    private static Task<Subscription> ChangeAsync(StripeClient stripe, Subscription subscription, string? price = null, long? quantity = null, string? behavior = null, DateTime? prorationDate = null) =>
        stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Price = price, Quantity = quantity }],
            ProrationBehavior = behavior,
            ProrationDate = prorationDate,
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);

    private static async Task<List<InvoiceItem>> PendingAsync(StripeClient stripe, string customer) =>
        (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, Pending = true }, cancellationToken: Ct)).Data;

    private static Task<Invoice> LatestInvoiceAsync(StripeClient stripe, string subscription) =>
        stripe.V1.Subscriptions.GetAsync(subscription, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct).ContinueWith(t => t.Result.LatestInvoice, Ct);

    private static List<JsonNode> Raw(Receiver receiver) => [.. receiver.All.Select(r => JsonNode.Parse(r.Body)!)];

    [Fact]
    public async Task An_upgrade_halfway_creates_pending_prorations_that_the_renewal_invoices_beside_the_new_price()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        var changed = await ChangeAsync(stripe, subscription, price: StripeCatalog.TeamMonthlyPrice);
        Assert.Equal((StripeCatalog.TeamMonthlyPrice, 1L, "active"), (changed.Items.Data[0].Price.Id, changed.Items.Data[0].Quantity, changed.Status));
        Assert.Equal(subscription.LatestInvoiceId, changed.LatestInvoiceId);
        Assert.Equal(subscription.Items.Data[0].CurrentPeriodEnd, changed.Items.Data[0].CurrentPeriodEnd);

        // 15 of 30 days left: half of 999 (499.5) and of 2999 (1499.5), each rounded away from zero.
        var pending = (await PendingAsync(stripe, subscription.CustomerId)).OrderBy(i => i.Amount).ToList();
        Assert.Equal([-500L, 1500L], pending.Select(i => i.Amount));
        Assert.Equal(["Unused time on Sandbox Pro after 08 Dec 2026", "Remaining time on Sandbox Team after 08 Dec 2026"], pending.Select(i => i.Description));
        Assert.All(pending, i => Assert.True(i.Proration));
        Assert.All(pending, i => Assert.Equal((subscription.Items.Data[0].CurrentPeriodEnd, subscription.Items.Data[0].CurrentPeriodStart.AddDays(15)), (i.Period.End, i.Period.Start)));
        Assert.Equal([StripeCatalog.MonthlyPrice, StripeCatalog.TeamMonthlyPrice], pending.Select(i => i.Pricing.PriceDetails.PriceId));
        Assert.All(pending, i => Assert.Equal((subscription.Id, subscription.Items.Data[0].Id), (i.Parent.SubscriptionDetails.Subscription, i.Parent.SubscriptionDetails.SubscriptionItem)));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 1 && Count(e, "invoiceitem.created") == 2);
        var updated = Raw(receiver).Single(e => e["type"]!.GetValue<string>() == "customer.subscription.updated");
        Assert.Equal(StripeCatalog.MonthlyPrice, updated["data"]!["previous_attributes"]!["items"]!["data"]![0]!["price"]!["id"]!.GetValue<string>());
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, updated["data"]!["object"]!["items"]!["data"]![0]!["price"]!["id"]!.GetValue<string>());

        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("subscription_cycle", "paid", 3999L, 3999L), (renewal.BillingReason, renewal.Status, renewal.Total, renewal.AmountPaid));
        Assert.Equal([2999L, -500L, 1500L], renewal.Lines.Data.Select(l => l.Amount));
        Assert.Equal(["invoice_item_details", "invoice_item_details"], renewal.Lines.Data.Skip(1).Select(l => l.Parent.Type));
        Assert.All(renewal.Lines.Data.Skip(1), l => Assert.True(l.Parent.InvoiceItemDetails.Proration));
        Assert.Empty(await PendingAsync(stripe, subscription.CustomerId));
        Assert.All(await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = subscription.CustomerId }, cancellationToken: Ct), i => Assert.Equal(renewal.Id, i.InvoiceId));

        // The renewal after that bills the new price alone.
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var next = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal((2999L, 1), (next.AmountPaid, next.Lines.Data.Count));
    }

    [Fact]
    public async Task A_change_halfway_through_february_prorates_over_februarys_28_days()
    {
        var february = new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero);
        await using var sandbox = await TestSandbox.StartAsync(now: february);
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe);
        Assert.Equal((february.UtcDateTime, february.AddMonths(1).UtcDateTime), (subscription.Items.Data[0].CurrentPeriodStart, subscription.Items.Data[0].CurrentPeriodEnd));
        await sandbox.AdvanceAsync(TimeSpan.FromDays(14));

        // 14 of February's 28 days left: half, -499.5 and 1499.5 rounded away from zero (a 30-day month would leave 16/30).
        await ChangeAsync(stripe, subscription, price: StripeCatalog.TeamMonthlyPrice);
        var pending = (await PendingAsync(stripe, subscription.CustomerId)).OrderBy(i => i.Amount).ToList();
        Assert.Equal([-500L, 1500L], pending.Select(i => i.Amount));
        Assert.All(pending, i => Assert.Equal((february.AddDays(14).UtcDateTime, february.AddMonths(1).UtcDateTime), (i.Period.Start, i.Period.End)));

        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewed = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal((february.AddMonths(1).UtcDateTime, february.AddMonths(2).UtcDateTime), (renewed.Items.Data[0].CurrentPeriodStart, renewed.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal(3999L, renewed.LatestInvoice.AmountPaid);
        Assert.Equal([2999L, -500L, 1500L], renewed.LatestInvoice.Lines.Data.Select(l => l.Amount));
    }

    [Fact]
    public async Task Always_invoice_charges_a_quantity_change_at_once_from_the_proration_date()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(12));

        // Prorated as of day 10: 20 of 30 days left, -666 for one seat and 1998 for three.
        var changed = await ChangeAsync(stripe, subscription, quantity: 3, behavior: "always_invoice", prorationDate: subscription.Items.Data[0].CurrentPeriodStart.AddDays(10));
        var invoice = changed.LatestInvoice;
        Assert.NotEqual(subscription.LatestInvoiceId, invoice.Id);
        Assert.Equal(("subscription_update", "paid", 1332L, 1332L), (invoice.BillingReason, invoice.Status, invoice.Total, invoice.AmountPaid));
        Assert.Equal([-666L, 1998L], invoice.Lines.Data.Select(l => l.Amount));
        Assert.Equal("Remaining time on 3 × Sandbox Pro after 03 Dec 2026", invoice.Lines.Data[1].Description);
        Assert.Empty(await PendingAsync(stripe, subscription.CustomerId));
        var charges = await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = subscription.CustomerId }, cancellationToken: Ct);
        Assert.Equal([1332L, 999L], charges.Data.Select(c => c.Amount));

        string[] expected = ["customer.subscription.updated", "invoiceitem.created", "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded"];
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 2);
        var afterCreate = events.SkipWhile(e => e.Type != "customer.subscription.updated").Select(e => e.Type).Distinct();
        Assert.Equal(expected, afterCreate);
        Assert.Equal(2, Count(events, "invoiceitem.created"));

        await sandbox.AdvanceAsync(TimeSpan.FromDays(18));
        Assert.Equal(2997L, (await LatestInvoiceAsync(stripe, subscription.Id)).AmountPaid);
    }

    [Fact]
    public async Task A_downgrade_invoiced_at_once_leaves_a_credit_balance_that_the_next_renewals_use_up()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe, StripeCatalog.TeamMonthlyPrice);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        var changed = await ChangeAsync(stripe, subscription, price: StripeCatalog.MonthlyPrice, behavior: "always_invoice");
        var invoice = changed.LatestInvoice;
        Assert.Equal([-1500L, 500L], invoice.Lines.Data.Select(l => l.Amount));
        Assert.Equal(("paid", -1000L, 0L, 0L, -1000L), (invoice.Status, invoice.Total, invoice.AmountDue, invoice.StartingBalance, invoice.EndingBalance));
        Assert.Equal(-1000L, (await stripe.V1.Customers.GetAsync(subscription.CustomerId, cancellationToken: Ct)).Balance);
        var transaction = Assert.Single(await stripe.V1.Customers.BalanceTransactions.ListAsync(subscription.CustomerId, cancellationToken: Ct));
        Assert.Equal((-1000L, -1000L, "applied_to_invoice", invoice.Id), (transaction.Amount, transaction.EndingBalance, transaction.Type, transaction.InvoiceId));
        // Nothing was charged for it: only the first invoice's charge exists.
        Assert.Single(await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = subscription.CustomerId }, cancellationToken: Ct));

        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var first = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("paid", 999L, -1000L, 0L, -1L), (first.Status, first.Total, first.StartingBalance, first.AmountDue, first.EndingBalance));
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var second = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal((999L, -1L, 998L, 998L, 0L), (second.Total, second.StartingBalance, second.AmountDue, second.AmountPaid, second.EndingBalance));
        Assert.Equal(0L, (await stripe.V1.Customers.GetAsync(subscription.CustomerId, cancellationToken: Ct)).Balance);
    }

    [Fact]
    public async Task A_change_to_a_yearly_price_starts_a_new_billing_cycle_with_an_invoice_now()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(10));
        var now = sandbox.Server.Context.Clock.GetUtcNow().UtcDateTime;

        var changed = await ChangeAsync(stripe, subscription, price: StripeCatalog.YearlyPrice);
        Assert.Equal((now, now, now.AddYears(1)), (changed.BillingCycleAnchor, changed.Items.Data[0].CurrentPeriodStart, changed.Items.Data[0].CurrentPeriodEnd));
        var invoice = changed.LatestInvoice;
        // The full year, less the unused 20 days of the month (666): no "remaining time" item on a new cycle.
        Assert.Equal(("subscription_update", "paid", 9324L), (invoice.BillingReason, invoice.Status, invoice.AmountPaid));
        Assert.Equal([9990L, -666L], invoice.Lines.Data.Select(l => l.Amount));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 1 && Count(e, "invoice.payment_succeeded") == 2);
        var previous = Raw(receiver).Single(e => e["type"]!.GetValue<string>() == "customer.subscription.updated")["data"]!["previous_attributes"]!;
        Assert.Equal(subscription.LatestInvoiceId, previous["latest_invoice"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(subscription.BillingCycleAnchor).ToUnixTimeSeconds(), previous["billing_cycle_anchor"]!.GetValue<long>());

        // proration_behavior=none still resets the cycle and bills the new period, with no credit.
        var other = await SubscribeAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(5));
        var plain = await ChangeAsync(stripe, other, price: StripeCatalog.YearlyPrice, behavior: "none");
        Assert.Equal([9990L], plain.LatestInvoice.Lines.Data.Select(l => l.Amount));

        // billing_cycle_anchor=now does the same without a price change: the month anew, less its unused part (Dec 8 to
        // Jan 8 is 31 days, 11 of them left on Dec 28: 354.48 of 999, so 354), and the new period a calendar month to Jan 28.
        var monthly = await SubscribeAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(20));
        var reset = await stripe.V1.Subscriptions.UpdateAsync(monthly.Id, new SubscriptionUpdateOptions { BillingCycleAnchor = new SubscriptionBillingCycleAnchorOptions { Type = "now" }, Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal([999L, -354L], reset.LatestInvoice.Lines.Data.Select(l => l.Amount));
        Assert.Equal(new DateTime(2027, 1, 28, 12, 0, 0, DateTimeKind.Utc), reset.Items.Data[0].CurrentPeriodEnd);
    }

    [Fact]
    public async Task No_prorations_with_none_or_in_a_trial_and_the_renewal_charges_the_new_price()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        await ChangeAsync(stripe, subscription, price: StripeCatalog.TeamMonthlyPrice, quantity: 2, behavior: "none");
        Assert.Empty(await PendingAsync(stripe, subscription.CustomerId));
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal((5998L, 1), (renewal.AmountPaid, renewal.Lines.Data.Count));

        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var trialing = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            TrialPeriodDays = 14,
        }, cancellationToken: Ct);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(3));
        // A yearly price in a trial: the trial keeps its end, and the first charge is the new price for a year.
        var changed = await ChangeAsync(stripe, trialing, price: StripeCatalog.YearlyPrice);
        Assert.Equal(("trialing", trialing.TrialEnd, trialing.LatestInvoiceId), (changed.Status, changed.TrialEnd, changed.LatestInvoiceId));
        Assert.Empty(await PendingAsync(stripe, customer.Id));
        await sandbox.AdvanceAsync(TimeSpan.FromDays(11));
        var first = await stripe.V1.Subscriptions.GetAsync(trialing.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(("active", 9990L, trialing.TrialEnd!.Value.AddYears(1)), (first.Status, first.LatestInvoice.AmountPaid, first.Items.Data[0].CurrentPeriodEnd));
    }

    [Fact]
    public async Task Changes_the_sandbox_does_not_take_are_refused_with_stripes_400_naming_the_parameter()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe);
        var itemId = subscription.Items.Data[0].Id;

        async Task RefusedAsync(SubscriptionUpdateOptions options, string param, string code = "parameter_invalid")
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.UpdateAsync(subscription.Id, options, cancellationToken: Ct));
            var status = code == "resource_missing" ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest;
            Assert.Equal((status, "invalid_request_error", param, code), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param, refused.StripeError.Code));
        }

        await RefusedAsync(new SubscriptionUpdateOptions { Items = [new SubscriptionItemOptions { Id = itemId, Price = StripeCatalog.EuroMonthlyPrice }] }, "items[0][price]");
        await RefusedAsync(new SubscriptionUpdateOptions { Items = [new SubscriptionItemOptions { Id = itemId, Price = StripeCatalog.CreditsPrice }] }, "items[0][price]");
        await RefusedAsync(new SubscriptionUpdateOptions { Items = [new SubscriptionItemOptions { Id = itemId, Price = "price_missing" }] }, "items[0][price]", "resource_missing");
        await RefusedAsync(new SubscriptionUpdateOptions { Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, "items[0][price]");
        await RefusedAsync(new SubscriptionUpdateOptions { Items = [new SubscriptionItemOptions { Id = itemId, Deleted = true }] }, "items[0][deleted]");
        await RefusedAsync(new SubscriptionUpdateOptions { Items = [new SubscriptionItemOptions { Id = itemId, Quantity = 0 }] }, "items[0][quantity]");
        await RefusedAsync(new SubscriptionUpdateOptions { Items = [new SubscriptionItemOptions { Id = itemId, Quantity = 2 }], ProrationBehavior = "sometimes" }, "proration_behavior");
        await RefusedAsync(new SubscriptionUpdateOptions { Items = [new SubscriptionItemOptions { Id = itemId, Quantity = 2 }], ProrationDate = subscription.Items.Data[0].CurrentPeriodStart.AddDays(-1) }, "proration_date");
        await RefusedAsync(new SubscriptionUpdateOptions { Items = [new SubscriptionItemOptions { Id = itemId, Quantity = 2 }], ProrationDate = subscription.Items.Data[0].CurrentPeriodEnd.AddDays(1) }, "proration_date");
        var unchanged = (await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).Items.Data[0];
        Assert.Equal((StripeCatalog.MonthlyPrice, 1L), (unchanged.Price.Id, unchanged.Quantity));

        await stripe.V1.Subscriptions.CancelAsync(subscription.Id, cancellationToken: Ct);
        await RefusedAsync(new SubscriptionUpdateOptions { Items = [new SubscriptionItemOptions { Id = itemId, Quantity = 2 }] }, "items");

        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }], TrialPeriodDays = 7,
        }, cancellationToken: Ct);
        await RefusedAsync(new SubscriptionUpdateOptions { BillingCycleAnchor = new SubscriptionBillingCycleAnchorOptions { Type = "now" } }, "billing_cycle_anchor[type]");
    }

    [Fact]
    public async Task Create_preview_shows_the_invoice_a_change_would_make_and_stores_nothing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var itemId = subscription.Items.Data[0].Id;
        var at = sandbox.Server.Context.Clock.GetUtcNow().UtcDateTime;

        Task<Invoice> PreviewAsync(string? behavior = null, string price = StripeCatalog.TeamMonthlyPrice) =>
            stripe.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions
            {
                Customer = subscription.CustomerId,
                Subscription = subscription.Id,
                SubscriptionDetails = new InvoiceSubscriptionDetailsOptions
                {
                    Items = [new InvoiceSubscriptionDetailsItemOptions { Id = itemId, Price = price }],
                    ProrationBehavior = behavior,
                    ProrationDate = at,
                },
            }, cancellationToken: Ct);

        var upcoming = await PreviewAsync();
        Assert.StartsWith("upcoming_in_", upcoming.Id, StringComparison.Ordinal);
        Assert.Equal(("draft", "subscription_cycle", 3999L, 3999L), (upcoming.Status, upcoming.BillingReason, upcoming.Total, upcoming.AmountDue));
        Assert.Equal([2999L, -500L, 1500L], upcoming.Lines.Data.Select(l => l.Amount));
        var now = await PreviewAsync("always_invoice");
        Assert.Equal(("subscription_update", 1000L), (now.BillingReason, now.Total));
        Assert.Equal([-500L, 1500L], now.Lines.Data.Select(l => l.Amount));
        var unchanged = await stripe.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions { Subscription = subscription.Id }, cancellationToken: Ct);
        Assert.Equal([999L], unchanged.Lines.Data.Select(l => l.Amount));
        var refused = await Assert.ThrowsAsync<StripeException>(() => PreviewAsync(price: StripeCatalog.EuroMonthlyPrice));
        Assert.Equal((HttpStatusCode.BadRequest, "subscription_details[items][0][price]"), (refused.HttpStatusCode, refused.StripeError.Param));

        // Nothing was stored: no pending items, the price unchanged; the update then makes what was previewed.
        Assert.Empty(await PendingAsync(stripe, subscription.CustomerId));
        Assert.Equal(StripeCatalog.MonthlyPrice, (await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).Items.Data[0].Price.Id);
        await ChangeAsync(stripe, subscription, price: StripeCatalog.TeamMonthlyPrice, prorationDate: at);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        Assert.Equal(upcoming.Lines.Data.Select(l => l.Amount), (await LatestInvoiceAsync(stripe, subscription.Id)).Lines.Data.Select(l => l.Amount));
    }
}
