using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// A trial together with a later billing cycle anchor on <c>POST /v1/subscriptions</c> (docs.stripe.com/billing/subscriptions/trials,
/// combining trials with <c>billing_cycle_anchor</c>), through Stripe.net: the trial, then the time from its end to the
/// anchor prorated, then full periods on the anchor's cycle; what leaves no prorated time after the trial is refused.
/// </summary>
public sealed class StripeTrialAnchorTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly DateTime April10 = new(2027, 4, 10, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A seven-day trial ends on Apr 17, leaving 14 of April's 30 days up to the anchor.</summary>
    private static readonly DateTime April17 = new(2027, 4, 17, 0, 0, 0, DateTimeKind.Utc);

    private static readonly DateTime May1 = new(2027, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task The_trial_runs_first_then_the_time_up_to_the_anchor_is_prorated_then_full_periods()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (clock, customer) = await OnClockAsync(stripe, April10);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            TrialPeriodDays = 7,
            BillingCycleAnchor = May1,
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);

        Assert.Equal(("trialing", May1, April17), (created.Status, created.BillingCycleAnchor, created.TrialEnd));
        Assert.Equal((April10, April17), (created.Items.Data[0].CurrentPeriodStart, created.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal(("subscription_create", "paid", 0L), (created.LatestInvoice.BillingReason, created.LatestInvoice.Status, created.LatestInvoice.Total));
        Assert.Empty((await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data);

        await AdvanceClockAsync(stripe, clock, April17);
        var afterTrial = await stripe.V1.Subscriptions.GetAsync(created.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(("active", May1, April17, May1), (afterTrial.Status, afterTrial.BillingCycleAnchor, afterTrial.Items.Data[0].CurrentPeriodStart, afterTrial.Items.Data[0].CurrentPeriodEnd));
        var prorated = afterTrial.LatestInvoice;
        // 999 × 14/30 days = 466.2: 466.
        Assert.Equal(("paid", 466L, 466L), (prorated.Status, prorated.AmountPaid, prorated.Total));
        var line = Assert.Single(prorated.Lines.Data);
        Assert.Equal((466L, "Remaining time on Sandbox Pro after 17 Apr 2027", April17, May1), (line.Amount, line.Description, line.Period.Start, line.Period.End));
        Assert.True(line.Parent.SubscriptionItemDetails.Proration);

        await AdvanceClockAsync(stripe, clock, May1);
        var renewed = await stripe.V1.Subscriptions.GetAsync(created.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        var june1 = new DateTime(2027, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal((May1, june1), (renewed.Items.Data[0].CurrentPeriodStart, renewed.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal(("subscription_cycle", 999L, May1, june1), (renewed.LatestInvoice.BillingReason, renewed.LatestInvoice.AmountPaid, renewed.LatestInvoice.Lines.Data[0].Period.Start, renewed.LatestInvoice.Lines.Data[0].Period.End));
        Assert.Equal([999L, 466L], (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data.Select(c => c.Amount));
    }

    [Fact]
    public async Task A_config_anchor_after_a_trial_end_given_as_a_time_bills_the_same_way()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (clock, customer) = await OnClockAsync(stripe, April10);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 2 }],
            TrialEnd = April17,
            BillingCycleAnchorConfig = new SubscriptionBillingCycleAnchorConfigOptions { DayOfMonth = 1 },
        }, cancellationToken: Ct);

        Assert.Equal(("trialing", May1, 1L), (created.Status, created.BillingCycleAnchor, created.BillingCycleAnchorConfig.DayOfMonth));
        await AdvanceClockAsync(stripe, clock, April17);
        var afterTrial = await stripe.V1.Subscriptions.GetAsync(created.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        // 1998 × 14/30 days = 932.4: 932.
        Assert.Equal(("active", 932L, May1), (afterTrial.Status, afterTrial.LatestInvoice.AmountPaid, afterTrial.Items.Data[0].CurrentPeriodEnd));
    }

    [Fact]
    public async Task What_leaves_no_prorated_time_after_the_trial_is_refused_naming_the_param()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (_, customer) = await OnClockAsync(stripe, April10);

        async Task<StripeError> RefusedAsync(Action<SubscriptionCreateOptions> set)
        {
            var options = new SubscriptionCreateOptions { Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] };
            set(options);
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(options, cancellationToken: Ct));
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (refused.HttpStatusCode, refused.StripeError.Type));
            return refused.StripeError;
        }

        const string MustProrate = "When billing_cycle_anchor follows a trial, the anchored invoice must be prorated. For a longer free period, use a longer trial.";
        var free = await RefusedAsync(o => (o.TrialPeriodDays, o.BillingCycleAnchor, o.ProrationBehavior) = (7, May1, "none"));
        Assert.Equal(("proration_behavior", MustProrate), (free.Param, free.Message));
        var atTrialEnd = await RefusedAsync(o => (o.TrialEnd, o.BillingCycleAnchor) = (April17, April17));
        Assert.Equal(("billing_cycle_anchor", MustProrate), (atTrialEnd.Param, atTrialEnd.Message));
        var beforeTrialEnd = await RefusedAsync(o => (o.TrialEnd, o.BillingCycleAnchor) = (May1, April17));
        Assert.Equal("billing_cycle_anchor", beforeTrialEnd.Param);
        var configBeforeTrialEnd = await RefusedAsync(o => (o.TrialEnd, o.BillingCycleAnchorConfig) = (May1, new SubscriptionBillingCycleAnchorConfigOptions { DayOfMonth = 20 }));
        Assert.Equal("billing_cycle_anchor_config", configBeforeTrialEnd.Param);
        // Still no later than the plan's next natural billing date counted from the creation, trial or not.
        var late = await RefusedAsync(o => (o.TrialPeriodDays, o.BillingCycleAnchor) = (7, new DateTime(2027, 5, 11, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("billing_cycle_anchor", late.Param);
        Assert.StartsWith("billing_cycle_anchor cannot be later than next natural billing date", late.Message, StringComparison.Ordinal);
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer, Status = "all" }, cancellationToken: Ct)).Data);
    }

    private static async Task<(string Clock, string Customer)> OnClockAsync(StripeClient stripe, DateTime frozen)
    {
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clock.Id }, cancellationToken: Ct);
        return (clock.Id, customer.Id);
    }
}
