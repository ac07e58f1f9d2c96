using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// A trial ending without a card under <c>trial_settings[end_behavior][missing_payment_method]=pause</c>: the
/// subscription <c>paused</c>, nothing billed, and <c>POST /v1/subscriptions/{id}/resume</c>, through Stripe.net 53.1.0.
/// </summary>
public sealed class StripePauseTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A 7-day trial for a customer without a card, paused at its end.</summary>
    private static Task<Subscription> PausingTrialAsync(StripeClient stripe, string customer) =>
        stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            TrialPeriodDays = 7,
            TrialSettings = new() { EndBehavior = new() { MissingPaymentMethod = "pause" } },
        }, cancellationToken: Ct);

    private static async Task<List<Invoice>> InvoicesAsync(StripeClient stripe, string subscription) =>
        (await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = subscription }, cancellationToken: Ct)).Data;

    [Fact]
    public async Task A_cardless_trial_under_pause_is_paused_without_an_invoice_bills_nothing_and_resumes_with_a_new_period_charged_now()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var trialing = await PausingTrialAsync(stripe, customer.Id);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(7));
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.paused") == 1);
        var updated = events.Single(e => e.Type == "customer.subscription.updated");
        Assert.Equal("customer.subscription.paused", events[events.IndexOf(updated) + 1].Type);
        Assert.Equal("trialing", (await StripeTrialAddTests.PreviousAttributesAsync(sandbox, updated.Id))["status"]!.GetValue<string>());
        var paused = (Subscription)events.Single(e => e.Type == "customer.subscription.paused").Data.Object;
        Assert.Equal((trialing.Id, "paused", trialing.TrialEnd), (paused.Id, paused.Status, paused.TrialEnd));
        Assert.Null(paused.PauseCollection);
        Assert.Single(await InvoicesAsync(stripe, trialing.Id));

        // Paused: no renewal, no invoice, however long; listed under status=paused; the control API's renew refuses.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(65));
        await sandbox.RunDueAsync();
        Assert.Single(await InvoicesAsync(stripe, trialing.Id));
        var listed = await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Status = "paused" }, cancellationToken: Ct);
        Assert.Equal(trialing.Id, Assert.Single(listed.Data).Id);
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Status = "active" }, cancellationToken: Ct)).Data);
        var renew = await sandbox.Control.PostAsync($"/control/stripe/subscriptions/{trialing.Id}/renew", null, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, renew.StatusCode);

        // Resumed with the default billing_cycle_anchor=now: a new period from now, invoiced and charged at once.
        var card = "pm_card_visa";
        await StripeInvoicePayTests.DefaultCardAsync(stripe, customer.Id, card);
        var now = trialing.TrialEnd!.Value.AddDays(65);
        var resumed = await stripe.V1.Subscriptions.ResumeAsync(trialing.Id, new SubscriptionResumeOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(("active", now, now), (resumed.Status, resumed.BillingCycleAnchor, resumed.Items.Data[0].CurrentPeriodStart));
        // Feb 3 to Mar 3: a calendar month, February's 28 days.
        Assert.Equal(now.AddMonths(1), resumed.Items.Data[0].CurrentPeriodEnd);
        Assert.Equal(("paid", 999L, "subscription_update"), (resumed.LatestInvoice.Status, resumed.LatestInvoice.AmountPaid, resumed.LatestInvoice.BillingReason));
        Assert.Equal(2, (await InvoicesAsync(stripe, trialing.Id)).Count);

        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 2);
        var resumedEvent = events.Single(e => e.Type == "customer.subscription.resumed");
        var resumeUpdate = events[events.IndexOf(resumedEvent) - 1];
        Assert.Equal("customer.subscription.updated", resumeUpdate.Type);
        Assert.Equal("paused", (await StripeTrialAddTests.PreviousAttributesAsync(sandbox, resumeUpdate.Id))["status"]!.GetValue<string>());
        Assert.Equal("active", ((Subscription)resumedEvent.Data.Object).Status);
        Assert.True(events.IndexOf(resumedEvent) < events.FindLastIndex(e => e.Type == "invoice.paid"));

        // Only a paused subscription resumes.
        var again = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.ResumeAsync(trialing.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (again.HttpStatusCode, again.StripeError.Type));
        Assert.Contains("is active", again.StripeError.Message, StringComparison.Ordinal);

        // Renewing again on the new cycle.
        await AdvanceToPeriodEndAsync(sandbox, stripe, trialing.Id);
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 3);
        Assert.Equal(now.AddMonths(2), (await stripe.V1.Subscriptions.GetAsync(trialing.Id, cancellationToken: Ct)).Items.Data[0].CurrentPeriodEnd);
    }

    [Fact]
    public async Task Resuming_on_the_unchanged_cycle_prorates_the_period_around_now_and_a_declined_charge_makes_it_past_due()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var other = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var pending = await PausingTrialAsync(stripe, customer.Id);
        var invoiced = await PausingTrialAsync(stripe, other.Id);
        var trialEnd = pending.TrialEnd!.Value;
        await sandbox.AdvanceAsync(TimeSpan.FromDays(7 + 40));
        Assert.Equal("paused", (await stripe.V1.Subscriptions.GetAsync(pending.Id, cancellationToken: Ct)).Status);

        // 40 days after the anchor (Nov 30): the second period of the old cycle, Dec 30 to Jan 30, 21 of its 31 days left: 676.7, so 677.
        await StripeInvoicePayTests.DefaultCardAsync(stripe, customer.Id, "pm_card_visa");
        var resumed = await stripe.V1.Subscriptions.ResumeAsync(pending.Id, new SubscriptionResumeOptions { BillingCycleAnchor = new SubscriptionBillingCycleAnchorOptions { Type = "unchanged" } }, cancellationToken: Ct);
        Assert.Equal(("active", trialEnd), (resumed.Status, resumed.BillingCycleAnchor));
        Assert.Equal((trialEnd.AddMonths(1), trialEnd.AddMonths(2)), (resumed.Items.Data[0].CurrentPeriodStart, resumed.Items.Data[0].CurrentPeriodEnd));
        Assert.Single(await InvoicesAsync(stripe, pending.Id));
        var proration = Assert.Single((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id, Pending = true }, cancellationToken: Ct)).Data);
        Assert.Equal((677L, true, pending.Id), (proration.Amount, proration.Proration, proration.Parent.SubscriptionDetails.Subscription));

        // always_invoice bills the remaining time from proration_date (day 45: 16 of the period's 31 days, 515.6, so 516) now; declined, the subscription is past_due and the invoice retries.
        (await sandbox.Control.PostAsync($"/control/stripe/subscriptions/{invoiced.Id}/payment-failure",
            new StringContent("""{"fail":true}""", System.Text.Encoding.UTF8, "application/json"), Ct)).EnsureSuccessStatusCode();
        var failed = await stripe.V1.Subscriptions.ResumeAsync(invoiced.Id, new SubscriptionResumeOptions
        {
            BillingCycleAnchor = new SubscriptionBillingCycleAnchorOptions { Type = "unchanged" },
            ProrationBehavior = "always_invoice",
            ProrationDate = trialEnd.AddDays(45),
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);
        Assert.Equal(("past_due", "open", 516L), (failed.Status, failed.LatestInvoice.Status, failed.LatestInvoice.AmountDue));
        Assert.Equal(trialEnd.AddDays(40 + 3), failed.LatestInvoice.NextPaymentAttempt);
    }

    [Fact]
    public async Task Resume_refuses_bad_parameters_and_unknown_subscriptions_and_a_paused_date_outside_the_period()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var trial = await PausingTrialAsync(stripe, customer.Id);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(8));

        async Task<StripeException> RefusedAsync(string id, SubscriptionResumeOptions options) =>
            await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.ResumeAsync(id, options, cancellationToken: Ct));

        var anchor = await RefusedAsync(trial.Id, new SubscriptionResumeOptions { BillingCycleAnchor = new SubscriptionBillingCycleAnchorOptions { Type = "later" } });
        Assert.Equal((HttpStatusCode.BadRequest, "billing_cycle_anchor[type]"), (anchor.HttpStatusCode, anchor.StripeError.Param));
        var behavior = await RefusedAsync(trial.Id, new SubscriptionResumeOptions { ProrationBehavior = "sometimes" });
        Assert.Equal((HttpStatusCode.BadRequest, "proration_behavior"), (behavior.HttpStatusCode, behavior.StripeError.Param));
        var date = await RefusedAsync(trial.Id, new SubscriptionResumeOptions { BillingCycleAnchor = new SubscriptionBillingCycleAnchorOptions { Type = "unchanged" }, ProrationDate = trial.TrialEnd!.Value.AddDays(-1) });
        Assert.Equal((HttpStatusCode.BadRequest, "proration_date"), (date.HttpStatusCode, date.StripeError.Param));
        var unknown = await RefusedAsync(trial.Id, new SubscriptionResumeOptions { ExtraParams = { ["pause_collection"] = "x" } });
        Assert.Equal((HttpStatusCode.BadRequest, "parameter_unknown"), (unknown.HttpStatusCode, unknown.StripeError.Code));
        var missing = await RefusedAsync("sub_nope", new SubscriptionResumeOptions());
        Assert.Equal(HttpStatusCode.NotFound, missing.HttpStatusCode);
        Assert.Equal("paused", (await stripe.V1.Subscriptions.GetAsync(trial.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task A_paused_subscription_survives_a_restart_and_can_be_canceled_or_resumed_afterwards()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var options = new SandboxOptions { DataDirectory = data, BasePort = 0, Clock = clock };
        string canceledId, resumedId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            var customer = await before.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
            canceledId = (await PausingTrialAsync(before, customer.Id)).Id;
            resumedId = (await PausingTrialAsync(before, customer.Id)).Id;
            clock.Advance(TimeSpan.FromDays(7));
            using var control = new HttpClient { BaseAddress = new Uri(first.ControlBaseUrl) };
            (await control.PostAsync("/control/clock/run-due", null, Ct)).EnsureSuccessStatusCode();
            Assert.Equal("paused", (await before.V1.Subscriptions.GetAsync(canceledId, cancellationToken: Ct)).Status);
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
            Assert.Equal("paused", (await stripe.V1.Subscriptions.GetAsync(resumedId, cancellationToken: Ct)).Status);
            var canceled = await stripe.V1.Subscriptions.CancelAsync(canceledId, cancellationToken: Ct);
            Assert.Equal("canceled", canceled.Status);
            var resumed = await stripe.V1.Subscriptions.ResumeAsync(resumedId, cancellationToken: Ct);
            Assert.Equal("active", resumed.Status);
            Assert.Equal(2, (await InvoicesAsync(stripe, resumedId)).Count);
        }

        Directory.Delete(data, recursive: true);
    }
}
