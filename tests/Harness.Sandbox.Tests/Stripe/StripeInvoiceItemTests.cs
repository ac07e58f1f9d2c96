using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// The invoice items API through Stripe.net 53.1.0: create (an amount, or a price × quantity), retrieve, list (pending or
/// not, paged), update and delete pending items, the refusals, and the sweeping of a customer's pending items into its
/// next subscription invoice (an item naming a subscription only into that one's), also across a restart.
/// </summary>
public sealed class StripeInvoiceItemTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<string> CustomerAsync(StripeClient stripe) =>
        (await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "items@example.com" }, cancellationToken: Ct)).Id;

    private static Task<Subscription> SubscribeAsync(StripeClient stripe, string customer) =>
        stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);

    private static async Task<Invoice> LatestInvoiceAsync(StripeClient stripe, string subscription) =>
        (await stripe.V1.Subscriptions.GetAsync(subscription, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;

    [Fact]
    public async Task Pending_items_are_created_listed_updated_and_deleted_with_their_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);

        var fee = await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer, Amount = 2500, Currency = "usd", Description = "Setup fee", Metadata = new() { ["order"] = "42" },
        }, cancellationToken: Ct);
        Assert.Equal((2500L, "usd", customer, "Setup fee", false, 1L), (fee.Amount, fee.Currency, fee.CustomerId, fee.Description, fee.Proration, fee.Quantity));
        Assert.Null(fee.InvoiceId);
        Assert.Null(fee.Parent);
        Assert.Equal("42", fee.Metadata["order"]);

        var seats = await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer, Pricing = new InvoiceItemPricingOptions { Price = StripeCatalog.CreditsPrice }, Quantity = 3,
        }, cancellationToken: Ct);
        Assert.Equal((300L, 3L, StripeCatalog.CreditsPrice, "100"), (seats.Amount, seats.Quantity, seats.Pricing.PriceDetails.PriceId, seats.Pricing.UnitAmountDecimal?.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var page = await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, Pending = true, Limit = 1 }, cancellationToken: Ct);
        Assert.Equal((seats.Id, true), (page.Data.Single().Id, page.HasMore));
        var rest = await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, StartingAfter = seats.Id }, cancellationToken: Ct);
        Assert.Equal((fee.Id, false), (rest.Data.Single().Id, rest.HasMore));
        Assert.Empty(await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, Pending = false }, cancellationToken: Ct));

        var cheaper = await stripe.V1.InvoiceItems.UpdateAsync(fee.Id, new InvoiceItemUpdateOptions { Amount = 2000, Description = "Setup fee (discounted)" }, cancellationToken: Ct);
        Assert.Equal((2000L, "Setup fee (discounted)"), (cheaper.Amount, cheaper.Description));
        var more = await stripe.V1.InvoiceItems.UpdateAsync(seats.Id, new InvoiceItemUpdateOptions { Quantity = 5 }, cancellationToken: Ct);
        Assert.Equal((500L, 5L), (more.Amount, more.Quantity));
        Assert.Equal(2000L, (await stripe.V1.InvoiceItems.GetAsync(fee.Id, cancellationToken: Ct)).Amount);

        var deleted = await stripe.V1.InvoiceItems.DeleteAsync(fee.Id, cancellationToken: Ct);
        Assert.True(deleted.Deleted);
        var gone = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.InvoiceItems.GetAsync(fee.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (gone.HttpStatusCode, gone.StripeError.Code));
        Assert.Equal([seats.Id], (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer }, cancellationToken: Ct)).Select(i => i.Id));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoiceitem.created") == 2 && Count(e, "invoiceitem.deleted") == 1);
        Assert.Equal(fee.Id, ((InvoiceItem)events.Single(e => e.Type == "invoiceitem.deleted").Data.Object).Id);
    }

    [Fact]
    public async Task Bad_items_are_refused_with_stripes_400_naming_the_parameter()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);

        async Task RefusedAsync(InvoiceItemCreateOptions options, HttpStatusCode status, string param, string code)
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.InvoiceItems.CreateAsync(options, cancellationToken: Ct));
            Assert.Equal((status, "invalid_request_error", param, code), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param, refused.StripeError.Code));
        }

        await RefusedAsync(new InvoiceItemCreateOptions { Amount = 100, Currency = "usd" }, HttpStatusCode.BadRequest, "customer", "parameter_missing");
        await RefusedAsync(new InvoiceItemCreateOptions { Customer = "cus_missing", Amount = 100, Currency = "usd" }, HttpStatusCode.NotFound, "customer", "resource_missing");
        await RefusedAsync(new InvoiceItemCreateOptions { Customer = customer, Currency = "usd" }, HttpStatusCode.BadRequest, "amount", "parameter_missing");
        await RefusedAsync(new InvoiceItemCreateOptions { Customer = customer, Amount = 100 }, HttpStatusCode.BadRequest, "currency", "parameter_missing");
        await RefusedAsync(new InvoiceItemCreateOptions { Customer = customer, Amount = 100, Currency = "US Dollar" }, HttpStatusCode.BadRequest, "currency", "parameter_invalid");
        await RefusedAsync(new InvoiceItemCreateOptions { Customer = customer, Amount = 100, Currency = "usd", Quantity = 2 }, HttpStatusCode.BadRequest, "quantity", "parameter_invalid");
        await RefusedAsync(new InvoiceItemCreateOptions { Customer = customer, Amount = 100_000_000, Currency = "usd" }, HttpStatusCode.BadRequest, "amount", "parameter_invalid");
        await RefusedAsync(
            new InvoiceItemCreateOptions { Customer = customer, Amount = 100, Pricing = new InvoiceItemPricingOptions { Price = StripeCatalog.CreditsPrice } }, HttpStatusCode.BadRequest, "amount", "parameter_invalid");
        await RefusedAsync(
            new InvoiceItemCreateOptions { Customer = customer, Pricing = new InvoiceItemPricingOptions { Price = "price_missing" } }, HttpStatusCode.NotFound, "pricing[price]", "resource_missing");
        await RefusedAsync(new InvoiceItemCreateOptions { Customer = customer, Amount = 100, Currency = "eur", Subscription = (await SubscribeAsync(stripe, customer)).Id }, HttpStatusCode.BadRequest, "currency", "parameter_invalid");
        Assert.Empty(await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer }, cancellationToken: Ct));
    }

    [Fact]
    public async Task The_next_subscription_invoice_sweeps_the_customers_items_and_only_its_own_subscriptions_items_which_are_then_fixed()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var first = await SubscribeAsync(stripe, customer);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(10));
        var second = await SubscribeAsync(stripe, customer);
        var anyone = await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer, Amount = 500, Currency = "usd", Description = "Support hours" }, cancellationToken: Ct);
        var secondsOwn = await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer, Amount = -300, Currency = "usd", Subscription = second.Id }, cancellationToken: Ct);
        Assert.Equal(second.Id, secondsOwn.Parent.SubscriptionDetails.Subscription);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(20));
        var firstRenewal = await LatestInvoiceAsync(stripe, first.Id);
        Assert.Equal([999L, 500L], firstRenewal.Lines.Data.Select(l => l.Amount));
        Assert.Equal(1499L, firstRenewal.AmountPaid);
        Assert.Equal((anyone.Id, "Support hours"), (firstRenewal.Lines.Data[1].Parent.InvoiceItemDetails.InvoiceItem, firstRenewal.Lines.Data[1].Description));
        Assert.Equal([secondsOwn.Id], (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, Pending = true }, cancellationToken: Ct)).Select(i => i.Id));

        var fixedItem = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.InvoiceItems.UpdateAsync(anyone.Id, new InvoiceItemUpdateOptions { Amount = 1 }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "invoice_not_editable"), (fixedItem.HttpStatusCode, fixedItem.StripeError.Code));
        var kept = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.InvoiceItems.DeleteAsync(anyone.Id, cancellationToken: Ct));
        Assert.Equal("invoice_not_editable", kept.StripeError.Code);
        Assert.Equal(firstRenewal.Id, (await stripe.V1.InvoiceItems.GetAsync(anyone.Id, cancellationToken: Ct)).InvoiceId);

        await AdvanceToPeriodEndAsync(sandbox, stripe, second.Id);
        var secondRenewal = await LatestInvoiceAsync(stripe, second.Id);
        Assert.Equal([999L, -300L], secondRenewal.Lines.Data.Select(l => l.Amount));
        Assert.Equal(699L, secondRenewal.AmountPaid);
        Assert.Empty(await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, Pending = true }, cancellationToken: Ct));
    }

    [Fact]
    public async Task Pending_items_and_prorations_survive_a_restart_and_the_renewal_after_it_invoices_them()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-items-" + Guid.NewGuid().ToString("N"));
        var start = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        string customer, subscription;
        await using (var before = await TestSandbox.StartAsync(now: start, configure: o => o.DataDirectory = data))
        {
            var stripe = Client(before);
            customer = await CustomerAsync(stripe);
            var created = await SubscribeAsync(stripe, customer);
            subscription = created.Id;
            await before.AdvanceAsync(TimeSpan.FromDays(15));
            await stripe.V1.Subscriptions.UpdateAsync(subscription, new SubscriptionUpdateOptions
            {
                Items = [new SubscriptionItemOptions { Id = created.Items.Data[0].Id, Quantity = 2 }],
            }, cancellationToken: Ct);
            await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer, Amount = 250, Currency = "usd" }, cancellationToken: Ct);
        }

        await using (var after = await TestSandbox.StartAsync(now: start.AddDays(15), configure: o => o.DataDirectory = data))
        {
            var stripe = Client(after);
            var pending = await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, Pending = true }, cancellationToken: Ct);
            Assert.Equal([250L, 999L, -500L], pending.Select(i => i.Amount));
            Assert.Equal(2L, (await stripe.V1.Subscriptions.GetAsync(subscription, cancellationToken: Ct)).Items.Data[0].Quantity);

            await after.AdvanceAsync(TimeSpan.FromDays(15));
            var renewal = await LatestInvoiceAsync(stripe, subscription);
            Assert.Equal([1998L, -500L, 999L, 250L], renewal.Lines.Data.Select(l => l.Amount));
            Assert.Equal(2747L, renewal.AmountPaid);
        }

        Directory.Delete(data, recursive: true);
    }
}
