using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Subscription schedules through Stripe.net 53.1.0 on test clocks: a future start, an introductory price for three
/// months then the normal one, a downgrade at the period end through <c>from_subscription</c>, <c>end_behavior</c>
/// release and cancel, and the invoices each phase bills, to the cent (Sandbox Pro 999, Sandbox Team 2999 a month).
/// </summary>
public sealed partial class StripeSubscriptionScheduleTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<(StripeClient Stripe, string Clock, string Customer)> ClockedCustomerAsync(TestSandbox sandbox)
    {
        var stripe = Client(sandbox);
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clock.Id, Email = "schedules@example.com" }, cancellationToken: Ct);
        return (stripe, clock.Id, customer.Id);
    }

    /// <summary>A phase of one price, lasting <paramref name="months"/> (Stripe.net's <c>duration</c>) or up to <paramref name="endDate"/>.</summary>
    private static SubscriptionSchedulePhaseOptions Phase(string price, long? months = null, DateTime? endDate = null) => new()
    {
        Items = [new SubscriptionSchedulePhaseItemOptions { Price = price, Quantity = 1 }],
        Duration = months is null ? null : new SubscriptionSchedulePhaseDurationOptions { Interval = "month", IntervalCount = months },
        EndDate = endDate,
    };

    private static async Task<List<long>> PaidAmountsAsync(StripeClient stripe, string subscription) =>
        [.. (await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = subscription, Limit = 100 }, cancellationToken: Ct)).Data
            .OrderBy(i => i.Created).ThenBy(i => i.PeriodEnd).Select(i => i.AmountPaid)];

    private static async Task<List<string>> EventTypesAsync(StripeClient stripe, string prefix) =>
        [.. (await stripe.V1.Events.ListAsync(new EventListOptions { Limit = 100 }, cancellationToken: Ct)).Data
            .Where(e => e.Type.StartsWith(prefix, StringComparison.Ordinal)).Reverse().Select(e => e.Type)];

    [Fact]
    public async Task A_future_start_creates_the_subscription_on_its_date_and_end_behavior_cancel_completes_the_schedule()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (stripe, clock, customer) = await ClockedCustomerAsync(sandbox);
        var start = Frozen.AddDays(10);
        var schedule = await stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions
        {
            Customer = customer,
            StartDate = start,
            EndBehavior = "cancel",
            Phases = [Phase(StripeCatalog.MonthlyPrice, months: 2)],
            Metadata = new Dictionary<string, string> { ["plan"] = "later" },
        }, cancellationToken: Ct);
        Assert.Equal(("not_started", null, null, "cancel"), (schedule.Status, schedule.SubscriptionId, schedule.CurrentPhase, schedule.EndBehavior));
        Assert.Equal((start, start.AddMonths(2)), (schedule.Phases[0].StartDate, schedule.Phases[0].EndDate));
        Assert.Equal((clock, "later"), (schedule.TestClockId, schedule.Metadata["plan"]));
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer }, cancellationToken: Ct)).Data);

        await AdvanceClockAsync(stripe, clock, start);
        var started = await stripe.V1.SubscriptionSchedules.GetAsync(schedule.Id, cancellationToken: Ct);
        Assert.Equal("active", started.Status);
        Assert.Equal((start, start.AddMonths(2)), (started.CurrentPhase.StartDate, started.CurrentPhase.EndDate));
        var subscription = await stripe.V1.Subscriptions.GetAsync(started.SubscriptionId, cancellationToken: Ct);
        Assert.Equal(("active", schedule.Id, start), (subscription.Status, subscription.ScheduleId, subscription.StartDate));
        Assert.Equal((start, start.AddMonths(1)), (subscription.Items.Data[0].CurrentPeriodStart, subscription.Items.Data[0].CurrentPeriodEnd));

        await AdvanceClockAsync(stripe, clock, start.AddMonths(1));
        await AdvanceClockAsync(stripe, clock, start.AddMonths(2));
        var completed = await stripe.V1.SubscriptionSchedules.GetAsync(schedule.Id, cancellationToken: Ct);
        Assert.Equal(("completed", start.AddMonths(2), null, null), (completed.Status, completed.CompletedAt, completed.CurrentPhase, completed.SubscriptionId));
        var ended = await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct);
        Assert.Equal(("canceled", start.AddMonths(2)), (ended.Status, ended.EndedAt));
        Assert.Equal([999L, 999L], await PaidAmountsAsync(stripe, subscription.Id));
        Assert.Equal(
            ["subscription_schedule.created", "subscription_schedule.updated", "subscription_schedule.expiring", "subscription_schedule.completed"],
            await EventTypesAsync(stripe, "subscription_schedule."));
        Assert.Contains("customer.subscription.deleted", await EventTypesAsync(stripe, "customer.subscription."));
    }

    [Fact]
    public async Task An_introductory_price_for_three_months_then_the_normal_price_bills_exactly_and_release_keeps_the_subscription()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (stripe, clock, customer) = await ClockedCustomerAsync(sandbox);
        var schedule = await stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions
        {
            Customer = customer,
            StartDate = SubscriptionScheduleStartDate.Now,
            Phases = [Phase(StripeCatalog.MonthlyPrice, months: 3), Phase(StripeCatalog.TeamMonthlyPrice, months: 1)],
        }, cancellationToken: Ct);
        Assert.Equal(("active", "release"), (schedule.Status, schedule.EndBehavior));
        Assert.Equal([Frozen, Frozen.AddMonths(3)], schedule.Phases.Select(p => p.StartDate));
        Assert.Equal([Frozen.AddMonths(3), Frozen.AddMonths(4)], schedule.Phases.Select(p => p.EndDate));
        var subscriptionId = schedule.SubscriptionId;

        for (var month = 1; month <= 3; month++)
        {
            await AdvanceClockAsync(stripe, clock, Frozen.AddMonths(month));
        }

        var second = await stripe.V1.SubscriptionSchedules.GetAsync(schedule.Id, cancellationToken: Ct);
        Assert.Equal((Frozen.AddMonths(3), Frozen.AddMonths(4)), (second.CurrentPhase.StartDate, second.CurrentPhase.EndDate));
        var subscription = await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct);
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, Assert.Single(subscription.Items.Data).Price.Id);
        Assert.Equal([999L, 999L, 999L, 2999L], await PaidAmountsAsync(stripe, subscriptionId));
        Assert.Empty((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer }, cancellationToken: Ct)).Data);

        // The schedule ends with its last phase and lets go: the subscription renews on its own.
        await AdvanceClockAsync(stripe, clock, Frozen.AddMonths(4));
        var released = await stripe.V1.SubscriptionSchedules.GetAsync(schedule.Id, cancellationToken: Ct);
        Assert.Equal(("released", subscriptionId, Frozen.AddMonths(4), null), (released.Status, released.ReleasedSubscription, released.ReleasedAt, released.SubscriptionId));
        var free = await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct);
        Assert.Equal(("active", null), (free.Status, free.ScheduleId));
        Assert.Equal([999L, 999L, 999L, 2999L, 2999L], await PaidAmountsAsync(stripe, subscriptionId));
        Assert.Contains("subscription_schedule.released", await EventTypesAsync(stripe, "subscription_schedule."));
    }

    [Fact]
    public async Task A_downgrade_at_the_period_end_through_from_subscription_and_an_update_bills_the_lower_price_at_the_renewal()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (stripe, clock, customer) = await ClockedCustomerAsync(sandbox);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.TeamMonthlyPrice }],
        }, cancellationToken: Ct);
        await AdvanceClockAsync(stripe, clock, Frozen.AddDays(10));

        var schedule = await stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions { FromSubscription = subscription.Id }, cancellationToken: Ct);
        Assert.Equal(("active", subscription.Id, "release"), (schedule.Status, schedule.SubscriptionId, schedule.EndBehavior));
        var phase = Assert.Single(schedule.Phases);
        Assert.Equal((Frozen, Frozen.AddMonths(1), StripeCatalog.TeamMonthlyPrice), (phase.StartDate, phase.EndDate, phase.Items[0].PriceId));
        Assert.Equal(schedule.Id, (await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).ScheduleId);

        var updated = await stripe.V1.SubscriptionSchedules.UpdateAsync(schedule.Id, new SubscriptionScheduleUpdateOptions
        {
            Phases =
            [
                new SubscriptionSchedulePhaseOptions
                {
                    Items = [new SubscriptionSchedulePhaseItemOptions { Price = StripeCatalog.TeamMonthlyPrice, Quantity = 1 }],
                    StartDate = phase.StartDate,
                    EndDate = phase.EndDate,
                },
                Phase(StripeCatalog.MonthlyPrice, months: 1),
            ],
        }, cancellationToken: Ct);
        Assert.Equal([Frozen.AddMonths(1), Frozen.AddMonths(2)], updated.Phases.Select(p => p.EndDate));
        Assert.Empty((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer }, cancellationToken: Ct)).Data);

        await AdvanceClockAsync(stripe, clock, Frozen.AddMonths(1));
        var downgraded = await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct);
        Assert.Equal(StripeCatalog.MonthlyPrice, Assert.Single(downgraded.Items.Data).Price.Id);
        Assert.Equal([2999L, 999L], await PaidAmountsAsync(stripe, subscription.Id));
        var second = (await stripe.V1.SubscriptionSchedules.GetAsync(schedule.Id, cancellationToken: Ct)).CurrentPhase;
        Assert.Equal((Frozen.AddMonths(1), Frozen.AddMonths(2)), (second.StartDate, second.EndDate));

        await AdvanceClockAsync(stripe, clock, Frozen.AddMonths(2));
        Assert.Equal("released", (await stripe.V1.SubscriptionSchedules.GetAsync(schedule.Id, cancellationToken: Ct)).Status);
        Assert.Equal([2999L, 999L, 999L], await PaidAmountsAsync(stripe, subscription.Id));
    }

    [Fact]
    public async Task Cancel_ends_the_subscription_release_leaves_it_and_canceling_the_subscription_cancels_its_schedule()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (stripe, _, customer) = await ClockedCustomerAsync(sandbox);
        var options = new SubscriptionScheduleCreateOptions { Customer = customer, StartDate = SubscriptionScheduleStartDate.Now, Phases = [Phase(StripeCatalog.MonthlyPrice, months: 6)] };

        var toCancel = await stripe.V1.SubscriptionSchedules.CreateAsync(options, cancellationToken: Ct);
        var canceled = await stripe.V1.SubscriptionSchedules.CancelAsync(toCancel.Id, cancellationToken: Ct);
        Assert.Equal(("canceled", Frozen, null), (canceled.Status, canceled.CanceledAt, canceled.CurrentPhase));
        Assert.Equal("canceled", (await stripe.V1.Subscriptions.GetAsync(toCancel.SubscriptionId, cancellationToken: Ct)).Status);

        var toRelease = await stripe.V1.SubscriptionSchedules.CreateAsync(options, cancellationToken: Ct);
        var released = await stripe.V1.SubscriptionSchedules.ReleaseAsync(toRelease.Id, cancellationToken: Ct);
        Assert.Equal(("released", toRelease.SubscriptionId, null), (released.Status, released.ReleasedSubscription, released.SubscriptionId));
        var kept = await stripe.V1.Subscriptions.GetAsync(toRelease.SubscriptionId, cancellationToken: Ct);
        Assert.Equal(("active", null), (kept.Status, kept.ScheduleId));

        var underneath = await stripe.V1.SubscriptionSchedules.CreateAsync(options, cancellationToken: Ct);
        await stripe.V1.Subscriptions.CancelAsync(underneath.SubscriptionId, cancellationToken: Ct);
        var ended = await stripe.V1.SubscriptionSchedules.GetAsync(underneath.Id, cancellationToken: Ct);
        Assert.Equal(("canceled", Frozen), (ended.Status, ended.CanceledAt));

        var notStarted = await stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions
        {
            Customer = customer,
            StartDate = Frozen.AddDays(3),
            Phases = [Phase(StripeCatalog.MonthlyPrice)],
        }, cancellationToken: Ct);
        Assert.Equal(("canceled", null), ((await stripe.V1.SubscriptionSchedules.CancelAsync(notStarted.Id, cancellationToken: Ct)).Status, notStarted.SubscriptionId));
        Assert.Equal(
            ["subscription_schedule.canceled", "subscription_schedule.released", "subscription_schedule.canceled", "subscription_schedule.canceled"],
            (await EventTypesAsync(stripe, "subscription_schedule.")).Where(t => t != "subscription_schedule.created" && t != "subscription_schedule.expiring"));
    }

    [Fact]
    public async Task A_trial_phase_bills_nothing_and_a_boundary_inside_a_period_prorates_as_the_next_phase_says()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (stripe, clock, customer) = await ClockedCustomerAsync(sandbox);
        var trial = Phase(StripeCatalog.MonthlyPrice, months: 1);
        trial.Trial = true;
        var upgrade = Phase(StripeCatalog.TeamMonthlyPrice, months: 1);
        upgrade.ProrationBehavior = "create_prorations";
        var schedule = await stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions
        {
            Customer = customer,
            StartDate = SubscriptionScheduleStartDate.Now,
            Phases = [trial, Phase(StripeCatalog.MonthlyPrice, endDate: Frozen.AddMonths(1).AddDays(15)), upgrade],
        }, cancellationToken: Ct);
        Assert.Equal(Frozen.AddMonths(1), schedule.Phases[0].TrialEnd);
        var trialing = await stripe.V1.Subscriptions.GetAsync(schedule.SubscriptionId, cancellationToken: Ct);
        Assert.Equal(("trialing", Frozen.AddMonths(1)), (trialing.Status, trialing.TrialEnd));

        await AdvanceClockAsync(stripe, clock, Frozen.AddMonths(1));
        Assert.Equal("active", (await stripe.V1.Subscriptions.GetAsync(schedule.SubscriptionId, cancellationToken: Ct)).Status);
        Assert.Equal([0L, 999L], await PaidAmountsAsync(stripe, schedule.SubscriptionId));

        // On February 16 the third phase starts: Team for the 13 of February's 28 days left, the unused and remaining time pending.
        await AdvanceClockAsync(stripe, clock, Frozen.AddMonths(1).AddDays(15));
        var upgraded = await stripe.V1.Subscriptions.GetAsync(schedule.SubscriptionId, cancellationToken: Ct);
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, Assert.Single(upgraded.Items.Data).Price.Id);
        Assert.Equal(Frozen.AddMonths(2), upgraded.Items.Data[0].CurrentPeriodEnd);
        var pending = (await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer, Pending = true }, cancellationToken: Ct)).Data;
        Assert.Equal(2, pending.Count);
        Assert.All(pending, i => Assert.True(i.Proration));
        Assert.Equal([-464L, 1392L], pending.Select(i => i.Amount).Order());
    }
}
