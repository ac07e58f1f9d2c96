using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// A future billing cycle anchor on a new subscription (docs.stripe.com/billing/subscriptions/billing-cycle): through
/// Stripe.net 53.1.0, <c>billing_cycle_anchor</c> and <c>billing_cycle_anchor_config</c> on <c>POST /v1/subscriptions</c>
/// and Checkout's <c>subscription_data[billing_cycle_anchor]</c>: the first period up to the anchor, prorated or free,
/// then full periods on the anchor's day.
/// </summary>
public sealed class StripeBillingAnchorTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>Apr 10, 2027: the anchor May 1 leaves 21 of April's 30 days.</summary>
    private static readonly DateTime April10 = new(2027, 4, 10, 0, 0, 0, DateTimeKind.Utc);

    private static readonly DateTime May1 = new(2027, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_future_anchor_charges_the_time_up_to_it_prorated_then_full_periods_from_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (clock, customer) = await OnClockAsync(stripe, April10);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            BillingCycleAnchor = May1,
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);

        Assert.Equal(("active", May1, April10, May1), (created.Status, created.BillingCycleAnchor, created.Items.Data[0].CurrentPeriodStart, created.Items.Data[0].CurrentPeriodEnd));
        Assert.Null(created.BillingCycleAnchorConfig);
        var first = created.LatestInvoice;
        // 999 × 21/30 days = 699.3: 699.
        Assert.Equal(("subscription_create", "paid", 699L, 699L), (first.BillingReason, first.Status, first.AmountPaid, first.Total));
        var line = Assert.Single(first.Lines.Data);
        Assert.Equal((699L, "Remaining time on Sandbox Pro after 10 Apr 2027", April10, May1), (line.Amount, line.Description, line.Period.Start, line.Period.End));
        Assert.True(line.Parent.SubscriptionItemDetails.Proration);
        Assert.Equal(created.Items.Data[0].Id, line.Parent.SubscriptionItemDetails.SubscriptionItem);
        Assert.Equal([699L], (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data.Select(c => c.Amount));

        // The upcoming invoice is the first full period, from the anchor.
        var upcoming = await stripe.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions { Subscription = created.Id }, cancellationToken: Ct);
        Assert.Equal((999L, May1, new DateTime(2027, 6, 1, 0, 0, 0, DateTimeKind.Utc)), (upcoming.Total, upcoming.Lines.Data[0].Period.Start, upcoming.Lines.Data[0].Period.End));

        DateTime[] ends = [new(2027, 6, 1, 0, 0, 0, DateTimeKind.Utc), new(2027, 7, 1, 0, 0, 0, DateTimeKind.Utc)];
        var start = May1;
        foreach (var end in ends)
        {
            await AdvanceClockAsync(stripe, clock, start);
            var renewed = await stripe.V1.Subscriptions.GetAsync(created.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
            Assert.Equal((May1, start, end), (renewed.BillingCycleAnchor, renewed.Items.Data[0].CurrentPeriodStart, renewed.Items.Data[0].CurrentPeriodEnd));
            Assert.Equal(("subscription_cycle", 999L, start, end), (renewed.LatestInvoice.BillingReason, renewed.LatestInvoice.AmountPaid, renewed.LatestInvoice.Lines.Data[0].Period.Start, renewed.LatestInvoice.Lines.Data[0].Period.End));
            start = end;
        }
    }

    /// <summary>With <c>proration_behavior=none</c> the time up to the anchor is free, and, unlike a trial, there is no 0 invoice.</summary>
    [Fact]
    public async Task With_proration_behavior_none_nothing_is_invoiced_until_the_anchor()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var (clock, customer) = await OnClockAsync(stripe, April10);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 2 }],
            BillingCycleAnchor = May1,
            ProrationBehavior = "none",
            // Nothing is due, so nothing waits for a payment.
            PaymentBehavior = "default_incomplete",
        }, cancellationToken: Ct);

        Assert.Equal(("active", May1, April10, May1), (created.Status, created.BillingCycleAnchor, created.Items.Data[0].CurrentPeriodStart, created.Items.Data[0].CurrentPeriodEnd));
        Assert.Null(created.LatestInvoiceId);
        Assert.Empty((await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customer }, cancellationToken: Ct)).Data);
        Assert.Empty((await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer }, cancellationToken: Ct)).Data);

        await AdvanceClockAsync(stripe, clock, May1);
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 1);
        Assert.Equal(["customer.subscription.created", "customer.subscription.updated", "invoice.paid", "invoice.payment_succeeded"], events.Select(e => e.Type));
        var invoice = Assert.Single((await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customer }, cancellationToken: Ct)).Data);
        Assert.Equal(("subscription_cycle", 1998L, May1), (invoice.BillingReason, invoice.AmountPaid, invoice.PeriodStart));
    }

    /// <summary>
    /// <c>billing_cycle_anchor_config[day_of_month]=31</c> in April anchors on Apr 30 (at the creation's time of day), and
    /// the cycle keeps the 31st where a month has it: May 31, then Jun 30.
    /// </summary>
    [Fact]
    public async Task A_config_for_the_31st_anchors_on_the_last_day_of_a_30_day_month_and_renews_on_the_31st()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var now = new DateTime(2027, 4, 10, 8, 15, 30, DateTimeKind.Utc);
        var (clock, customer) = await OnClockAsync(stripe, now);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            BillingCycleAnchorConfig = new SubscriptionBillingCycleAnchorConfigOptions { DayOfMonth = 31 },
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);

        var april30 = new DateTime(2027, 4, 30, 8, 15, 30, DateTimeKind.Utc);
        Assert.Equal((april30, now, april30), (created.BillingCycleAnchor, created.Items.Data[0].CurrentPeriodStart, created.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal((31L, (long?)null, (long?)null), (created.BillingCycleAnchorConfig.DayOfMonth, created.BillingCycleAnchorConfig.Hour, created.BillingCycleAnchorConfig.Month));
        // The period ending Apr 30 began Mar 31: 20 of its 30 days are left, 999 × 20/30 = 666.
        Assert.Equal(666L, created.LatestInvoice.AmountPaid);

        await AdvanceClockAsync(stripe, clock, april30);
        var may31 = new DateTime(2027, 5, 31, 8, 15, 30, DateTimeKind.Utc);
        Assert.Equal((april30, may31), await PeriodAsync(stripe, created.Id));
        await AdvanceClockAsync(stripe, clock, may31);
        Assert.Equal((may31, new DateTime(2027, 6, 30, 8, 15, 30, DateTimeKind.Utc)), await PeriodAsync(stripe, created.Id));
    }

    /// <summary>A yearly price's config with <c>month</c> and a time of day: the next Jan 1 at 00:00:00 UTC; 266 of 365 days prorated.</summary>
    [Fact]
    public async Task A_yearly_config_with_month_and_time_anchors_on_that_date_and_prorates_the_year_up_to_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (_, customer) = await OnClockAsync(stripe, April10.AddHours(13));
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.YearlyPrice }],
            BillingCycleAnchorConfig = new SubscriptionBillingCycleAnchorConfigOptions { DayOfMonth = 1, Month = 1, Hour = 0, Minute = 0, Second = 0 },
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);

        var january1 = new DateTime(2028, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal((january1, january1), (created.BillingCycleAnchor, created.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal((1L, 1L, 0L), (created.BillingCycleAnchorConfig.DayOfMonth, created.BillingCycleAnchorConfig.Month!.Value, created.BillingCycleAnchorConfig.Hour!.Value));
        // 9990 × (265 days 11 hours) / 365 days = 7265.56: 7266.
        Assert.Equal(7266L, created.LatestInvoice.AmountPaid);
    }

    /// <summary>
    /// A declined card with a prorated amount due makes the subscription incomplete, as any first invoice does; paid, it is
    /// active on the anchored cycle.
    /// </summary>
    [Fact]
    public async Task An_anchored_subscription_whose_first_payment_waits_is_incomplete_with_the_prorated_invoice_open()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (_, customer) = await OnClockAsync(stripe, April10);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            BillingCycleAnchor = May1,
            PaymentBehavior = "default_incomplete",
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);

        Assert.Equal(("incomplete", "open", 699L, May1), (created.Status, created.LatestInvoice.Status, created.LatestInvoice.AmountDue, created.Items.Data[0].CurrentPeriodEnd));
    }

    [Fact]
    public async Task Bad_anchors_are_refused_with_the_param_and_nothing_is_created()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (_, customer) = await OnClockAsync(stripe, April10);

        async Task<StripeError> RefusedAsync(Action<SubscriptionCreateOptions> set, string price = StripeCatalog.MonthlyPrice)
        {
            var options = new SubscriptionCreateOptions { Customer = customer, Items = [new SubscriptionItemOptions { Price = price }] };
            set(options);
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(options, cancellationToken: Ct));
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (refused.HttpStatusCode, refused.StripeError.Type));
            return refused.StripeError;
        }

        Assert.Equal("billing_cycle_anchor", (await RefusedAsync(o => o.BillingCycleAnchor = April10.AddDays(-1))).Param);
        Assert.Equal("billing_cycle_anchor", (await RefusedAsync(o => o.BillingCycleAnchor = April10)).Param);
        // One month from Apr 10 is May 10: the next natural billing date.
        var late = await RefusedAsync(o => o.BillingCycleAnchor = new DateTime(2027, 5, 10, 0, 0, 1, DateTimeKind.Utc));
        Assert.Equal(("billing_cycle_anchor", $"billing_cycle_anchor cannot be later than next natural billing date ({new DateTimeOffset(2027, 5, 10, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()}) for plan"), (late.Param, late.Message));
        var both = await RefusedAsync(o => (o.BillingCycleAnchor, o.BillingCycleAnchorConfig) = (May1, new SubscriptionBillingCycleAnchorConfigOptions { DayOfMonth = 1 }));
        Assert.Equal(("billing_cycle_anchor", "You may only specify one of these parameters: billing_cycle_anchor, billing_cycle_anchor_config."), (both.Param, both.Message));
        Assert.Equal("billing_cycle_anchor_config[day_of_month]", (await RefusedAsync(o => o.BillingCycleAnchorConfig = new() { DayOfMonth = 32 })).Param);
        Assert.Equal("billing_cycle_anchor_config[day_of_month]", (await RefusedAsync(o => o.BillingCycleAnchorConfig = new() { DayOfMonth = 0 })).Param);
        Assert.Equal("billing_cycle_anchor_config[day_of_month]", (await RefusedAsync(o => o.BillingCycleAnchorConfig = new() { Hour = 1 })).Param);
        Assert.Equal("billing_cycle_anchor_config[hour]", (await RefusedAsync(o => o.BillingCycleAnchorConfig = new() { DayOfMonth = 1, Hour = 24 })).Param);
        Assert.Equal("billing_cycle_anchor_config[minute]", (await RefusedAsync(o => o.BillingCycleAnchorConfig = new() { DayOfMonth = 1, Minute = 60 })).Param);
        Assert.Equal("billing_cycle_anchor_config[second]", (await RefusedAsync(o => o.BillingCycleAnchorConfig = new() { DayOfMonth = 1, Second = -1 })).Param);
        Assert.Equal("billing_cycle_anchor_config[month]", (await RefusedAsync(o => o.BillingCycleAnchorConfig = new() { DayOfMonth = 1, Month = 13 }, StripeCatalog.YearlyPrice)).Param);
        Assert.Equal("billing_cycle_anchor_config[month]", (await RefusedAsync(o => o.BillingCycleAnchorConfig = new() { DayOfMonth = 1, Month = 6 })).Param);
        Assert.Equal("proration_behavior", (await RefusedAsync(o => (o.BillingCycleAnchor, o.ProrationBehavior) = (May1, "always_invoice"))).Param);
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer }, cancellationToken: Ct)).Data);
    }

    /// <summary>Checkout's anchor: the session's amount is the prorated first period; paid, the subscription is anchored.</summary>
    [Fact]
    public async Task A_checkout_with_an_anchor_charges_the_prorated_amount_and_starts_an_anchored_subscription()
    {
        await using var sandbox = await TestSandbox.StartAsync(new DateTimeOffset(April10));
        var stripe = Client(sandbox);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems =
            [
                new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 },
                new SessionLineItemOptions { Price = StripeCatalog.CreditsPrice, Quantity = 3 },
            ],
            SubscriptionData = new SessionSubscriptionDataOptions { BillingCycleAnchor = May1 },
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        // 699 for April's 21 days, and the one-time credits in full.
        Assert.Equal((999L, 999L), (session.AmountSubtotal, session.AmountTotal));

        await sandbox.ActAsync(session.Id, "pay");
        var completed = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["subscription", "invoice", "line_items"] }, cancellationToken: Ct);
        Assert.Equal(("complete", "paid", 999L), (completed.Status, completed.PaymentStatus, completed.AmountTotal));
        Assert.Equal([699L, 300L], completed.LineItems.Data.Select(l => l.AmountTotal));
        Assert.Equal((May1, new DateTime(2027, 4, 10, 0, 0, 0, DateTimeKind.Utc), May1), (completed.Subscription.BillingCycleAnchor, completed.Subscription.Items.Data[0].CurrentPeriodStart, completed.Subscription.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal((999L, "paid"), (completed.Invoice.AmountPaid, completed.Invoice.Status));
        Assert.Equal(699L, completed.Invoice.Lines.Data[0].Amount);
    }

    [Fact]
    public async Task A_checkout_with_an_anchor_and_no_prorations_takes_no_payment_and_makes_no_invoice()
    {
        await using var sandbox = await TestSandbox.StartAsync(new DateTimeOffset(April10));
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
            SubscriptionData = new SessionSubscriptionDataOptions { BillingCycleAnchor = May1, ProrationBehavior = "none" },
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        Assert.Equal(0L, session.AmountTotal);

        await sandbox.ActAsync(session.Id, "pay");
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.created") == 1);
        var completed = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["subscription"] }, cancellationToken: Ct);
        Assert.Equal(("complete", "no_payment_required", (string?)null), (completed.Status, completed.PaymentStatus, completed.InvoiceId));
        Assert.Equal(("active", May1, (string?)null), (completed.Subscription.Status, completed.Subscription.BillingCycleAnchor, completed.Subscription.LatestInvoiceId));
        Assert.Equal(["checkout.session.completed", "customer.subscription.created"], events.Select(e => e.Type));
        Assert.Empty((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.*" }, cancellationToken: Ct)).Data);
        Assert.Empty((await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = completed.CustomerId }, cancellationToken: Ct)).Data);
    }

    /// <summary>
    /// Paid after its anchor has passed, a checkout charges the full period that started at the anchor, as Stripe's
    /// Checkout docs say; the session's amounts follow.
    /// </summary>
    [Fact]
    public async Task A_checkout_paid_after_its_anchor_charges_the_full_period_from_the_anchor()
    {
        await using var sandbox = await TestSandbox.StartAsync(new DateTimeOffset(April10));
        var stripe = Client(sandbox);
        var noon = April10.AddHours(12);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
            SubscriptionData = new SessionSubscriptionDataOptions { BillingCycleAnchor = noon },
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        // 12 hours of the 31 days from Mar 10 noon: 999 × 12/744 = 16.1.
        Assert.Equal(16L, session.AmountTotal);

        await sandbox.AdvanceAsync(TimeSpan.FromHours(13));
        await sandbox.ActAsync(session.Id, "pay");
        var completed = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["subscription", "invoice"] }, cancellationToken: Ct);
        Assert.Equal(("paid", 999L), (completed.PaymentStatus, completed.AmountTotal));
        Assert.Equal((noon, noon, noon.AddMonths(1)), (completed.Subscription.BillingCycleAnchor, completed.Subscription.Items.Data[0].CurrentPeriodStart, completed.Subscription.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal((999L, noon), (completed.Invoice.AmountPaid, completed.Invoice.Lines.Data[0].Period.Start));
    }

    [Fact]
    public async Task Checkout_refuses_an_anchor_with_a_trial_one_outside_its_window_and_one_outside_subscription_mode()
    {
        await using var sandbox = await TestSandbox.StartAsync(new DateTimeOffset(April10));
        var stripe = Client(sandbox);

        async Task<StripeError> RefusedAsync(SessionSubscriptionDataOptions data, string mode = "subscription")
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
            {
                Mode = mode,
                LineItems = [new SessionLineItemOptions { Price = mode == "subscription" ? StripeCatalog.MonthlyPrice : StripeCatalog.CreditsPrice, Quantity = 1 }],
                SubscriptionData = data,
                SuccessUrl = "https://merchant.example/done",
            }, cancellationToken: Ct));
            Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
            return refused.StripeError;
        }

        var withTrial = await RefusedAsync(new() { BillingCycleAnchor = May1, TrialPeriodDays = 7 });
        Assert.Equal(("subscription_data[billing_cycle_anchor]", "You may only specify one of these parameters: billing_cycle_anchor, trial_period_days."), (withTrial.Param, withTrial.Message));
        Assert.Equal("subscription_data[billing_cycle_anchor]", (await RefusedAsync(new() { BillingCycleAnchor = April10.AddSeconds(-1) })).Param);
        Assert.Equal("subscription_data[billing_cycle_anchor]", (await RefusedAsync(new() { BillingCycleAnchor = April10.AddMonths(1).AddSeconds(1) })).Param);
        Assert.Equal("subscription_data[proration_behavior]", (await RefusedAsync(new() { BillingCycleAnchor = May1, ProrationBehavior = "always_invoice" })).Param);
        Assert.Equal("subscription_data", (await RefusedAsync(new() { BillingCycleAnchor = May1 }, mode: "payment")).Param);
    }

    /// <summary>The configured day survives a restart: the anchor on Apr 30 still renews on May 31.</summary>
    [Fact]
    public async Task A_configured_anchor_keeps_its_day_across_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var options = new SandboxOptions { DataDirectory = data, BasePort = 0, Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(April10)) };
        string clock, subscriptionId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            (clock, var customer) = await OnClockAsync(before, April10);
            subscriptionId = (await before.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
            {
                Customer = customer,
                Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
                BillingCycleAnchorConfig = new SubscriptionBillingCycleAnchorConfigOptions { DayOfMonth = 31, Hour = 0, Minute = 0, Second = 0 },
            }, cancellationToken: Ct)).Id;
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
            var april30 = new DateTime(2027, 4, 30, 0, 0, 0, DateTimeKind.Utc);
            await AdvanceClockAsync(stripe, clock, april30);
            Assert.Equal((april30, new DateTime(2027, 5, 31, 0, 0, 0, DateTimeKind.Utc)), await PeriodAsync(stripe, subscriptionId));
        }

        Directory.Delete(data, recursive: true);
    }

    /// <summary>A test clock frozen at <paramref name="frozen"/> and a customer on it.</summary>
    private static async Task<(string Clock, string Customer)> OnClockAsync(StripeClient stripe, DateTime frozen)
    {
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clock.Id }, cancellationToken: Ct);
        return (clock.Id, customer.Id);
    }

    private static async Task<(DateTime Start, DateTime End)> PeriodAsync(StripeClient stripe, string subscriptionId)
    {
        var subscription = await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct);
        return (subscription.Items.Data[0].CurrentPeriodStart, subscription.Items.Data[0].CurrentPeriodEnd);
    }
}
