using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// <see cref="StripePeriods"/>: billing periods on the UTC calendar from the billing cycle anchor, as Stripe's
/// docs.stripe.com/billing/subscriptions/billing-cycle describes them (an anchor on the 31st bills Feb 28, then Mar 31),
/// and a subscription and a test clock through Stripe.net 53.1.0 that follow them.
/// </summary>
public sealed class StripePeriodTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static long At(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).ToUnixTimeSeconds();

    private static DateTimeOffset Date(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix);

    [Fact]
    public void A_monthly_cycle_anchored_on_the_31st_bills_the_last_day_of_short_months_and_returns_to_the_31st()
    {
        var anchor = At(2027, 1, 31, 10, 30);
        var ends = new List<DateTimeOffset>();
        var start = anchor;
        for (var i = 0; i < 4; i++)
        {
            start = StripePeriods.End(anchor, start, "month", 1);
            ends.Add(Date(start));
        }

        Assert.Equal([Date(At(2027, 2, 28, 10, 30)), Date(At(2027, 3, 31, 10, 30)), Date(At(2027, 4, 30, 10, 30)), Date(At(2027, 5, 31, 10, 30))], ends);
    }

    [Fact]
    public void A_leap_year_february_ends_on_the_29th()
    {
        var anchor = At(2028, 1, 31);
        Assert.Equal(At(2028, 2, 29), StripePeriods.End(anchor, anchor, "month", 1));
        Assert.Equal(At(2028, 3, 31), StripePeriods.End(anchor, At(2028, 2, 29), "month", 1));
    }

    [Fact]
    public void A_yearly_cycle_anchored_on_february_29_bills_february_28_in_other_years_and_the_29th_in_leap_years()
    {
        var anchor = At(2028, 2, 29, 12);
        var first = StripePeriods.End(anchor, anchor, "year", 1);
        Assert.Equal(At(2029, 2, 28, 12), first);
        Assert.Equal(At(2030, 2, 28, 12), StripePeriods.End(anchor, first, "year", 1));
        Assert.Equal(At(2032, 2, 29, 12), StripePeriods.End(anchor, At(2031, 2, 28, 12), "year", 1));
    }

    [Fact]
    public void Days_and_weeks_are_exact()
    {
        var anchor = At(2027, 1, 31, 23, 59, 59);
        Assert.Equal(anchor + 86_400, StripePeriods.End(anchor, anchor, "day", 1));
        Assert.Equal(anchor + (3 * 7 * 86_400), StripePeriods.End(anchor, anchor, "week", 3));
        // Across February: 28 days are four weeks exactly, whatever the month's length.
        Assert.Equal(At(2027, 2, 28, 23, 59, 59), StripePeriods.End(anchor, anchor, "week", 4));
        Assert.Equal((anchor + (7 * 86_400), anchor + (14 * 86_400)), StripePeriods.Around(anchor, anchor + (10 * 86_400), "week", 1));
    }

    [Fact]
    public void Interval_count_multiplies_the_months()
    {
        var anchor = At(2026, 11, 30, 8);
        // Quarterly from Nov 30: Feb 28, then May 30 (the anchor's day, not the 28th).
        var quarter = StripePeriods.End(anchor, anchor, "month", 3);
        Assert.Equal(At(2027, 2, 28, 8), quarter);
        Assert.Equal(At(2027, 5, 30, 8), StripePeriods.End(anchor, quarter, "month", 3));
        Assert.Equal(At(2027, 11, 30, 8), StripePeriods.End(anchor, anchor, "month", 12));
        Assert.Equal(At(2028, 11, 30, 8), StripePeriods.End(anchor, anchor, "year", 2));
    }

    [Fact]
    public void A_period_starting_at_23_59_59_on_the_31st_keeps_that_time_of_day_in_utc()
    {
        var anchor = At(2026, 12, 31, 23, 59, 59);
        Assert.Equal(At(2027, 1, 31, 23, 59, 59), StripePeriods.End(anchor, anchor, "month", 1));
        Assert.Equal(At(2027, 2, 28, 23, 59, 59), StripePeriods.End(anchor, At(2027, 1, 31, 23, 59, 59), "month", 1));
        // One second earlier on the 28th is still January's period.
        Assert.Equal((At(2027, 1, 31, 23, 59, 59), At(2027, 2, 28, 23, 59, 59)), StripePeriods.Around(anchor, At(2027, 2, 28, 23, 59, 58), "month", 1));
    }

    [Fact]
    public void The_period_around_a_time_is_the_anchored_one_that_holds_it_and_a_start_before_the_anchor_ends_at_the_anchor()
    {
        var anchor = At(2027, 1, 31);
        Assert.Equal((At(2027, 3, 31), At(2027, 4, 30)), StripePeriods.Around(anchor, At(2027, 4, 15), "month", 1));
        Assert.Equal((At(2027, 4, 30), At(2027, 5, 31)), StripePeriods.Around(anchor, At(2027, 4, 30), "month", 1));
        Assert.Equal(anchor, StripePeriods.End(anchor, At(2027, 1, 15), "month", 1));
    }

    [Fact]
    public void Periods_past_the_year_9999_still_compute()
    {
        var anchor = At(9999, 12, 31, 23, 59, 59);
        Assert.Equal(anchor + (31 * 86_400), StripePeriods.End(anchor, anchor, "month", 1));
        Assert.Equal(anchor + (366 * 86_400), StripePeriods.End(anchor, anchor, "year", 1));
    }

    [Fact]
    public void A_count_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StripePeriods.End(0, 0, "month", 0));

    /// <summary>
    /// Periods follow the calendar from the billing cycle anchor (docs.stripe.com/billing/subscriptions/billing-cycle):
    /// an anchor on the 31st renews on the last day of a shorter month and returns to the 31st, at the anchor's time of day.
    /// </summary>
    [Fact]
    public async Task A_subscription_started_on_the_31st_renews_on_the_last_day_of_short_months_and_on_the_31st_again()
    {
        var start = new DateTime(2027, 1, 31, 10, 30, 0, DateTimeKind.Utc);
        await using var sandbox = await TestSandbox.StartAsync(now: start);
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);
        Assert.Equal((start, start, new DateTime(2027, 2, 28, 10, 30, 0, DateTimeKind.Utc)), (created.BillingCycleAnchor, created.Items.Data[0].CurrentPeriodStart, created.Items.Data[0].CurrentPeriodEnd));

        DateTime[] ends = [new(2027, 3, 31, 10, 30, 0, DateTimeKind.Utc), new(2027, 4, 30, 10, 30, 0, DateTimeKind.Utc), new(2027, 5, 31, 10, 30, 0, DateTimeKind.Utc)];
        var periodStart = created.Items.Data[0].CurrentPeriodEnd;
        foreach (var end in ends)
        {
            await AdvanceToPeriodEndAsync(sandbox, stripe, created.Id);
            var renewed = await stripe.V1.Subscriptions.GetAsync(created.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
            Assert.Equal((start, periodStart, end), (renewed.BillingCycleAnchor, renewed.Items.Data[0].CurrentPeriodStart, renewed.Items.Data[0].CurrentPeriodEnd));
            Assert.Equal(("subscription_cycle", "paid", periodStart, end), (renewed.LatestInvoice.BillingReason, renewed.LatestInvoice.Status, renewed.LatestInvoice.Lines.Data[0].Period.Start, renewed.LatestInvoice.Lines.Data[0].Period.End));
            periodStart = end;
        }

        Assert.Equal(4, (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.paid" }, cancellationToken: Ct)).Data.Count);
    }

    /// <summary>Stripe's two-interval limit per test clock advance counts calendar months: from Jan 31, two months reach Mar 31.</summary>
    [Fact]
    public async Task A_test_clock_advances_at_most_two_calendar_months_of_a_monthly_subscription()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var frozen = new DateTime(2027, 1, 31, 0, 0, 0, DateTimeKind.Utc);
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clock.Id }, cancellationToken: Ct);
        await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);

        // Mar 31 and a second is past two months (59 days here, where 60 fixed days would still allow it).
        var refused = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new TestClockAdvanceOptions { FrozenTime = frozen.AddMonths(2).AddSeconds(1) }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "frozen_time"), (refused.HttpStatusCode, refused.StripeError.Param));
        Assert.Contains("(59 days)", refused.StripeError.Message, StringComparison.Ordinal);

        await AdvanceClockAsync(stripe, clock.Id, frozen.AddMonths(2));
        Assert.Equal(3, (await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data.Count);
    }
}
