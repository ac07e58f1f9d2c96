using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// A trial added to an active subscription by <c>trial_end</c> on an update (the unused time credited, the next charge at
/// the trial's end), and a trial's end for a customer without a card under
/// <c>trial_settings[end_behavior][missing_payment_method]=cancel</c>, through Stripe.net 53.1.0.
/// </summary>
public sealed class StripeTrialAddTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static Task<Subscription> SubscribeAsync(StripeClient stripe, string customer, long? trialDays = null, string? missingPaymentMethod = null) =>
        stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            TrialPeriodDays = trialDays,
            TrialSettings = missingPaymentMethod is null ? null : new() { EndBehavior = new() { MissingPaymentMethod = missingPaymentMethod } },
        }, cancellationToken: Ct);

    [Fact]
    public async Task A_trial_added_to_an_active_subscription_credits_the_unused_time_and_charges_the_rest_at_its_end()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var active = await SubscribeAsync(stripe, customer.Id);
        var start = active.Created;
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 1);
        await stripe.V1.Subscriptions.UpdateAsync(active.Id, new SubscriptionUpdateOptions { CancelAtPeriodEnd = true }, cancellationToken: Ct);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(10));
        var now = start.AddDays(10);

        var trialing = await stripe.V1.Subscriptions.UpdateAsync(active.Id, new SubscriptionUpdateOptions { TrialEnd = now.AddDays(20) }, cancellationToken: Ct);
        Assert.Equal(("trialing", now, now.AddDays(20), now.AddDays(20)), (trialing.Status, trialing.TrialStart, trialing.TrialEnd, trialing.BillingCycleAnchor));
        Assert.Equal((now, now.AddDays(20)), (trialing.Items.Data[0].CurrentPeriodStart, trialing.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal(now.AddDays(20), trialing.CancelAt);

        // The unused 20 of 30 paid days: a pending credit of 999 × 20/30, for the invoice at the trial's end.
        await CollectAsync(receiver, events, e => Count(e, "invoiceitem.created") == 1);
        var updated = events.Last(e => e.Type == "customer.subscription.updated");
        Assert.Equal("invoiceitem.created", events[events.IndexOf(updated) + 1].Type);
        var credit = (InvoiceItem)events.Single(e => e.Type == "invoiceitem.created").Data.Object;
        Assert.Equal((-666L, true, (string?)null), (credit.Amount, credit.Proration, credit.InvoiceId));
        var previous = await PreviousAttributesAsync(sandbox, updated.Id);
        Assert.Equal("active", previous["status"]!.GetValue<string>());
        Assert.Null(previous["trial_end"]);
        Assert.True(previous.ContainsKey("trial_end"));
        Assert.Equal(((DateTimeOffset)start).ToUnixTimeSeconds(), previous["current_period_start"]!.GetValue<long>());
        Assert.Equal(((DateTimeOffset)start.AddMonths(1)).ToUnixTimeSeconds(), previous["cancel_at"]!.GetValue<long>());
        Assert.Single((await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = active.Id }, cancellationToken: Ct)).Data);

        // The notice three days before the end; the old period's end (day 30) bills nothing.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(17));
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.trial_will_end") == 1);
        Assert.Single((await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = active.Id }, cancellationToken: Ct)).Data);

        // Resumed, the trial's end charges what the credit leaves of the price.
        await stripe.V1.Subscriptions.UpdateAsync(active.Id, new SubscriptionUpdateOptions { CancelAtPeriodEnd = false }, cancellationToken: Ct);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(3));
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 2);
        var charged = (Invoice)events.Last(e => e.Type == "invoice.paid").Data.Object;
        Assert.Equal(("subscription_cycle", 333L, now.AddDays(20)), (charged.BillingReason, charged.AmountPaid, charged.PeriodStart));
        var renewed = await stripe.V1.Subscriptions.GetAsync(active.Id, cancellationToken: Ct);
        // Anchored at the trial's end (Dec 23), the next period ends a calendar month later, Jan 23.
        Assert.Equal(("active", now.AddDays(20).AddMonths(1)), (renewed.Status, renewed.Items.Data[0].CurrentPeriodEnd));
    }

    [Fact]
    public async Task Always_invoice_credits_the_customer_balance_at_once_and_none_credits_nothing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var other = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var invoiced = await SubscribeAsync(stripe, customer.Id);
        var plain = await SubscribeAsync(stripe, other.Id);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(10));
        var now = invoiced.Created.AddDays(10);

        var trialing = await stripe.V1.Subscriptions.UpdateAsync(invoiced.Id, new SubscriptionUpdateOptions
        {
            TrialEnd = now.AddDays(5),
            ProrationBehavior = "always_invoice",
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);
        Assert.Equal("trialing", trialing.Status);
        Assert.Equal(("subscription_update", -666L, 0L, "paid"), (trialing.LatestInvoice.BillingReason, trialing.LatestInvoice.Total, trialing.LatestInvoice.AmountDue, trialing.LatestInvoice.Status));
        Assert.Equal(-666L, (await stripe.V1.Customers.GetAsync(customer.Id, cancellationToken: Ct)).Balance);

        var noCredit = await stripe.V1.Subscriptions.UpdateAsync(plain.Id, new SubscriptionUpdateOptions { TrialEnd = now.AddDays(5), ProrationBehavior = "none" }, cancellationToken: Ct);
        Assert.Equal("trialing", noCredit.Status);
        Assert.Empty((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = other.Id }, cancellationToken: Ct)).Data);

        // At the trial's end the first invoice takes the credit balance: 999 − 666.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(5));
        var first = await stripe.V1.Subscriptions.GetAsync(invoiced.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(("active", "subscription_cycle", 333L), (first.Status, first.LatestInvoice.BillingReason, first.LatestInvoice.AmountPaid));
        var second = await stripe.V1.Subscriptions.GetAsync(plain.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(("active", 999L), (second.Status, second.LatestInvoice.AmountPaid));
    }

    [Fact]
    public async Task Adding_a_trial_is_refused_for_now_other_statuses_and_a_plan_change_in_the_same_update()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var active = await SubscribeAsync(stripe, customer.Id);
        var canceled = await SubscribeAsync(stripe, customer.Id);
        await stripe.V1.Subscriptions.CancelAsync(canceled.Id, cancellationToken: Ct);
        var later = active.Created.AddDays(5);

        async Task RefusedAsync(string id, SubscriptionUpdateOptions options, string param)
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.UpdateAsync(id, options, cancellationToken: Ct));
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", param), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param));
            Assert.False(string.IsNullOrWhiteSpace(refused.StripeError.Message));
        }

        await RefusedAsync(active.Id, new() { TrialEnd = SubscriptionTrialEnd.Now }, "trial_end");
        await RefusedAsync(canceled.Id, new() { TrialEnd = later }, "trial_end");
        await RefusedAsync(active.Id, new() { TrialEnd = later, Items = [new SubscriptionItemOptions { Id = active.Items.Data[0].Id, Quantity = 2 }] }, "trial_end");
        await RefusedAsync(active.Id, new() { TrialEnd = later, BillingCycleAnchor = new SubscriptionBillingCycleAnchorOptions { Type = "now" } }, "trial_end");
        await RefusedAsync(active.Id, new() { TrialEnd = active.Created.AddDays(-1) }, "trial_end");
        await RefusedAsync(active.Id, new() { TrialFromPlan = true }, "trial_from_plan");
        // Refused by a later parameter: no trial, and no credit stored.
        var notSaved = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.UpdateAsync(
            active.Id, new SubscriptionUpdateOptions { TrialEnd = later, DefaultPaymentMethod = "pm_nowhere" }, cancellationToken: Ct));
        Assert.Equal("default_payment_method", notSaved.StripeError.Param);
        var unchanged = await stripe.V1.Subscriptions.GetAsync(active.Id, cancellationToken: Ct);
        Assert.Equal(("active", (DateTime?)null), (unchanged.Status, unchanged.TrialEnd));
        Assert.Empty((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task A_trial_ending_without_a_card_under_missing_payment_method_cancel_is_canceled_without_an_invoice()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var events = new List<Event>();
        var cardless = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var carded = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var card = (await stripe.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = carded.Id }, cancellationToken: Ct)).Id;
        await stripe.V1.Customers.UpdateAsync(carded.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = card } }, cancellationToken: Ct);

        var canceling = await SubscribeAsync(stripe, cardless.Id, trialDays: 7, missingPaymentMethod: "cancel");
        var charging = await SubscribeAsync(stripe, carded.Id, trialDays: 7, missingPaymentMethod: "cancel");
        var invoicing = await SubscribeAsync(stripe, cardless.Id, trialDays: 7);
        Assert.Equal("cancel", canceling.TrialSettings.EndBehavior.MissingPaymentMethod);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(7));
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.deleted") == 1);
        var deleted = (Subscription)events.Single(e => e.Type == "customer.subscription.deleted").Data.Object;
        Assert.Equal((canceling.Id, "canceled", canceling.TrialEnd), (deleted.Id, deleted.Status, deleted.EndedAt));
        Assert.Equal(canceling.TrialEnd, deleted.CanceledAt);
        Assert.Single((await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = canceling.Id }, cancellationToken: Ct)).Data);

        // A saved card, or the default create_invoice: the trial's end charges as before.
        Assert.Equal("active", (await stripe.V1.Subscriptions.GetAsync(charging.Id, cancellationToken: Ct)).Status);
        Assert.Equal("active", (await stripe.V1.Subscriptions.GetAsync(invoicing.Id, cancellationToken: Ct)).Status);
        var charges = (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = carded.Id }, cancellationToken: Ct)).Data;
        Assert.Equal(card, Assert.Single(charges).PaymentMethod);
    }

    /// <summary>An event's <c>data.previous_attributes</c> as sent, read from <c>GET /v1/events/{id}</c>.</summary>
    internal static async Task<JsonObject> PreviousAttributesAsync(TestSandbox sandbox, string eventId)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", StripeProvider.SecretKey);
        var body = await http.GetStringAsync($"{sandbox.BaseUrl("stripe")}/v1/events/{eventId}", Ct);
        return JsonNode.Parse(body)!["data"]!["previous_attributes"]!.AsObject();
    }
}
