using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>Inline prices and <c>add_invoice_items</c> on subscription schedule phases, run on a test clock.</summary>
public sealed partial class StripeInlinePriceTests
{
    private static SubscriptionSchedulePhaseItemOptions PhaseItem(string product, long unitAmount) => new()
    {
        PriceData = new SubscriptionSchedulePhaseItemPriceDataOptions
        {
            Currency = "usd", Product = product, UnitAmount = unitAmount, Recurring = new SubscriptionSchedulePhaseItemPriceDataRecurringOptions { Interval = "month" },
        },
    };

    private static SubscriptionSchedulePhaseAddInvoiceItemOptions PhaseFee(string product, long unitAmount) => new()
    {
        PriceData = new SubscriptionSchedulePhaseAddInvoiceItemPriceDataOptions { Currency = "usd", Product = product, UnitAmount = unitAmount },
    };

    [Fact]
    public async Task Schedule_phases_bill_their_inline_prices_and_each_phase_adds_its_fee_to_its_first_invoice()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var clock = (await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct)).Id;
        var customer = (await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clock }, cancellationToken: Ct)).Id;
        var product = await ProductAsync(stripe, "Phased plan");

        var schedule = await stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions
        {
            Customer = customer,
            StartDate = Frozen,
            EndBehavior = "release",
            Phases =
            [
                new SubscriptionSchedulePhaseOptions { Items = [PhaseItem(product, 2000)], AddInvoiceItems = [PhaseFee(product, 700)], Duration = new SubscriptionSchedulePhaseDurationOptions { Interval = "month" } },
                new SubscriptionSchedulePhaseOptions { Items = [PhaseItem(product, 3000)], AddInvoiceItems = [PhaseFee(product, 100)], Duration = new SubscriptionSchedulePhaseDurationOptions { Interval = "month" } },
            ],
        }, cancellationToken: Ct);
        var (intro, full) = (schedule.Phases[0].Items[0].PriceId, schedule.Phases[1].Items[0].PriceId);
        Assert.StartsWith("price_", intro, StringComparison.Ordinal);
        Assert.NotEqual(intro, full);
        var fee = Assert.Single(schedule.Phases[0].AddInvoiceItems);
        Assert.Equal((700L, false), ((await stripe.V1.Prices.GetAsync(fee.PriceId, cancellationToken: Ct)).UnitAmount!.Value, (await stripe.V1.Prices.GetAsync(fee.PriceId, cancellationToken: Ct)).Active));
        Assert.Equal(1L, fee.Quantity);

        var subscription = await stripe.V1.Subscriptions.GetAsync(schedule.SubscriptionId, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal((intro, 2700L), (subscription.Items.Data[0].Price.Id, subscription.LatestInvoice.AmountPaid));
        Assert.Equal([700L, 2000L], subscription.LatestInvoice.Lines.Data.Select(l => l.Amount).Order());

        // The second phase starts at the period end: its price replaces the first, its fee joins that renewal only.
        await AdvanceClockAsync(stripe, clock, Frozen.AddMonths(1));
        subscription = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(full, subscription.Items.Data[0].Price.Id);
        Assert.Equal(3100L, subscription.LatestInvoice.AmountPaid);
        await AdvanceClockAsync(stripe, clock, Frozen.AddMonths(2));
        subscription = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(3000L, subscription.LatestInvoice.AmountPaid);
    }
}
