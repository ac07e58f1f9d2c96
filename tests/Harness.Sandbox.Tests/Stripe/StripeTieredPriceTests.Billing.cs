using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeMeterTests;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Tiered prices where money moves: metered usage billed through graduated tiers at a test clock's renewal, a Checkout
/// Session in subscription mode, the prorations of a quantity change, and all of it across a restart.
/// </summary>
public sealed partial class StripeTieredPriceTests
{
    /// <summary>"The first 1,000 API calls for a 5.00 base fee, then 2 cents each up to 10,000, then 1 cent."</summary>
    private static readonly List<PriceTierOptions> UsageTiers = [Tier(1000, unit: 0, flat: 500), Tier(10_000, unit: 2), Tier(null, unit: 1)];

    private static async Task<Invoice> LatestInvoiceAsync(StripeClient stripe, string subscription) =>
        (await stripe.V1.Subscriptions.GetAsync(subscription, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;

    [Fact]
    public async Task Metered_usage_is_billed_through_graduated_tiers_at_the_test_clock_renewal()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var meter = await MeterAsync(stripe, "api_calls");
        var price = await TieredPriceAsync(stripe, "graduated", UsageTiers, meter.Id);
        Assert.Equal(("metered", "tiered"), (price.Recurring.UsageType, price.BillingScheme));
        var (clock, customer) = await ClockedCustomerAsync(stripe);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }, new SubscriptionItemOptions { Price = price.Id }],
        }, cancellationToken: Ct);

        // Usage is billed in arrears: the first invoice bills the metered item nothing, not even its first tier's flat amount.
        var first = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal([999L, 0L], first.Lines.Data.Select(l => l.Amount));

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddDays(20));
        await ReportAsync(stripe, "api_calls", customer.Id, 800, Frozen.AddDays(3));
        await ReportAsync(stripe, "api_calls", customer.Id, 400, Frozen.AddDays(12));
        // 1,200 calls: 5.00 for the first 1,000, 200 × 2 cents for the rest.
        var preview = await stripe.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions { Subscription = subscription.Id }, cancellationToken: Ct);
        Assert.Equal([999L, 900L], preview.Lines.Data.Select(l => l.Amount));

        await ReportAsync(stripe, "api_calls", customer.Id, 9_800, Frozen.AddDays(18));
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(1));
        // 11,000 calls: 5.00 + 9,000 × 2 + 1,000 × 1 = 195.00.
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(("subscription_cycle", "paid", 999L + 19_500L), (renewal.BillingReason, renewal.Status, renewal.AmountPaid));
        var usage = renewal.Lines.Data[1];
        Assert.Equal((19_500L, 11_000L), (usage.Amount, usage.Quantity));

        // A period without usage still reaches the first tier: its flat amount is billed.
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(2));
        var idle = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal([999L, 500L], idle.Lines.Data.Select(l => l.Amount));
    }

    [Fact]
    public async Task A_checkout_session_in_subscription_mode_bills_a_graduated_price_for_its_quantity()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var price = await TieredPriceAsync(stripe, "graduated", GraduatedTiers);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = price.Id, Quantity = 6 }],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        Assert.Equal((6100L, 6100L), (session.AmountSubtotal, session.AmountTotal));
        var line = Assert.Single((await stripe.V1.Checkout.Sessions.LineItems.ListAsync(session.Id, cancellationToken: Ct)).Data);
        Assert.Equal((6100L, 6L, price.Id), (line.AmountTotal, line.Quantity, line.Price.Id));
        Assert.Null(line.Price.Tiers);

        await sandbox.ActAsync(session.Id, "pay");
        var paid = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct);
        Assert.Equal(("complete", "paid"), (paid.Status, paid.PaymentStatus));
        var invoice = await LatestInvoiceAsync(stripe, paid.SubscriptionId);
        Assert.Equal(("paid", 6100L), (invoice.Status, invoice.AmountPaid));
    }

    [Fact]
    public async Task A_quantity_change_halfway_credits_the_old_tiered_amount_and_charges_the_new_one_for_the_time_left()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var price = await TieredPriceAsync(stripe, "graduated", GraduatedTiers);
        var (subscription, invoice) = await SubscribeAsync(stripe, price.Id, 5);
        Assert.Equal(5200L, invoice.AmountPaid);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));

        // 15 of 30 days left: half of 5 seats' 52.00 back, half of 6 seats' 61.00 (5.00 + 2.00 + 8.00 + 1.00 more) due.
        await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Quantity = 6 }],
        }, cancellationToken: Ct);
        var pending = (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = subscription.CustomerId, Pending = true }, cancellationToken: Ct)).Data;
        Assert.Equal([-2600L, 3050L], pending.Select(i => i.Amount).Order());

        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = await LatestInvoiceAsync(stripe, subscription.Id);
        Assert.Equal(6100L + 450L, renewal.AmountPaid);
    }

    [Fact]
    public async Task Tiered_prices_and_their_subscriptions_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var options = new SandboxOptions { DataDirectory = data, BasePort = 0 };
        string priceId, subscriptionId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            priceId = (await TieredPriceAsync(before, "volume", VolumeTiers)).Id;
            var customer = await before.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
            subscriptionId = (await before.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
            {
                Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = priceId, Quantity = 7 }],
            }, cancellationToken: Ct)).Id;
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
            var price = await stripe.V1.Prices.GetAsync(priceId, new PriceGetOptions { Expand = ["tiers"] }, cancellationToken: Ct);
            Assert.Equal(("tiered", "volume", 3), (price.BillingScheme, price.TiersMode, price.Tiers.Count));
            // 7 units fall in the second tier: 7 × 8.00 + 5.00.
            var preview = await stripe.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions { Subscription = subscriptionId }, cancellationToken: Ct);
            Assert.Equal(6100L, preview.AmountDue);
            var updated = await stripe.V1.Subscriptions.UpdateAsync(subscriptionId, new SubscriptionUpdateOptions
            {
                Items = [new SubscriptionItemOptions { Id = (await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct)).Items.Data[0].Id, Quantity = 11 }],
                ProrationBehavior = "none",
            }, cancellationToken: Ct);
            Assert.Equal(11L, updated.Items.Data[0].Quantity);
            var next = await stripe.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions { Subscription = subscriptionId }, cancellationToken: Ct);
            Assert.Equal(6600L, next.AmountDue);
        }

        Directory.Delete(data, recursive: true);
    }
}
