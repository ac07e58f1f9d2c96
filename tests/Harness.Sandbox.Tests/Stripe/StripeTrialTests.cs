using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Subscription trials through Stripe.net 53.1.0, unmodified: <c>subscription_data[trial_period_days|trial_end]</c>
/// on a checkout, the trialing subscription and its paid 0 invoice, <c>customer.subscription.trial_will_end</c> three
/// days before the end, the first charge at <c>trial_end</c> (declined: past_due and the retry schedule), and
/// <c>trial_end=now</c>. Every webhook is verified with EventUtility.
/// </summary>
public sealed class StripeTrialTests
{
    private const long Day = 86_400;

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>2026-01-01 00:00 UTC, where the test clocks start.</summary>
    private static readonly DateTime Frozen = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Trial_parameters_are_refused_in_Stripes_error_shape_with_the_parameter_named()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var now = sandbox.Server.Context.Clock.GetUtcNow().UtcDateTime;

        async Task<StripeError> RefusedAsync(string mode, SessionSubscriptionDataOptions data)
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
            {
                Mode = mode,
                LineItems = [new SessionLineItemOptions { Price = mode == "payment" ? StripeCatalog.CreditsPrice : StripeCatalog.MonthlyPrice, Quantity = 1 }],
                SubscriptionData = data,
                SuccessUrl = "https://merchant.example/done",
            }, cancellationToken: Ct));
            Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
            Assert.Equal("invalid_request_error", refused.StripeError.Type);
            Assert.False(string.IsNullOrWhiteSpace(refused.StripeError.Message));
            return refused.StripeError;
        }

        Assert.Equal("subscription_data[trial_period_days]", (await RefusedAsync("subscription", new() { TrialPeriodDays = 0 })).Param);
        var tooLong = await RefusedAsync("subscription", new() { TrialPeriodDays = 731 });
        Assert.Equal("subscription_data[trial_period_days]", tooLong.Param);
        Assert.Contains("730", tooLong.Message, StringComparison.Ordinal);
        var tooSoon = await RefusedAsync("subscription", new() { TrialEnd = now.AddHours(47) });
        Assert.Equal("subscription_data[trial_end]", tooSoon.Param);
        Assert.Contains("48 hours", tooSoon.Message, StringComparison.Ordinal);
        Assert.Equal("subscription_data[trial_end]", (await RefusedAsync("subscription", new() { TrialEnd = now.AddDays(731) })).Param);
        var both = await RefusedAsync("subscription", new() { TrialPeriodDays = 7, TrialEnd = now.AddDays(7) });
        Assert.Equal("subscription_data[trial_end]", both.Param);
        Assert.Contains("trial_period_days", both.Message, StringComparison.Ordinal);
        Assert.Equal("subscription_data", (await RefusedAsync("payment", new() { TrialPeriodDays = 7 })).Param);
        var behavior = await RefusedAsync("subscription", new()
        {
            TrialPeriodDays = 7,
            TrialSettings = new() { EndBehavior = new() { MissingPaymentMethod = "refund" } },
        });
        Assert.Equal("subscription_data[trial_settings][end_behavior][missing_payment_method]", behavior.Param);

        // Not an integer: a 400 naming it, not a 500.
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", StripeProvider.SecretKey);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["mode"] = "subscription",
            ["line_items[0][price]"] = StripeCatalog.MonthlyPrice,
            ["line_items[0][quantity]"] = "1",
            ["subscription_data[trial_period_days]"] = "seven",
        });
        using var notInteger = await http.PostAsync(sandbox.BaseUrl("stripe") + "/v1/checkout/sessions", form, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, notInteger.StatusCode);
        var error = JsonNode.Parse(await notInteger.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("subscription_data[trial_period_days]", error["param"]!.GetValue<string>());

        // trial_end=now on an update ends a trial: refused for an active subscription (StripeTrialAddTests adds one).
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var active = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct);
        var notTrialing = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.Subscriptions.UpdateAsync(active.Id, new SubscriptionUpdateOptions { TrialEnd = SubscriptionTrialEnd.Now }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, notTrialing.HttpStatusCode);
        Assert.Equal("trial_end", notTrialing.StripeError.Param);
        Assert.Equal("active", (await stripe.V1.Subscriptions.GetAsync(active.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task A_trial_checkout_completes_without_payment_into_a_trialing_subscription_with_a_paid_zero_invoice()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "trial@example.com", TestClock = clock.Id }, cancellationToken: Ct);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            Customer = customer.Id,
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
            SubscriptionData = new SessionSubscriptionDataOptions
            {
                TrialPeriodDays = 14,
                TrialSettings = new() { EndBehavior = new() { MissingPaymentMethod = "cancel" } },
            },
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        Assert.Equal(0, session.AmountTotal);
        Assert.Equal("unpaid", session.PaymentStatus);

        await sandbox.ActAsync(session.Id, "pay");
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 1);
        Assert.Equal(["checkout.session.completed", "customer.subscription.created", "invoice.paid"], events.Select(e => e.Type));

        var completed = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct);
        Assert.Equal(("complete", "no_payment_required", 0L), (completed.Status, completed.PaymentStatus, completed.AmountTotal));
        Assert.Equal("no_payment_required", Assert.IsType<Session>(events[0].Data.Object).PaymentStatus);

        var subscription = await stripe.V1.Subscriptions.GetAsync(completed.SubscriptionId, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal("trialing", subscription.Status);
        Assert.Equal((Frozen, Frozen.AddDays(14)), (subscription.TrialStart, subscription.TrialEnd));
        Assert.Equal((Frozen, Frozen.AddDays(14)), (subscription.Items.Data[0].CurrentPeriodStart, subscription.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal(Frozen.AddDays(14), subscription.BillingCycleAnchor);
        Assert.Equal("cancel", subscription.TrialSettings.EndBehavior.MissingPaymentMethod);
        Assert.Equal("trialing", Assert.IsType<Subscription>(events[1].Data.Object).Status);

        var invoice = subscription.LatestInvoice;
        Assert.Equal(("subscription_create", "paid"), (invoice.BillingReason, invoice.Status));
        Assert.Equal((0L, 0L, 0L), (invoice.AmountDue, invoice.AmountPaid, invoice.Total));
        Assert.Equal((Frozen, Frozen.AddDays(14)), (invoice.PeriodStart, invoice.PeriodEnd));
        var line = Assert.Single(invoice.Lines.Data);
        Assert.Equal(0, line.Amount);
        Assert.StartsWith("Trial period for ", line.Description, StringComparison.Ordinal);
        var paid = Assert.IsType<Invoice>(events[2].Data.Object);
        Assert.Equal((invoice.Id, 0L, "paid"), (paid.Id, paid.AmountPaid, paid.Status));
        // Nothing was charged, and nothing is owed until the trial ends.
        Assert.Empty((await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);
        Assert.Empty((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "customer.subscription.trial_will_end" }, cancellationToken: Ct)).Data);

        var trialing = await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Status = "trialing" }, cancellationToken: Ct);
        Assert.Equal([subscription.Id], trialing.Data.Select(s => s.Id));
        var listed = (await sandbox.GetArrayAsync("/control/stripe/subscriptions")).Single()!;
        Assert.Equal(("trialing", ((DateTimeOffset)Frozen.AddDays(14)).ToUnixTimeSeconds()), (listed["status"]!.GetValue<string>(), listed["current_period_end"]!.GetValue<long>()));
        var page = await sandbox.Control.GetStringAsync("/dashboard/subscriptions", Ct);
        Assert.Contains("<span class=\"status status-trialing\">trialing</span>", page, StringComparison.Ordinal);
    }

    /// <summary>One-time items are not part of the trial: they are charged at once, so the checkout is paid.</summary>
    [Fact]
    public async Task One_time_items_of_a_trial_checkout_are_charged_at_once_and_the_recurring_price_waits_for_the_trial()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems =
            [
                new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 },
                new SessionLineItemOptions { Price = StripeCatalog.CreditsPrice, Quantity = 3 },
            ],
            SubscriptionData = new SessionSubscriptionDataOptions { TrialPeriodDays = 7 },
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        Assert.Equal(300, session.AmountTotal);

        await sandbox.ActAsync(session.Id, "pay");
        var completed = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["subscription", "invoice"] }, cancellationToken: Ct);
        Assert.Equal("paid", completed.PaymentStatus);
        Assert.Equal("trialing", completed.Subscription.Status);
        Assert.Equal((300L, 300L, "paid"), (completed.Invoice.AmountDue, completed.Invoice.AmountPaid, completed.Invoice.Status));
        var charge = Assert.Single((await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = completed.CustomerId }, cancellationToken: Ct)).Data);
        Assert.Equal((300L, "succeeded"), (charge.Amount, charge.Status));

        await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{completed.SubscriptionId}/renew");
        var charges = (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = completed.CustomerId }, cancellationToken: Ct)).Data;
        Assert.Equal([999L, 300L], charges.Select(c => c.Amount));
    }

    /// <summary>A 14-day trial on a test clock: the notice on day 11 (not a second before), the first charge on day 14.</summary>
    [Fact]
    public async Task Trial_will_end_comes_three_days_before_the_end_and_the_first_charge_at_trial_end()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clock.Id }, cancellationToken: Ct);
        var subscriptionId = await PaidTrialCheckoutAsync(sandbox, stripe, new() { TrialPeriodDays = 14 }, customer.Id);
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 1);

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddDays(11).AddSeconds(-1));
        await sandbox.RunDueAsync();
        Assert.Empty((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "customer.subscription.trial_will_end" }, cancellationToken: Ct)).Data);

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddDays(11).AddSeconds(1));
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.trial_will_end") == 1);
        var notice = Assert.IsType<Subscription>(events[^1].Data.Object);
        Assert.Equal((subscriptionId, "trialing", Frozen.AddDays(14)), (notice.Id, notice.Status, notice.TrialEnd));

        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddDays(14));
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 1);
        var updated = events.Single(e => e.Type == "customer.subscription.updated");
        var active = Assert.IsType<Subscription>(updated.Data.Object);
        Assert.Equal("active", active.Status);
        // Jan 15 to Feb 15: a calendar month from the trial's end.
        Assert.Equal((Frozen.AddDays(14), Frozen.AddDays(14).AddMonths(1)), (active.Items.Data[0].CurrentPeriodStart, active.Items.Data[0].CurrentPeriodEnd));
        var previous = await PreviousAttributesAsync(sandbox, updated.Id);
        Assert.Equal("trialing", previous["status"]!.GetValue<string>());
        Assert.Equal(((DateTimeOffset)Frozen.AddDays(14)).ToUnixTimeSeconds(), previous["current_period_end"]!.GetValue<long>());

        var charged = (Invoice)events.Last(e => e.Type == "invoice.paid").Data.Object;
        Assert.Equal(("subscription_cycle", 999L, "paid"), (charged.BillingReason, charged.AmountPaid, charged.Status));
        Assert.Equal((Frozen.AddDays(14), Frozen.AddDays(14).AddMonths(1)), (charged.PeriodStart, charged.PeriodEnd));
        Assert.Equal(charged.Id, active.LatestInvoiceId);
        var charge = Assert.Single((await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);
        Assert.Equal((999L, "succeeded"), (charge.Amount, charge.Status));

        // Then it renews as any subscription: a month after the trial's end.
        await AdvanceClockAsync(stripe, clock.Id, Frozen.AddDays(14).AddMonths(1));
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 2);
        Assert.Equal(Frozen.AddDays(14).AddMonths(2), (await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct)).Items.Data[0].CurrentPeriodEnd);
        Assert.Equal(1, Count(events, "customer.subscription.trial_will_end"));
    }

    /// <summary>
    /// The card declines when the trial ends (the control API's payment-failure switch; the control renew ends the
    /// trial): past_due, then the retry schedule of 3, 5 and 7 days, then the end state.
    /// </summary>
    [Fact]
    public async Task A_declined_first_charge_at_trial_end_is_past_due_and_follows_the_retry_schedule()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var subscriptionId = await PaidTrialCheckoutAsync(sandbox, stripe, new() { TrialPeriodDays = 7 });
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 1);
        var trialEnd = ((DateTimeOffset)(await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct)).TrialEnd!.Value).ToUnixTimeSeconds();
        await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{subscriptionId}/payment-failure", new { fail = true, end_state = "unpaid" });

        var renewed = await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{subscriptionId}/renew");
        Assert.Equal("past_due", renewed["status"]!.GetValue<string>());
        Assert.Equal((trialEnd, DateTimeOffset.FromUnixTimeSeconds(trialEnd).AddMonths(1).ToUnixTimeSeconds()), (renewed["current_period_start"]!.GetValue<long>(), renewed["current_period_end"]!.GetValue<long>()));
        Assert.Equal(trialEnd + (3 * Day), renewed["next_payment_attempt"]!.GetValue<long>());

        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_failed") == 1);
        Assert.Equal(1, Count(events, "customer.subscription.trial_will_end"));
        var updated = events.Single(e => e.Type == "customer.subscription.updated");
        Assert.Equal("past_due", Assert.IsType<Subscription>(updated.Data.Object).Status);
        Assert.Equal("trialing", (await PreviousAttributesAsync(sandbox, updated.Id))["status"]!.GetValue<string>());
        var failed = (Invoice)events.Last(e => e.Type == "invoice.payment_failed").Data.Object;
        Assert.Equal(("subscription_cycle", "open", 1L, 999L), (failed.BillingReason, failed.Status, failed.AttemptCount, failed.AmountDue));

        foreach (var (attempt, day) in new[] { (2, 3L), (3, 8L), (4, 15L) })
        {
            await sandbox.AdvanceAsync(DateTimeOffset.FromUnixTimeSeconds(trialEnd + (day * Day)) - sandbox.Server.Context.Clock.GetUtcNow());
            await CollectAsync(receiver, events, e => Count(e, "invoice.payment_failed") == attempt);
        }

        Assert.Equal("unpaid", (await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct)).Status);
        await CollectAsync(receiver, events, e => e.Any(x => x.Type == "customer.subscription.updated" && ((Subscription)x.Data.Object).Status == "unpaid"));
        Assert.DoesNotContain(events.Where(e => e.Type == "invoice.paid").Select(e => (Invoice)e.Data.Object), i => i.AmountPaid > 0);
    }

    /// <summary>A trial shorter than the three days' notice (trial_end 48 hours ahead) gets trial_will_end at once, and only once.</summary>
    [Fact]
    public async Task A_trial_shorter_than_three_days_sends_trial_will_end_with_the_checkout_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var trialEnd = sandbox.Server.Context.Clock.GetUtcNow().UtcDateTime.AddHours(48);
        var subscriptionId = await PaidTrialCheckoutAsync(sandbox, stripe, new() { TrialEnd = trialEnd });

        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.trial_will_end") == 1);
        Assert.Equal(["checkout.session.completed", "customer.subscription.created", "invoice.paid", "customer.subscription.trial_will_end"], events.Select(e => e.Type));
        var notice = Assert.IsType<Subscription>(events[^1].Data.Object);
        Assert.Equal((subscriptionId, "trialing", trialEnd), (notice.Id, notice.Status, notice.TrialEnd));

        await sandbox.AdvanceAsync(TimeSpan.FromHours(48));
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 1);
        Assert.Equal("active", (await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct)).Status);
        Assert.Single((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "customer.subscription.trial_will_end" }, cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task Trial_end_now_ends_the_trial_at_once_with_the_first_charge_and_a_new_billing_cycle()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var subscriptionId = await PaidTrialCheckoutAsync(sandbox, stripe, new() { TrialPeriodDays = 30 });
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 1 && Count(e, "payment_method.attached") == 1);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(5));
        var now = sandbox.Server.Context.Clock.GetUtcNow().UtcDateTime;

        var ended = await stripe.V1.Subscriptions.UpdateAsync(subscriptionId, new SubscriptionUpdateOptions { TrialEnd = SubscriptionTrialEnd.Now }, cancellationToken: Ct);
        Assert.Equal(("active", now, now), (ended.Status, ended.TrialEnd, ended.BillingCycleAnchor));
        Assert.Equal((now, now.AddMonths(1)), (ended.Items.Data[0].CurrentPeriodStart, ended.Items.Data[0].CurrentPeriodEnd));

        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 1);
        Assert.Equal(
            ["customer.subscription.trial_will_end", "customer.subscription.updated", "invoice.paid", "invoice.payment_succeeded"],
            events.Skip(4).Select(e => e.Type));
        var charged = (Invoice)events[^1].Data.Object;
        Assert.Equal(("subscription_update", 999L, now), (charged.BillingReason, charged.AmountPaid, charged.PeriodStart));
        var previous = await PreviousAttributesAsync(sandbox, events.Single(e => e.Type == "customer.subscription.updated").Id);
        Assert.Equal("trialing", previous["status"]!.GetValue<string>());
        Assert.Equal(((DateTimeOffset)now.AddDays(25)).ToUnixTimeSeconds(), previous["trial_end"]!.GetValue<long>());

        // The old trial end bills nothing; the new cycle renews a calendar month after the trial ended (Nov 28 to Dec 28).
        await sandbox.AdvanceAsync(TimeSpan.FromDays(25));
        Assert.Single((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.payment_succeeded" }, cancellationToken: Ct)).Data);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(5));
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 2);
        Assert.Equal("subscription_cycle", ((Invoice)events[^1].Data.Object).BillingReason);
    }

    /// <summary>Pays a trial checkout for the monthly price (for <paramref name="customerId"/>, or a new customer); returns its subscription.</summary>
    private static async Task<string> PaidTrialCheckoutAsync(TestSandbox sandbox, StripeClient stripe, SessionSubscriptionDataOptions trial, string? customerId = null)
    {
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            Customer = customerId,
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
            SubscriptionData = trial,
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        await sandbox.ActAsync(session.Id, "pay");
        return (await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).SubscriptionId;
    }

    /// <summary>An event's <c>data.previous_attributes</c> as sent, read from <c>GET /v1/events/{id}</c>.</summary>
    private static async Task<JsonObject> PreviousAttributesAsync(TestSandbox sandbox, string eventId)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", StripeProvider.SecretKey);
        var body = await http.GetStringAsync($"{sandbox.BaseUrl("stripe")}/v1/events/{eventId}", Ct);
        return JsonNode.Parse(body)!["data"]!["previous_attributes"]!.AsObject();
    }
}
