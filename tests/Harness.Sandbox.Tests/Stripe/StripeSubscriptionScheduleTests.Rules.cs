using System.Net;
using System.Net.Http.Json;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>Subscription schedules' list filters and paging, their refusals in Stripe's error shape, and a restart.</summary>
public sealed partial class StripeSubscriptionScheduleTests
{
    private static async Task<StripeException> RefusedAsync(Func<Task> call, string param)
    {
        var refused = await Assert.ThrowsAsync<StripeException>(call);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", param), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param));
        return refused;
    }

    [Fact]
    public async Task The_list_filters_by_status_customer_and_created_and_pages_both_ways()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (stripe, _, customer) = await ClockedCustomerAsync(sandbox);
        var other = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var later = await stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions
        {
            Customer = customer,
            StartDate = Frozen.AddDays(5),
            Phases = [Phase(StripeCatalog.MonthlyPrice)],
        }, cancellationToken: Ct);
        var now = new SubscriptionScheduleCreateOptions { Customer = customer, StartDate = SubscriptionScheduleStartDate.Now, Phases = [Phase(StripeCatalog.MonthlyPrice)] };
        var released = await stripe.V1.SubscriptionSchedules.ReleaseAsync((await stripe.V1.SubscriptionSchedules.CreateAsync(now, cancellationToken: Ct)).Id, cancellationToken: Ct);
        var canceled = await stripe.V1.SubscriptionSchedules.CancelAsync((await stripe.V1.SubscriptionSchedules.CreateAsync(now, cancellationToken: Ct)).Id, cancellationToken: Ct);
        var elsewhere = await stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions
        {
            Customer = other.Id,
            StartDate = SubscriptionScheduleStartDate.Now,
            Phases = [Phase(StripeCatalog.MonthlyPrice)],
        }, cancellationToken: Ct);

        async Task<List<string>> IdsAsync(SubscriptionScheduleListOptions options) =>
            [.. (await stripe.V1.SubscriptionSchedules.ListAsync(options, cancellationToken: Ct)).Data.Select(s => s.Id)];

        Assert.Equal([elsewhere.Id, canceled.Id, released.Id, later.Id], await IdsAsync(new SubscriptionScheduleListOptions()));
        Assert.Equal([later.Id], await IdsAsync(new SubscriptionScheduleListOptions { Scheduled = true }));
        Assert.Equal([elsewhere.Id, canceled.Id, released.Id], await IdsAsync(new SubscriptionScheduleListOptions { Scheduled = false }));
        Assert.Equal([canceled.Id], await IdsAsync(new SubscriptionScheduleListOptions { CanceledAt = new DateRangeOptions { GreaterThanOrEqual = Frozen } }));
        Assert.Empty(await IdsAsync(new SubscriptionScheduleListOptions { CompletedAt = new DateRangeOptions { GreaterThanOrEqual = Frozen } }));
        Assert.Equal([canceled.Id, released.Id, later.Id], await IdsAsync(new SubscriptionScheduleListOptions { Customer = customer }));
        Assert.Equal([released.Id], await IdsAsync(new SubscriptionScheduleListOptions { ReleasedAt = new DateRangeOptions { GreaterThanOrEqual = Frozen } }));

        var first = await stripe.V1.SubscriptionSchedules.ListAsync(new SubscriptionScheduleListOptions { Limit = 2 }, cancellationToken: Ct);
        Assert.Equal([elsewhere.Id, canceled.Id], first.Data.Select(s => s.Id));
        Assert.True(first.HasMore);
        var next = await stripe.V1.SubscriptionSchedules.ListAsync(new SubscriptionScheduleListOptions { Limit = 2, StartingAfter = canceled.Id }, cancellationToken: Ct);
        Assert.Equal([released.Id, later.Id], next.Data.Select(s => s.Id));
        Assert.False(next.HasMore);
        var back = await stripe.V1.SubscriptionSchedules.ListAsync(new SubscriptionScheduleListOptions { Limit = 2, EndingBefore = released.Id }, cancellationToken: Ct);
        Assert.Equal([elsewhere.Id, canceled.Id], back.Data.Select(s => s.Id));
        Assert.False(back.HasMore);
    }

    [Fact]
    public async Task Bad_phases_and_bad_transitions_are_refused_in_stripes_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (stripe, _, customer) = await ClockedCustomerAsync(sandbox);
        Task Create(params SubscriptionSchedulePhaseOptions[] phases) =>
            stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions { Customer = customer, StartDate = SubscriptionScheduleStartDate.Now, Phases = [.. phases] }, cancellationToken: Ct);

        var both = await RefusedAsync(() => Create(Phase(StripeCatalog.MonthlyPrice, months: 2, endDate: Frozen.AddMonths(2))), "phases[0][duration]");
        Assert.Contains("`end_date` and `duration`", both.Message, StringComparison.Ordinal);
        await RefusedAsync(() => Create(Phase(StripeCatalog.MonthlyPrice), Phase(StripeCatalog.TeamMonthlyPrice)), "phases[0][end_date]");
        await RefusedAsync(() => Create(Phase(StripeCatalog.MonthlyPrice, endDate: Frozen.AddMonths(2)), Phase(StripeCatalog.TeamMonthlyPrice, endDate: Frozen.AddMonths(1))), "phases[1][end_date]");
        var unknownPrice = await Assert.ThrowsAsync<StripeException>(() => Create(Phase("price_nope", months: 1)));
        Assert.Equal("phases[0][items][0][price]", unknownPrice.StripeError.Param);
        var noCustomer = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions
        {
            Customer = "cus_nope",
            Phases = [Phase(StripeCatalog.MonthlyPrice)],
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing", "customer"), (noCustomer.HttpStatusCode, noCustomer.StripeError.Code, noCustomer.StripeError.Param));
        var unsimulated = await RefusedAsync(() => Create(new SubscriptionSchedulePhaseOptions
        {
            Items = [new SubscriptionSchedulePhaseItemOptions { Price = StripeCatalog.MonthlyPrice }],
            AddInvoiceItems = [new SubscriptionSchedulePhaseAddInvoiceItemOptions { Price = StripeCatalog.CreditsPrice, Discounts = [new() { Coupon = "any" }] }],
        }), "phases[0][add_invoice_items][0][discounts]");
        Assert.Contains("not simulated", unsimulated.Message, StringComparison.Ordinal);

        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);
        await RefusedAsync(() => stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions { FromSubscription = subscription.Id, EndBehavior = "cancel" }, cancellationToken: Ct), "end_behavior");
        var schedule = await stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions { FromSubscription = subscription.Id }, cancellationToken: Ct);
        var twice = await RefusedAsync(() => stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions { FromSubscription = subscription.Id }, cancellationToken: Ct), "from_subscription");
        Assert.Contains(schedule.Id, twice.Message, StringComparison.Ordinal);

        // The current phase keeps its start; ended phases stay as they were.
        await RefusedAsync(() => stripe.V1.SubscriptionSchedules.UpdateAsync(schedule.Id, new SubscriptionScheduleUpdateOptions
        {
            Phases = [new SubscriptionSchedulePhaseOptions { Items = [new SubscriptionSchedulePhaseItemOptions { Price = StripeCatalog.MonthlyPrice }], StartDate = Frozen.AddDays(1), Duration = new SubscriptionSchedulePhaseDurationOptions { Interval = "month" } }],
        }, cancellationToken: Ct), "phases[0][start_date]");

        await stripe.V1.SubscriptionSchedules.ReleaseAsync(schedule.Id, cancellationToken: Ct);
        var closed = await RefusedAsync(() => stripe.V1.SubscriptionSchedules.UpdateAsync(schedule.Id, new SubscriptionScheduleUpdateOptions { EndBehavior = "cancel" }, cancellationToken: Ct), null!);
        Assert.Equal("You cannot update a subscription schedule that is currently in the `released` status. It must be in either the `not_started` or `active` status to be updated.", closed.StripeError.Message);
        await RefusedAsync(() => stripe.V1.SubscriptionSchedules.CancelAsync(schedule.Id, cancellationToken: Ct), null!);
        var missing = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SubscriptionSchedules.GetAsync("sub_sched_nope", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.HttpStatusCode);
    }

    [Fact]
    public async Task A_schedule_waiting_to_start_survives_a_restart_and_starts_on_the_sandbox_clock()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var options = new SandboxOptions
        {
            DataDirectory = data,
            BasePort = 0,
            Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(Frozen, TimeSpan.Zero)),
        };
        string scheduleId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
            scheduleId = (await stripe.V1.SubscriptionSchedules.CreateAsync(new SubscriptionScheduleCreateOptions
            {
                Customer = customer.Id,
                StartDate = Frozen.AddDays(2),
                Phases = [Phase(StripeCatalog.MonthlyPrice, months: 1), Phase(StripeCatalog.TeamMonthlyPrice, months: 1)],
            }, cancellationToken: Ct)).Id;
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
            Assert.Equal("not_started", (await stripe.V1.SubscriptionSchedules.GetAsync(scheduleId, cancellationToken: Ct)).Status);
            using var control = new HttpClient { BaseAddress = new Uri(second.ControlBaseUrl) };
            using var advanced = await control.PostAsync("/control/clock/advance", JsonContent.Create(new { seconds = 2 * 86_400 }), Ct);
            Assert.True(advanced.IsSuccessStatusCode);
            var started = await stripe.V1.SubscriptionSchedules.GetAsync(scheduleId, cancellationToken: Ct);
            Assert.Equal(("active", Frozen.AddDays(2)), (started.Status, started.CurrentPhase.StartDate));
            Assert.Equal([999L], await PaidAmountsAsync(stripe, started.SubscriptionId));
        }

        Directory.Delete(data, recursive: true);
    }
}
