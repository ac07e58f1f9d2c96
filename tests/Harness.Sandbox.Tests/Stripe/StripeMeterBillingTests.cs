using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Billing;
using static Harness.Sandbox.Tests.Stripe.StripeMeterTests;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Usage-based billing on test clocks through Stripe.net 53.1.0: a metered item bills 0 on the first invoice, the
/// usage of each period on the invoice that starts the next (in arrears, beside the licensed item billed in advance),
/// the usage so far in the upcoming-invoice preview and on a final invoice when the subscription is canceled; and all
/// of it across a restart.
/// </summary>
public sealed class StripeMeterBillingTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<Invoice> LatestInvoiceAsync(StripeClient stripe, string subscription) =>
        (await stripe.V1.Subscriptions.GetAsync(subscription, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;

    [Fact]
    public async Task Usage_is_billed_in_arrears_at_the_renewal_previewed_before_it_and_invoiced_now_on_cancel()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var meter = await MeterAsync(stripe, "llm_tokens");
        var price = await MeteredPriceAsync(stripe, meter.Id);
        var (clock, customer) = await ClockedCustomerAsync(stripe);

        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }, new SubscriptionItemOptions { Price = price.Id }],
        }, cancellationToken: Ct);
        Assert.Equal([1L, 0L], subscription.Items.Data.Select(i => i.Quantity));
        var first = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("paid", 999L), (first.Status, first.AmountPaid));
        Assert.Equal([999L, 0L], first.Lines.Data.Select(l => l.Amount));

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddDays(15));
        await ReportAsync(stripe, "llm_tokens", customer.Id, 100, Frozen.AddDays(1));
        await ReportAsync(stripe, "llm_tokens", customer.Id, 250, Frozen.AddDays(10));
        var mistaken = await ReportAsync(stripe, "llm_tokens", customer.Id, 9000, Frozen.AddDays(14));
        await stripe.V1.Billing.MeterEventAdjustments.CreateAsync(new MeterEventAdjustmentCreateOptions
        {
            EventName = "llm_tokens", Type = "cancel", Cancel = new MeterEventAdjustmentCancelOptions { Identifier = mistaken.Identifier },
        }, cancellationToken: Ct);

        var preview = await stripe.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions { Subscription = subscription.Id }, cancellationToken: Ct);
        Assert.Equal([999L, 1750L], preview.Lines.Data.Select(l => l.Amount));
        Assert.Equal(2749L, preview.AmountDue);

        // The renewal on Feb 1: Pro for February in advance, 350 units × 5 of January in arrears.
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(1));
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("subscription_cycle", "paid", 2749L), (renewal.BillingReason, renewal.Status, renewal.AmountPaid));
        Assert.Equal([999L, 1750L], renewal.Lines.Data.Select(l => l.Amount));
        var usage = renewal.Lines.Data[1];
        Assert.Equal((350L, Frozen, Frozen.AddMonths(1)), (usage.Quantity, usage.Period.Start, usage.Period.End));
        Assert.Equal((Frozen.AddMonths(1), Frozen.AddMonths(2)), (renewal.Lines.Data[0].Period.Start, renewal.Lines.Data[0].Period.End));

        // February's usage so far is invoiced at once when the subscription is canceled with invoice_now.
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(1).AddDays(4));
        await ReportAsync(stripe, "llm_tokens", customer.Id, 12, Frozen.AddMonths(1).AddDays(2));
        var canceled = await stripe.V1.Subscriptions.CancelAsync(subscription.Id, new SubscriptionCancelOptions { InvoiceNow = true }, cancellationToken: Ct);
        Assert.Equal("canceled", canceled.Status);
        var final = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.NotEqual(renewal.Id, final.Id);
        Assert.Equal(("paid", 60L), (final.Status, final.AmountPaid));
        Assert.Equal((12L, Frozen.AddMonths(1), Frozen.AddMonths(1).AddDays(4)), (Assert.Single(final.Lines.Data).Quantity, final.Lines.Data[0].Period.Start, final.Lines.Data[0].Period.End));
    }

    [Fact]
    public async Task A_subscription_canceled_at_the_period_end_bills_its_last_usage_on_a_final_invoice()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var meter = await MeterAsync(stripe, "searches", "count");
        var price = await MeteredPriceAsync(stripe, meter.Id, unitAmount: 7);
        var (clock, customer) = await ClockedCustomerAsync(stripe);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], CancelAtPeriodEnd = true,
        }, cancellationToken: Ct);
        var first = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("paid", 0L, 0L), (first.Status, first.AmountDue, Assert.Single(first.Lines.Data).Amount));

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddDays(20));
        foreach (var day in new[] { 3, 9, 19 })
        {
            // A count meter needs no value.
            await stripe.V1.Billing.MeterEvents.CreateAsync(new MeterEventCreateOptions
            {
                EventName = "searches", Payload = new() { ["stripe_customer_id"] = customer.Id }, Timestamp = Frozen.AddDays(day),
            }, cancellationToken: Ct);
        }

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(1));
        Assert.Equal("canceled", (await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).Status);
        var final = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("paid", 21L), (final.Status, final.AmountPaid));
        Assert.Equal(3L, Assert.Single(final.Lines.Data).Quantity);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.deleted") == 1);
        Assert.True(events.FindIndex(e => e.Type == "invoice.paid" && ((Invoice)e.Data.Object).Id == final.Id) < events.FindIndex(e => e.Type == "customer.subscription.deleted"));
    }

    [Fact]
    public async Task A_metered_item_added_mid_period_is_not_prorated_takes_no_quantity_and_bills_its_usage_at_the_renewal()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var meter = await MeterAsync(stripe, "emails", "last");
        var price = await MeteredPriceAsync(stripe, meter.Id, unitAmount: 2);
        var (clock, customer) = await ClockedCustomerAsync(stripe);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddDays(10));

        var added = await stripe.V1.SubscriptionItems.CreateAsync(new SubscriptionItemCreateOptions { Subscription = subscription.Id, Price = price.Id }, cancellationToken: Ct);
        Assert.Equal(0L, added.Quantity);
        Assert.Empty((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id, Pending = true }, cancellationToken: Ct)).Data);
        var quantity = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.SubscriptionItems.UpdateAsync(added.Id, new SubscriptionItemUpdateOptions { Quantity = 2 }, cancellationToken: Ct));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, quantity.HttpStatusCode);
        Assert.Contains("usage_type is `metered`", quantity.StripeError.Message, StringComparison.Ordinal);

        // A "last" meter bills the latest value of the period: 70, not 40 + 70.
        await ReportAsync(stripe, "emails", customer.Id, 40, Frozen.AddDays(10).AddHours(-2));
        await ReportAsync(stripe, "emails", customer.Id, 70, Frozen.AddDays(10).AddHours(-1));
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(1));
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal([999L, 140L], renewal.Lines.Data.Select(l => l.Amount));
        Assert.Equal(1139L, renewal.AmountPaid);
    }

    [Fact]
    public async Task Meters_and_reported_usage_survive_a_restart_and_the_renewal_after_it_bills_them()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var options = new SandboxOptions
        {
            DataDirectory = data,
            BasePort = 0,
            Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)),
        };
        string meterId, clockId, customerId, subscriptionId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            meterId = (await MeterAsync(stripe, "gpu_minutes")).Id;
            var price = await MeteredPriceAsync(stripe, meterId, unitAmount: 3);
            var (clock, customer) = await ClockedCustomerAsync(stripe);
            (clockId, customerId) = (clock.Id, customer.Id);
            subscriptionId = (await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
            {
                Customer = customerId, Items = [new SubscriptionItemOptions { Price = price.Id }],
            }, cancellationToken: Ct)).Id;
            await AdvanceClockAsync(stripe, clockId, Frozen.AddDays(10));
            await ReportAsync(stripe, "gpu_minutes", customerId, 40, Frozen.AddDays(2), "gpu-1");
            await ReportAsync(stripe, "gpu_minutes", customerId, 60, Frozen.AddDays(9), "gpu-2");
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
            Assert.Equal(("gpu_minutes", "active"), ((await stripe.V1.Billing.Meters.GetAsync(meterId, cancellationToken: Ct)).EventName, "active"));
            var duplicate = await Assert.ThrowsAsync<StripeException>(() => ReportAsync(stripe, "gpu_minutes", customerId, 40, Frozen.AddDays(9), "gpu-2"));
            Assert.Equal("identifier", duplicate.StripeError.Param);
            var summary = await stripe.V1.Billing.Meters.EventSummaries.ListAsync(meterId, new MeterEventSummaryListOptions
            {
                Customer = customerId, StartTime = Frozen, EndTime = Frozen.AddDays(10),
            }, cancellationToken: Ct);
            Assert.Equal(100m, Assert.Single(summary.Data).AggregatedValue);

            await AdvanceClockAsync(stripe, clockId, Frozen.AddMonths(1));
            var renewal = await LatestInvoiceAsync(stripe, subscriptionId);
            Assert.Equal(("subscription_cycle", 300L), (renewal.BillingReason, renewal.AmountPaid));
        }

        Directory.Delete(data, recursive: true);
    }
}
