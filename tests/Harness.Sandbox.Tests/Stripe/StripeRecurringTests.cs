using System.Net;
using System.Net.Http.Json;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using Stripe.TestHelpers;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Stripe recurring billing (issue #27) through Stripe.net 53.1.0, unmodified: customers on test clocks,
/// subscriptions from checkouts and from the API, renewals, scheduled and immediate cancellation, failing
/// renewals on the retry schedule, refunds and the event log. Every webhook is verified with EventUtility.
/// </summary>
public sealed class StripeRecurringTests
{
    private const long Day = 86_400;

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>2026-01-01 00:00 UTC, where the test clocks start.</summary>
    internal static readonly DateTime Frozen = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Customers_and_test_clocks_create_retrieve_list_advance_and_delete()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);

        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen, Name = "renewals" }, cancellationToken: Ct);
        Assert.StartsWith("clock_", clock.Id, StringComparison.Ordinal);
        Assert.Equal("ready", clock.Status);
        Assert.Equal(Frozen, clock.FrozenTime);
        Assert.Equal("renewals", clock.Name);

        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "clocked@example.com", TestClock = clock.Id }, cancellationToken: Ct);
        Assert.Equal(clock.Id, customer.TestClockId);
        Assert.Equal(Frozen, customer.Created);
        var plain = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "plain@example.com", Name = "Plain" }, cancellationToken: Ct);
        Assert.Null(plain.TestClockId);
        Assert.Equal("Plain", (await stripe.V1.Customers.GetAsync(plain.Id, cancellationToken: Ct)).Name);
        var listed = await stripe.V1.Customers.ListAsync(new CustomerListOptions { Email = "clocked@example.com" }, cancellationToken: Ct);
        Assert.Equal([customer.Id], listed.Data.Select(c => c.Id));

        var advancing = await stripe.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new TestClockAdvanceOptions { FrozenTime = Frozen.AddDays(2) }, cancellationToken: Ct);
        Assert.Equal("advancing", advancing.Status);
        var ready = await WaitReadyAsync(stripe, clock.Id);
        Assert.Equal(Frozen.AddDays(2), ready.FrozenTime);
        Assert.Contains((await stripe.V1.TestHelpers.TestClocks.ListAsync(cancellationToken: Ct)).Data, c => c.Id == clock.Id);

        var backwards = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new TestClockAdvanceOptions { FrozenTime = Frozen }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, backwards.HttpStatusCode);
        Assert.Equal("frozen_time", backwards.StripeError.Param);

        var noClock = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = "clock_missing" }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, noClock.HttpStatusCode);
        Assert.Equal("resource_missing", noClock.StripeError.Code);

        var deleted = await stripe.V1.TestHelpers.TestClocks.DeleteAsync(clock.Id, cancellationToken: Ct);
        Assert.True(deleted.Deleted);
        var gone = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.TestHelpers.TestClocks.GetAsync(clock.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.HttpStatusCode);

        // Its customers went with it: they can neither subscribe nor check out.
        Assert.True((await stripe.V1.Customers.GetAsync(customer.Id, cancellationToken: Ct)).Deleted);
        var noSubscription = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, noSubscription.HttpStatusCode);
        var noCheckout = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            Customer = customer.Id,
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct));
        Assert.Equal("customer", noCheckout.StripeError.Param);
    }

    /// <summary>The acceptance of #27: a checkout on a test-clock customer, then three renewals by advancing the clock.</summary>
    [Fact]
    public async Task A_checkout_subscription_on_a_test_clock_renews_three_times_with_verified_invoice_paid_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();

        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "renewals@example.com", TestClock = clock.Id }, cancellationToken: Ct);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            Customer = customer.Id,
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        await sandbox.ActAsync(session.Id, "pay");
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 1);

        var subscriptionId = (await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).SubscriptionId;
        var subscription = await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct);
        Assert.Equal("active", subscription.Status);
        Assert.Equal(clock.Id, subscription.TestClockId);
        Assert.Equal(Frozen, subscription.Items.Data[0].CurrentPeriodStart);
        Assert.Equal(Frozen.AddMonths(1), subscription.Items.Data[0].CurrentPeriodEnd);

        for (var renewal = 1; renewal <= 3; renewal++)
        {
            await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(renewal));
            await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 1 + renewal && Count(e, "invoice.payment_succeeded") == renewal);
        }

        var paid = events.Where(e => e.Type == "invoice.paid").Select(e => Assert.IsType<Invoice>(e.Data.Object)).ToList();
        Assert.Equal(["subscription_create", "subscription_cycle", "subscription_cycle", "subscription_cycle"], paid.Select(i => i.BillingReason));
        Assert.All(paid, i => Assert.Equal(999, i.AmountPaid));
        Assert.All(paid, i => Assert.Equal(subscriptionId, i.Parent.SubscriptionDetails.SubscriptionId));
        Assert.Equal([Frozen.AddMonths(1), Frozen.AddMonths(2), Frozen.AddMonths(3)], paid.Skip(1).Select(i => i.PeriodStart));
        Assert.Equal(3, Count(events, "invoice.payment_succeeded"));
        var updates = events.Where(e => e.Type == "customer.subscription.updated").ToList();
        Assert.Equal(3, updates.Count);
        Assert.Equal(Frozen.AddMonths(4), Assert.IsType<Subscription>(updates[^1].Data.Object).Items.Data[0].CurrentPeriodEnd);
        Assert.True(updates[^1].Data.PreviousAttributes is not null);

        subscription = await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct);
        Assert.Equal(Frozen.AddMonths(3), subscription.Items.Data[0].CurrentPeriodStart);
        Assert.Equal(paid[^1].Id, subscription.LatestInvoiceId);
        var charges = await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id }, cancellationToken: Ct);
        Assert.Equal(4, charges.Data.Count);
        Assert.All(charges.Data, c => Assert.Equal("succeeded", c.Status));
        var logged = await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.paid" }, cancellationToken: Ct);
        Assert.Equal(4, logged.Data.Count);
        Assert.Equal(paid.Select(i => i.Id).Reverse(), logged.Data.Select(e => Assert.IsType<Invoice>(e.Data.Object).Id));
    }

    [Fact]
    public async Task Cancel_at_period_end_can_be_resumed_and_otherwise_ends_the_subscription_without_another_invoice()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clock.Id }, cancellationToken: Ct);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 2 }],
        }, cancellationToken: Ct);
        Assert.Equal("active", created.Status);
        Assert.Equal(Frozen.AddMonths(1), created.Items.Data[0].CurrentPeriodEnd);
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 1);
        Assert.Equal(1998, Assert.IsType<Invoice>(events.Single(e => e.Type == "invoice.paid").Data.Object).AmountPaid);

        var scheduled = await stripe.V1.Subscriptions.UpdateAsync(created.Id, new SubscriptionUpdateOptions { CancelAtPeriodEnd = true }, cancellationToken: Ct);
        Assert.True(scheduled.CancelAtPeriodEnd);
        Assert.Equal(Frozen.AddMonths(1), scheduled.CancelAt);
        var resumed = await stripe.V1.Subscriptions.UpdateAsync(created.Id, new SubscriptionUpdateOptions { CancelAtPeriodEnd = false }, cancellationToken: Ct);
        Assert.False(resumed.CancelAtPeriodEnd);
        Assert.Null(resumed.CancelAt);
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 2);
        var firstUpdate = events.First(e => e.Type == "customer.subscription.updated");
        Assert.True(Assert.IsType<Subscription>(firstUpdate.Data.Object).CancelAtPeriodEnd);

        // Resumed: the first period end renews.
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(1));
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 2);

        await stripe.V1.Subscriptions.UpdateAsync(created.Id, new SubscriptionUpdateOptions { CancelAtPeriodEnd = true }, cancellationToken: Ct);
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(2));
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.deleted") == 1);
        var ended = await stripe.V1.Subscriptions.GetAsync(created.Id, cancellationToken: Ct);
        Assert.Equal("canceled", ended.Status);
        Assert.Equal(Frozen.AddMonths(2), ended.EndedAt);

        // Another period later: nothing more is billed.
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(3));
        await sandbox.RunDueAsync();
        Assert.Equal(2, (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.paid" }, cancellationToken: Ct)).Data.Count);
        Assert.Empty((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.payment_failed" }, cancellationToken: Ct)).Data);
        Assert.Equal(2, Verified(receiver).Count(e => e.Type == "invoice.paid"));
        var again = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.Subscriptions.UpdateAsync(created.Id, new SubscriptionUpdateOptions { CancelAtPeriodEnd = false }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, again.HttpStatusCode);
    }

    [Fact]
    public async Task Cancel_now_ends_the_subscription_at_once_and_the_sandbox_clock_bills_nothing_more()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "now@example.com" }, cancellationToken: Ct);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);

        var canceled = await stripe.V1.Subscriptions.CancelAsync(created.Id, cancellationToken: Ct);
        Assert.Equal("canceled", canceled.Status);
        Assert.NotNull(canceled.CanceledAt);
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.deleted") == 1);
        var twice = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CancelAsync(created.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, twice.HttpStatusCode);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(31));
        Assert.Single((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.paid" }, cancellationToken: Ct)).Data);
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);
        Assert.Single((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer.Id, Status = "canceled" }, cancellationToken: Ct)).Data);
    }

    /// <summary>
    /// The control API makes the card decline: the renewal fails, and is retried 3, 5 and 7 days after the previous
    /// attempt (days 0, 3, 8, 15), each with invoice.payment_failed, then the configured end state (unpaid here).
    /// </summary>
    [Fact]
    public async Task A_failing_card_retries_on_the_schedule_then_reaches_the_configured_end_state()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "dunning@example.com" }, cancellationToken: Ct);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        var periodEnd = ((DateTimeOffset)created.Items.Data[0].CurrentPeriodEnd).ToUnixTimeSeconds();
        var view = await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{created.Id}/payment-failure", new { fail = true, end_state = "unpaid" });
        Assert.True(view["failing"]!.GetValue<bool>());

        await AdvanceToPeriodEndAsync(sandbox, stripe, created.Id);
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_failed") == 1);
        var invoice = LastFailed(events);
        Assert.Equal(1, invoice.AttemptCount);
        Assert.Equal("open", invoice.Status);
        Assert.Equal(periodEnd + (3 * Day), ((DateTimeOffset)invoice.NextPaymentAttempt!.Value).ToUnixTimeSeconds());
        Assert.Equal("past_due", (await stripe.V1.Subscriptions.GetAsync(created.Id, cancellationToken: Ct)).Status);

        // A day short of the retry: nothing yet.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(2));
        await sandbox.RunDueAsync();
        Assert.Single((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.payment_failed" }, cancellationToken: Ct)).Data);

        long[] retryAt = [periodEnd + (3 * Day), periodEnd + (8 * Day), periodEnd + (15 * Day)];
        long?[] nextAfter = [periodEnd + (8 * Day), periodEnd + (15 * Day), null];
        for (var retry = 0; retry < 3; retry++)
        {
            await sandbox.AdvanceAsync(DateTimeOffset.FromUnixTimeSeconds(retryAt[retry]) - sandbox.Server.Context.Clock.GetUtcNow());
            await CollectAsync(receiver, events, e => Count(e, "invoice.payment_failed") == retry + 2);
            invoice = LastFailed(events);
            Assert.Equal(retry + 2, invoice.AttemptCount);
            Assert.Equal(nextAfter[retry], invoice.NextPaymentAttempt is { } next ? ((DateTimeOffset)next).ToUnixTimeSeconds() : null);
        }

        await CollectAsync(receiver, events, e => events.Any(x => x.Type == "customer.subscription.updated" && ((Subscription)x.Data.Object).Status == "unpaid"));
        Assert.Equal("unpaid", (await stripe.V1.Subscriptions.GetAsync(created.Id, cancellationToken: Ct)).Status);
        var charges = await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id }, cancellationToken: Ct);
        Assert.Equal(4, charges.Data.Count(c => c.Status == "failed" && c.FailureCode == "card_declined"));

        // Unpaid: no further renewals or retries.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(40));
        Assert.Equal(4, (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.payment_failed" }, cancellationToken: Ct)).Data.Count);
    }

    [Fact]
    public async Task On_a_test_clock_exhausted_retries_cancel_by_default_and_a_fixed_card_recovers_on_the_next_retry()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clock.Id }, cancellationToken: Ct);
        var doomed = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);
        var recovering = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);
        await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{doomed.Id}/payment-failure", new { fail = true });
        await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{recovering.Id}/payment-failure", new { fail = true });

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(1));
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_failed") == 2);
        await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{recovering.Id}/payment-failure", new { fail = false });

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddMonths(1).AddDays(15));
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.deleted") == 1);
        Assert.Equal(5, Count(events, "invoice.payment_failed"));
        var deleted = Assert.IsType<Subscription>(events.Single(e => e.Type == "customer.subscription.deleted").Data.Object);
        Assert.Equal(doomed.Id, deleted.Id);
        Assert.Equal("payment_failed", deleted.CancellationDetails.Reason);
        Assert.Equal(Frozen.AddMonths(1).AddDays(15), deleted.EndedAt);

        var recovered = await stripe.V1.Subscriptions.GetAsync(recovering.Id, cancellationToken: Ct);
        Assert.Equal("active", recovered.Status);
        var paidRetry = events.Where(e => e.Type == "invoice.paid").Select(e => (Invoice)e.Data.Object).Single(i => i.BillingReason == "subscription_cycle");
        Assert.Equal(2, paidRetry.AttemptCount);
        Assert.Equal(recovered.LatestInvoiceId, paidRetry.Id);
    }

    [Fact]
    public async Task Refunds_by_payment_intent_and_by_charge_send_charge_refunded_and_stop_at_the_charged_amount()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.CreditsPrice, Quantity = 3 }],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        await sandbox.ActAsync(session.Id, "pay");
        var intent = await stripe.V1.PaymentIntents.GetAsync((await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).PaymentIntentId, cancellationToken: Ct);

        var partial = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 100, Reason = "requested_by_customer" }, cancellationToken: Ct);
        Assert.Equal(100, partial.Amount);
        Assert.Equal("succeeded", partial.Status);
        Assert.Equal(intent.LatestChargeId, partial.ChargeId);
        await CollectAsync(receiver, events, e => Count(e, "charge.refunded") == 1);
        var charge = Assert.IsType<Charge>(events.Single(e => e.Type == "charge.refunded").Data.Object);
        Assert.Equal(100, charge.AmountRefunded);
        Assert.False(charge.Refunded);

        var tooMuch = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = charge.Id, Amount = 201 }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.HttpStatusCode);
        Assert.Equal("amount_too_large", tooMuch.StripeError.Code);

        var rest = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = charge.Id }, cancellationToken: Ct);
        Assert.Equal(200, rest.Amount);
        await CollectAsync(receiver, events, e => Count(e, "charge.refunded") == 2);
        var full = await stripe.V1.Charges.GetAsync(charge.Id, cancellationToken: Ct);
        Assert.True(full.Refunded);
        Assert.Equal(300, full.AmountRefunded);
        Assert.Equal(200, (await stripe.V1.Refunds.GetAsync(rest.Id, cancellationToken: Ct)).Amount);

        var done = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = charge.Id }, cancellationToken: Ct));
        Assert.Equal("charge_already_refunded", done.StripeError.Code);
        var neither = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { Amount = 1 }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, neither.HttpStatusCode);

        var refundedEvents = await stripe.V1.Events.ListAsync(new EventListOptions { Type = "charge.*" }, cancellationToken: Ct);
        Assert.Equal(2, refundedEvents.Data.Count);
        var one = await stripe.V1.Events.GetAsync(refundedEvents.Data[0].Id, cancellationToken: Ct);
        Assert.Equal("charge.refunded", one.Type);
        Assert.Equal(300, Assert.IsType<Charge>(one.Data.Object).AmountRefunded);
    }

    [Fact]
    public async Task Subscription_requests_are_validated_in_Stripes_error_shape_and_the_control_routes_are_documented()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);

        var oneTime = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.CreditsPrice }],
        }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, oneTime.HttpStatusCode);
        Assert.Equal("items[0][price]", oneTime.StripeError.Param);
        var noCustomer = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = "cus_missing",
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, noCustomer.HttpStatusCode);
        var missing = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.GetAsync("sub_missing", cancellationToken: Ct));
        Assert.Equal("resource_missing", missing.StripeError.Code);
        Assert.StartsWith("req_", missing.StripeResponse.RequestId, StringComparison.Ordinal);

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", StripeProvider.SecretKey);
        using var badLimit = await http.GetAsync(sandbox.BaseUrl("stripe") + "/v1/events?limit=0", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.True(badLimit.Headers.Contains("Request-Id"));

        using var badEndState = await sandbox.Control.PostAsJsonAsync("/control/stripe/subscriptions/sub_missing/payment-failure", new { fail = true, end_state = "gone" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badEndState.StatusCode);
        using var unknown = await sandbox.Control.PostAsJsonAsync("/control/stripe/subscriptions/sub_missing/payment-failure", new { fail = true }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var openApi = await sandbox.Control.GetStringAsync("/openapi/v1.json", Ct);
        Assert.Contains("/control/stripe/subscriptions/{id}/payment-failure", openApi, StringComparison.Ordinal);
        Assert.Contains("/control/stripe/subscriptions/{id}/renew", openApi, StringComparison.Ordinal);
        Assert.Contains("\"/control/stripe/subscriptions\"", openApi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_control_renew_route_moves_the_sandbox_clock_to_the_next_renewal()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var created = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);
        var start = new DateTimeOffset(created.Items.Data[0].CurrentPeriodStart, TimeSpan.Zero);

        // From Nov 23: Dec 23 (30 days on), then Jan 23 (31 more), on the calendar.
        var view = await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{created.Id}/renew");
        Assert.Equal(start.AddMonths(1).ToUnixTimeSeconds(), view["current_period_start"]!.GetValue<long>());
        Assert.Equal(start.AddMonths(2).ToUnixTimeSeconds(), view["current_period_end"]!.GetValue<long>());
        Assert.Equal((new DateTimeOffset(2026, 12, 23, 12, 0, 0, TimeSpan.Zero), 31L), (start.AddMonths(1), (start.AddMonths(2) - start.AddMonths(1)).Days));
        var listed = await sandbox.GetArrayAsync("/control/stripe/subscriptions");
        Assert.Equal(created.Id, listed.Single()!["id"]!.GetValue<string>());
        Assert.Equal(2, (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.paid" }, cancellationToken: Ct)).Data.Count);
    }

    /// <summary>
    /// State is in the sandbox's store: after a stop and a start the subscription, its events and its clock are
    /// there, and a clock the stop caught <c>advancing</c> (written into the store here) finishes its advance.
    /// </summary>
    internal static StripeClient Client(TestSandbox sandbox) => new(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));

    internal static int Count(IEnumerable<Event> events, string type) => events.Count(e => e.Type == type);

    private static Invoice LastFailed(List<Event> events) => (Invoice)events.Last(e => e.Type == "invoice.payment_failed").Data.Object;

    private static List<Event> Verified(Receiver receiver) =>
        [.. receiver.All.Select(r => EventUtility.ConstructEvent(r.Body, r.Header("Stripe-Signature"), StripeProvider.WebhookSecret))];

    /// <summary>Reads deliveries, each verified with EventUtility, until <paramref name="done"/> holds.</summary>
    internal static async Task CollectAsync(Receiver receiver, List<Event> events, Func<List<Event>, bool> done)
    {
        while (!done(events))
        {
            var received = await receiver.NextAsync();
            events.Add(EventUtility.ConstructEvent(received.Body, received.Header("Stripe-Signature"), StripeProvider.WebhookSecret));
        }
    }

    /// <summary>Moves the sandbox clock to the subscription's <c>current_period_end</c>, as the API answers it, and runs what fell due.</summary>
    internal static async Task AdvanceToPeriodEndAsync(TestSandbox sandbox, StripeClient stripe, string subscriptionId)
    {
        var end = (await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct)).Items.Data[0].CurrentPeriodEnd;
        await sandbox.AdvanceAsync(new DateTimeOffset(end, TimeSpan.Zero) - sandbox.Server.Context.Clock.GetUtcNow());
    }

    internal static async Task AdvanceClockAsync(StripeClient stripe, string clockId, DateTime to)
    {
        await stripe.V1.TestHelpers.TestClocks.AdvanceAsync(clockId, new TestClockAdvanceOptions { FrozenTime = to }, cancellationToken: Ct);
        Assert.Equal(to, (await WaitReadyAsync(stripe, clockId)).FrozenTime);
    }

    /// <summary>Polls the clock as Stripe's docs tell integrations to, until it is ready again.</summary>
    internal static async Task<TestClock> WaitReadyAsync(StripeClient stripe, string clockId)
    {
        for (var i = 0; i < 300; i++)
        {
            var clock = await stripe.V1.TestHelpers.TestClocks.GetAsync(clockId, cancellationToken: Ct);
            if (clock.Status == "ready")
            {
                return clock;
            }

            Assert.Equal("advancing", clock.Status);
            await Task.Delay(50, Ct);
        }

        throw new TimeoutException($"test clock {clockId} stayed advancing");
    }
}
