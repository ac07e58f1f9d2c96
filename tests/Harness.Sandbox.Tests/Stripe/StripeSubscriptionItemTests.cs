using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeInvoicePayTests;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Several items on one subscription through Stripe.net 53.1.0: the Subscription Items API (<c>SubscriptionItemService</c>)
/// and <c>items[n]</c> of <c>POST /v1/subscriptions/{id}</c> adding, changing and removing items mid-period, each prorated
/// for the rest of the period (the tests' first period, Nov 23 to Dec 23, has 30 days), the renewals billing every item,
/// and Stripe's refusals.
/// </summary>
public sealed class StripeSubscriptionItemTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<Subscription> SubscribeAsync(StripeClient stripe, params string[] prices)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "items@example.com" }, cancellationToken: Ct);
        return await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [.. prices.Select(p => new SubscriptionItemOptions { Price = p })],
        }, cancellationToken: Ct);
    }

    private static async Task<List<InvoiceItem>> PendingAsync(StripeClient stripe, string customer) =>
        [.. (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, Pending = true }, cancellationToken: Ct)).Data.OrderBy(i => i.Amount)];

    private static async Task<Invoice> LatestInvoiceAsync(StripeClient stripe, string subscription) =>
        (await stripe.V1.Subscriptions.GetAsync(subscription, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;

    private static List<JsonNode> Updates(Receiver receiver) =>
        [.. receiver.All.Select(r => JsonNode.Parse(r.Body)!).Where(e => e["type"]!.GetValue<string>() == "customer.subscription.updated")];

    private static string[] PriceIds(JsonNode? items) => [.. items!["data"]!.AsArray().Select(i => i!["price"]!["id"]!.GetValue<string>())];

    [Fact]
    public async Task An_item_added_halfway_is_prorated_then_every_renewal_bills_both_items()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe, StripeCatalog.MonthlyPrice);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        var added = await stripe.V1.SubscriptionItems.CreateAsync(new SubscriptionItemCreateOptions
        {
            Subscription = subscription.Id, Price = StripeCatalog.TeamMonthlyPrice, Quantity = 2, Metadata = new() { ["seat"] = "team" },
        }, cancellationToken: Ct);
        Assert.StartsWith("si_", added.Id, StringComparison.Ordinal);
        Assert.Equal(("subscription_item", subscription.Id, StripeCatalog.TeamMonthlyPrice, 2L, "team"), (added.Object, added.Subscription, added.Price.Id, added.Quantity, added.Metadata["seat"]));
        Assert.Equal((subscription.Items.Data[0].CurrentPeriodStart, subscription.Items.Data[0].CurrentPeriodEnd), (added.CurrentPeriodStart, added.CurrentPeriodEnd));
        Assert.Empty(added.Discounts);

        // 15 of 30 days left of 2 × 2999: 2999 exactly; no credit, the first item is untouched.
        var proration = Assert.Single(await PendingAsync(stripe, subscription.CustomerId));
        Assert.Equal((2999L, "Remaining time on 2 × Sandbox Team after 08 Dec 2026", added.Id), (proration.Amount, proration.Description, proration.Parent.SubscriptionDetails.SubscriptionItem));

        var items = await stripe.V1.SubscriptionItems.ListAsync(new SubscriptionItemListOptions { Subscription = subscription.Id }, cancellationToken: Ct);
        Assert.Equal([added.Id, subscription.Items.Data[0].Id], items.Data.Select(i => i.Id));
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, (await stripe.V1.SubscriptionItems.GetAsync(added.Id, cancellationToken: Ct)).Price.Id);
        var page = await stripe.V1.SubscriptionItems.ListAsync(new SubscriptionItemListOptions { Subscription = subscription.Id, Limit = 1, StartingAfter = added.Id }, cancellationToken: Ct);
        Assert.Equal((subscription.Items.Data[0].Id, false), (Assert.Single(page.Data).Id, page.HasMore));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 1 && Count(e, "invoiceitem.created") == 1);
        var updated = Assert.Single(Updates(receiver));
        Assert.Equal([StripeCatalog.MonthlyPrice], PriceIds(updated["data"]!["previous_attributes"]!["items"]));
        Assert.Equal([StripeCatalog.MonthlyPrice, StripeCatalog.TeamMonthlyPrice], PriceIds(updated["data"]!["object"]!["items"]));

        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("subscription_cycle", "paid", 9996L), (renewal.BillingReason, renewal.Status, renewal.AmountPaid));
        Assert.Equal([999L, 5998L, 2999L], renewal.Lines.Data.Select(l => l.Amount));
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        Assert.Equal(6997L, (await LatestInvoiceAsync(stripe, subscription.Id)).AmountPaid);
    }

    [Fact]
    public async Task A_retried_add_with_the_same_idempotency_key_adds_and_prorates_once()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe, StripeCatalog.MonthlyPrice);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var options = new SubscriptionItemCreateOptions { Subscription = subscription.Id, Price = StripeCatalog.TeamMonthlyPrice };
        var once = new RequestOptions { IdempotencyKey = "add-team-seat" };

        var first = await stripe.V1.SubscriptionItems.CreateAsync(options, once, Ct);
        var retried = await stripe.V1.SubscriptionItems.CreateAsync(options, once, Ct);
        Assert.Equal(first.Id, retried.Id);
        Assert.Equal(2, (await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).Items.Data.Count);
        Assert.Equal([1500L], (await PendingAsync(stripe, subscription.CustomerId)).Select(i => i.Amount));
    }

    [Fact]
    public async Task An_item_changed_with_always_invoice_is_charged_at_once_and_a_deleted_one_credits_its_unused_time()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe, StripeCatalog.MonthlyPrice, StripeCatalog.TeamMonthlyPrice);
        Assert.Equal(3998L, (await LatestInvoiceAsync(stripe, subscription.Id)).AmountPaid);
        var (pro, team) = (subscription.Items.Data[0].Id, subscription.Items.Data[1].Id);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        var changed = await stripe.V1.SubscriptionItems.UpdateAsync(team, new SubscriptionItemUpdateOptions { Quantity = 3, ProrationBehavior = "always_invoice" }, cancellationToken: Ct);
        Assert.Equal((3L, StripeCatalog.TeamMonthlyPrice), (changed.Quantity, changed.Price.Id));
        var invoice = await LatestInvoiceAsync(stripe, subscription.Id);
        // Half the period left: -1500 for one seat, 4499 (4498.5 away from zero) for three.
        Assert.Equal(("subscription_update", "paid", 2999L), (invoice.BillingReason, invoice.Status, invoice.AmountPaid));
        Assert.Equal([-1500L, 4499L], invoice.Lines.Data.Select(l => l.Amount));

        var deleted = await stripe.V1.SubscriptionItems.DeleteAsync(pro, cancellationToken: Ct);
        Assert.True(deleted.Deleted);
        var credit = Assert.Single(await PendingAsync(stripe, subscription.CustomerId));
        Assert.Equal((-500L, "Unused time on Sandbox Pro after 08 Dec 2026", pro), (credit.Amount, credit.Description, credit.Parent.SubscriptionDetails.SubscriptionItem));
        var gone = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SubscriptionItems.GetAsync(pro, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (gone.HttpStatusCode, gone.StripeError.Code));
        var left = await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct);
        Assert.Equal([team], left.Items.Data.Select(i => i.Id));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 2 && Count(e, "invoice.payment_succeeded") == 2);
        var removal = Updates(receiver)[1]["data"]!;
        Assert.Equal([StripeCatalog.MonthlyPrice, StripeCatalog.TeamMonthlyPrice], PriceIds(removal["previous_attributes"]!["items"]));
        Assert.Equal([StripeCatalog.TeamMonthlyPrice], PriceIds(removal["object"]!["items"]));

        // The renewal bills three Team seats and takes the Pro credit.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal([8997L, -500L], renewal.Lines.Data.Select(l => l.Amount));
        Assert.Equal(8497L, renewal.AmountPaid);
    }

    [Fact]
    public async Task One_update_adds_changes_and_removes_items_with_one_proration_each()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var product = await stripe.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Storage" }, cancellationToken: Ct);
        var storage = await stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Product = product.Id, Currency = "usd", UnitAmount = 500, Recurring = new PriceRecurringOptions { Interval = "month" },
        }, cancellationToken: Ct);
        var subscription = await SubscribeAsync(stripe, StripeCatalog.MonthlyPrice, StripeCatalog.TeamMonthlyPrice);
        var (pro, team) = (subscription.Items.Data[0].Id, subscription.Items.Data[1].Id);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        var updated = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items =
            [
                new SubscriptionItemOptions { Id = team, Deleted = true, ClearUsage = true },
                new SubscriptionItemOptions { Id = pro, Quantity = 2 },
                new SubscriptionItemOptions { Price = storage.Id, Metadata = new() { ["tier"] = "1tb" } },
            ],
        }, cancellationToken: Ct);
        Assert.Equal([(StripeCatalog.MonthlyPrice, 2L), (storage.Id, 1L)], updated.Items.Data.Select(i => (i.Price.Id, i.Quantity)));
        Assert.Equal(pro, updated.Items.Data[0].Id);
        Assert.Equal("1tb", updated.Items.Data[1].Metadata["tier"]);
        Assert.Equal(subscription.LatestInvoiceId, updated.LatestInvoiceId);

        var pending = await PendingAsync(stripe, subscription.CustomerId);
        Assert.Equal([-1500L, -500L, 250L, 999L], pending.Select(i => i.Amount));
        Assert.Equal(
            ["Unused time on Sandbox Team after 08 Dec 2026", "Unused time on Sandbox Pro after 08 Dec 2026", "Remaining time on Storage after 08 Dec 2026", "Remaining time on 2 × Sandbox Pro after 08 Dec 2026"],
            pending.Select(i => i.Description));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 1 && Count(e, "invoiceitem.created") == 4);
        var previous = Updates(receiver)[0]["data"]!["previous_attributes"]!;
        Assert.Equal([StripeCatalog.MonthlyPrice, StripeCatalog.TeamMonthlyPrice], PriceIds(previous["items"]));

        // 2 × 999 + 500, less the 751 the changes net.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        Assert.Equal(1747L, (await LatestInvoiceAsync(stripe, subscription.Id)).AmountPaid);
    }

    [Fact]
    public async Task An_item_added_with_pending_if_incomplete_waits_while_its_invoice_declines_and_applies_once_it_is_paid()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "pending-items@example.com" }, cancellationToken: Ct);
        await DefaultCardAsync(stripe, customer.Id, "pm_card_visa");
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        await DefaultCardAsync(stripe, customer.Id, "pm_card_chargeCustomerFail");
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        var added = await stripe.V1.SubscriptionItems.CreateAsync(new SubscriptionItemCreateOptions
        {
            Subscription = subscription.Id, Price = StripeCatalog.TeamMonthlyPrice, ProrationBehavior = "always_invoice", PaymentBehavior = "pending_if_incomplete",
        }, cancellationToken: Ct);
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, added.Price.Id);
        var waiting = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal([StripeCatalog.MonthlyPrice], waiting.Items.Data.Select(i => i.Price.Id));
        Assert.Equal([StripeCatalog.MonthlyPrice, StripeCatalog.TeamMonthlyPrice], waiting.PendingUpdate.SubscriptionItems.Select(i => i.Price.Id));
        Assert.Equal(("open", 1500L), (waiting.LatestInvoice.Status, waiting.LatestInvoice.AmountDue));

        // error_if_incomplete refuses a change whose invoice declines with the card's 402, and the pending update stays.
        var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SubscriptionItems.UpdateAsync(subscription.Items.Data[0].Id,
            new SubscriptionItemUpdateOptions { Quantity = 2, ProrationBehavior = "always_invoice", PaymentBehavior = "error_if_incomplete" }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_declined"), (refused.HttpStatusCode, refused.StripeError.Code));

        await stripe.V1.Invoices.PayAsync(waiting.LatestInvoiceId, new InvoicePayOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct);
        var applied = await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct);
        Assert.Equal([(StripeCatalog.MonthlyPrice, 1L), (StripeCatalog.TeamMonthlyPrice, 1L)], applied.Items.Data.Select(i => (i.Price.Id, i.Quantity)));
        Assert.Equal(added.Id, applied.Items.Data[1].Id);
        Assert.Null(applied.PendingUpdate);
    }

    [Fact]
    public async Task Stripes_item_rules_are_refused_with_a_400_naming_the_parameter()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await SubscribeAsync(stripe, StripeCatalog.MonthlyPrice);
        var other = await SubscribeAsync(stripe, StripeCatalog.TeamMonthlyPrice);
        var itemId = subscription.Items.Data[0].Id;

        async Task RefusedAsync(Func<Task> call, string param, string code = "parameter_invalid", string? message = null)
        {
            var refused = await Assert.ThrowsAsync<StripeException>(call);
            var status = code == "resource_missing" ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest;
            Assert.Equal((status, "invalid_request_error", param, code), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param, refused.StripeError.Code));
            if (message is not null)
            {
                Assert.Equal(message, refused.StripeError.Message);
            }
        }

        Task AddAsync(string price) => stripe.V1.SubscriptionItems.CreateAsync(new SubscriptionItemCreateOptions { Subscription = subscription.Id, Price = price }, cancellationToken: Ct);
        Task UpdateAsync(params SubscriptionItemOptions[] items) => stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions { Items = [.. items] }, cancellationToken: Ct);

        await RefusedAsync(() => AddAsync(StripeCatalog.MonthlyPrice), "price", message: $"Cannot add multiple subscription items with the same plan: {StripeCatalog.MonthlyPrice}");
        await RefusedAsync(() => UpdateAsync(new SubscriptionItemOptions { Price = StripeCatalog.TeamMonthlyPrice }, new SubscriptionItemOptions { Price = StripeCatalog.TeamMonthlyPrice }), "items[1][price]");
        await RefusedAsync(() => AddAsync(StripeCatalog.EuroMonthlyPrice), "price");
        await RefusedAsync(() => AddAsync(StripeCatalog.YearlyPrice), "price",
            message: "All prices on a subscription must have the same `currency`, `recurring[interval]` and `recurring[interval_count]`.");
        await RefusedAsync(() => AddAsync(StripeCatalog.CreditsPrice), "price");
        await RefusedAsync(() => AddAsync("price_missing"), "price", "resource_missing");
        await RefusedAsync(() => stripe.V1.SubscriptionItems.DeleteAsync(itemId, cancellationToken: Ct), "id");
        await RefusedAsync(() => UpdateAsync(new SubscriptionItemOptions { Id = itemId, Deleted = true }), "items[0][deleted]");
        await RefusedAsync(() => UpdateAsync(new SubscriptionItemOptions { Id = other.Items.Data[0].Id, Quantity = 2 }), "items[0][id]");
        await RefusedAsync(() => UpdateAsync(new SubscriptionItemOptions { Id = "si_missing", Quantity = 2 }), "items[0][id]", "resource_missing");
        await RefusedAsync(() => UpdateAsync(new SubscriptionItemOptions { Id = itemId, Quantity = 2 }, new SubscriptionItemOptions { Id = itemId, Quantity = 3 }), "items[1][id]");
        await RefusedAsync(() => stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = itemId, Deleted = true }, new SubscriptionItemOptions { Price = StripeCatalog.TeamMonthlyPrice }],
            PaymentBehavior = "pending_if_incomplete",
        }, cancellationToken: Ct), "items[0][deleted]");
        await RefusedAsync(() => stripe.V1.SubscriptionItems.UpdateAsync(itemId, new SubscriptionItemUpdateOptions { Quantity = 0 }, cancellationToken: Ct), "quantity");
        await RefusedAsync(() => stripe.V1.SubscriptionItems.GetAsync("si_missing", cancellationToken: Ct), "id", "resource_missing");
        await RefusedAsync(() => stripe.V1.SubscriptionItems.ListAsync(new SubscriptionItemListOptions(), cancellationToken: Ct), "subscription", "parameter_missing");
        var unchanged = await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct);
        Assert.Equal([(StripeCatalog.MonthlyPrice, 1L)], unchanged.Items.Data.Select(i => (i.Price.Id, i.Quantity)));
        Assert.Empty(await PendingAsync(stripe, subscription.CustomerId));

        await stripe.V1.Subscriptions.CancelAsync(subscription.Id, cancellationToken: Ct);
        await RefusedAsync(() => AddAsync(StripeCatalog.TeamMonthlyPrice), "subscription");
        await RefusedAsync(() => stripe.V1.SubscriptionItems.UpdateAsync(itemId, new SubscriptionItemUpdateOptions { Quantity = 2 }, cancellationToken: Ct), "id");
    }
}
