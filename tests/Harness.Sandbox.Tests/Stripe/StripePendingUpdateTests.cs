using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeInvoicePayTests;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// <c>payment_behavior</c> on <c>POST /v1/subscriptions/{id}</c> through Stripe.net 53.1.0: an upgrade invoiced at once
/// (<c>proration_behavior=always_invoice</c>) whose charge declines is kept in <c>pending_update</c> until its invoice is
/// paid (<c>pending_if_incomplete</c>) or refused with the card's 402 (<c>error_if_incomplete</c>); an unpaid pending
/// update expires after 23 hours with its invoice voided, and voiding the invoice or a new change drops it;
/// <c>default_incomplete</c> leaves the invoice's PaymentIntent for the merchant to confirm.
/// </summary>
public sealed class StripePendingUpdateTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A monthly subscription paid with a Visa, whose saved card then becomes <paramref name="card"/>, 15 days in.</summary>
    private static async Task<Subscription> HalfwayAsync(TestSandbox sandbox, StripeClient stripe, string card)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "pending@example.com" }, cancellationToken: Ct);
        await DefaultCardAsync(stripe, customer.Id, "pm_card_visa");
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        await DefaultCardAsync(stripe, customer.Id, card);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(15));
        return subscription;
    }

    private static Task<Subscription> UpgradeAsync(StripeClient stripe, Subscription subscription, string behavior, Dictionary<string, string>? metadata = null, List<string>? expand = null)
    {
        var options = new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Price = StripeCatalog.TeamMonthlyPrice }],
            ProrationBehavior = "always_invoice",
            PaymentBehavior = behavior,
            Expand = expand ?? ["latest_invoice"],
        };

        // Stripe.net sends a metadata set to null as metadata="" (unset every key).
        if (metadata is not null)
        {
            options.Metadata = metadata;
        }

        return stripe.V1.Subscriptions.UpdateAsync(subscription.Id, options, cancellationToken: Ct);
    }

    private static Task<Subscription> GetAsync(StripeClient stripe, string id) =>
        stripe.V1.Subscriptions.GetAsync(id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);

    /// <summary>The sandbox clock to the second, as Stripe's timestamps are.</summary>
    private static async Task<DateTime> NowAsync(TestSandbox sandbox)
    {
        var now = DateTimeOffset.Parse((await sandbox.GetJsonAsync("/control/clock"))["now"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        return DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()).UtcDateTime;
    }

    private static JsonNode Last(Receiver receiver, string type) =>
        receiver.All.Select(r => JsonNode.Parse(r.Body)!).Last(e => e["type"]!.GetValue<string>() == type);

    [Fact]
    public async Task An_upgrade_whose_invoice_pays_applies_at_once_with_pending_if_incomplete()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await HalfwayAsync(sandbox, stripe, "pm_card_mastercard");

        var upgraded = await UpgradeAsync(stripe, subscription, "pending_if_incomplete");
        Assert.Equal((StripeCatalog.TeamMonthlyPrice, "active"), (upgraded.Items.Data[0].Price.Id, upgraded.Status));
        Assert.Null(upgraded.PendingUpdate);

        // 15 of 30 days: 1500 for the rest on Team less 500 unused on Pro.
        Assert.Equal(("paid", 1000L, "subscription_update"), (upgraded.LatestInvoice.Status, upgraded.LatestInvoice.AmountPaid, upgraded.LatestInvoice.BillingReason));
    }

    [Fact]
    public async Task An_upgrade_whose_invoice_declines_waits_in_pending_update_until_its_invoice_is_paid()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await HalfwayAsync(sandbox, stripe, "pm_card_chargeCustomerFail");
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var before = await NowAsync(sandbox);
        var pending = await UpgradeAsync(stripe, subscription, "pending_if_incomplete", new Dictionary<string, string> { ["plan"] = "team" });
        var after = await NowAsync(sandbox);
        Assert.Equal((StripeCatalog.MonthlyPrice, "active"), (pending.Items.Data[0].Price.Id, pending.Status));
        Assert.Empty(pending.Metadata);
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, pending.PendingUpdate.SubscriptionItems.Single().Price.Id);
        Assert.InRange(pending.PendingUpdate.ExpiresAt, before.AddHours(23), after.AddHours(23));
        Assert.Null(pending.PendingUpdate.BillingCycleAnchor);
        var invoice = pending.LatestInvoice;
        Assert.Equal(("open", 1000L, 1L), (invoice.Status, invoice.AmountDue, invoice.AttemptCount));
        Assert.Null(invoice.NextPaymentAttempt);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_failed") == 1);
        Assert.Equal(["invoiceitem.created", "invoiceitem.created", "customer.subscription.updated", "invoice.created", "invoice.finalized", "invoice.payment_failed"],
            events.Select(e => e.Type).OrderBy(t => t == "invoiceitem.created" ? 0 : 1).ToList());
        var updated = Last(receiver, "customer.subscription.updated")["data"]!;
        Assert.True(updated["previous_attributes"]!.AsObject().ContainsKey("pending_update"));
        Assert.Null(updated["previous_attributes"]!["pending_update"]);

        var paid = await stripe.V1.Invoices.PayAsync(invoice.Id, new InvoicePayOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct);
        Assert.Equal(("paid", 1000L), (paid.Status, paid.AmountPaid));
        var applied = await GetAsync(stripe, subscription.Id);
        Assert.Equal((StripeCatalog.TeamMonthlyPrice, "team"), (applied.Items.Data[0].Price.Id, applied.Metadata["plan"]));
        Assert.Null(applied.PendingUpdate);

        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.pending_update_applied") == 1);
        var change = Last(receiver, "customer.subscription.updated")["data"]!;
        Assert.Equal(StripeCatalog.MonthlyPrice, change["previous_attributes"]!["items"]!["data"]![0]!["price"]!["id"]!.GetValue<string>());
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, change["previous_attributes"]!["pending_update"]!["subscription_items"]![0]!["price"]!["id"]!.GetValue<string>());

        // The pending update's expiry no longer applies to it.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal("paid", (await stripe.V1.Invoices.GetAsync(invoice.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task An_unpaid_pending_update_expires_after_23_hours_with_its_invoice_voided()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await HalfwayAsync(sandbox, stripe, "pm_card_chargeCustomerFail");
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var pending = await UpgradeAsync(stripe, subscription, "pending_if_incomplete");

        await sandbox.AdvanceAsync(TimeSpan.FromHours(22));
        Assert.NotNull((await GetAsync(stripe, subscription.Id)).PendingUpdate);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(1));
        var expired = await GetAsync(stripe, subscription.Id);
        Assert.Null(expired.PendingUpdate);
        Assert.Equal((StripeCatalog.MonthlyPrice, "active"), (expired.Items.Data[0].Price.Id, expired.Status));
        Assert.Equal("void", (await stripe.V1.Invoices.GetAsync(pending.LatestInvoiceId, cancellationToken: Ct)).Status);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.pending_update_expired") == 1);
        Assert.Equal(1, Count(events, "invoice.voided"));
        Assert.Equal(pending.LatestInvoiceId, ((Invoice)events.Single(e => e.Type == "invoice.voided").Data.Object).Id);
    }

    [Fact]
    public async Task A_pending_update_survives_a_restart_and_applies_when_paid()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-pending-" + Guid.NewGuid().ToString("N"));
        var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        string subscriptionId, invoiceId;
        await using (var first = await TestSandbox.StartAsync(now: start, configure: o => o.DataDirectory = data))
        {
            var stripe = Client(first);
            var subscription = await HalfwayAsync(first, stripe, "pm_card_chargeCustomerFail");
            var pending = await UpgradeAsync(stripe, subscription, "pending_if_incomplete");
            (subscriptionId, invoiceId) = (subscription.Id, pending.LatestInvoiceId);
        }

        await using var second = await TestSandbox.StartAsync(now: start.AddDays(15).AddHours(1), configure: o => o.DataDirectory = data);
        var again = Client(second);
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, (await GetAsync(again, subscriptionId)).PendingUpdate.SubscriptionItems.Single().Price.Id);
        await again.V1.Invoices.PayAsync(invoiceId, new InvoicePayOptions { PaidOutOfBand = true }, cancellationToken: Ct);
        var applied = await GetAsync(again, subscriptionId);
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, applied.Items.Data[0].Price.Id);
        Assert.Null(applied.PendingUpdate);
    }

    [Fact]
    public async Task Error_if_incomplete_refuses_an_upgrade_whose_invoice_declines_and_changes_nothing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await HalfwayAsync(sandbox, stripe, "pm_card_chargeCustomerFail");

        var refused = await Assert.ThrowsAsync<StripeException>(() => UpgradeAsync(stripe, subscription, "error_if_incomplete"));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_error", "card_declined"), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Code));
        var unchanged = await GetAsync(stripe, subscription.Id);
        Assert.Equal((StripeCatalog.MonthlyPrice, subscription.LatestInvoiceId), (unchanged.Items.Data[0].Price.Id, unchanged.LatestInvoiceId));
        Assert.Single((await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = subscription.Id }, cancellationToken: Ct)).Data);
        Assert.Empty((await stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = subscription.CustomerId }, cancellationToken: Ct)).Data);

        // A change that invoices nothing now is not charged now, so it applies whatever the card.
        var prorated = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Price = StripeCatalog.TeamMonthlyPrice }],
            PaymentBehavior = "error_if_incomplete",
        }, cancellationToken: Ct);
        Assert.Equal(StripeCatalog.TeamMonthlyPrice, prorated.Items.Data[0].Price.Id);
    }

    [Fact]
    public async Task Default_incomplete_applies_an_upgrade_and_leaves_its_invoice_for_the_merchant_to_confirm()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await HalfwayAsync(sandbox, stripe, "pm_card_visa");

        var upgraded = await UpgradeAsync(stripe, subscription, "default_incomplete", expand: ["latest_invoice.confirmation_secret", "latest_invoice.payments"]);
        Assert.Equal((StripeCatalog.TeamMonthlyPrice, "past_due"), (upgraded.Items.Data[0].Price.Id, upgraded.Status));
        Assert.Equal(("open", 1000L, 0L), (upgraded.LatestInvoice.Status, upgraded.LatestInvoice.AmountDue, upgraded.LatestInvoice.AttemptCount));
        Assert.StartsWith("pi_", upgraded.LatestInvoice.ConfirmationSecret.ClientSecret, StringComparison.Ordinal);
        var intentId = upgraded.LatestInvoice.Payments.Data.Single().Payment.PaymentIntentId;
        var intent = await stripe.V1.PaymentIntents.GetAsync(intentId, cancellationToken: Ct);
        Assert.Equal(("requires_confirmation", 1000L), (intent.Status, intent.Amount));

        var confirmed = await stripe.V1.PaymentIntents.ConfirmAsync(intentId, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct);
        Assert.Equal("succeeded", confirmed.Status);
        var active = await GetAsync(stripe, subscription.Id);
        Assert.Equal(("active", "paid", 1000L), (active.Status, active.LatestInvoice.Status, active.LatestInvoice.AmountPaid));
    }

    [Fact]
    public async Task Voiding_the_invoice_or_a_new_change_drops_a_pending_update_and_bad_behaviors_are_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var subscription = await HalfwayAsync(sandbox, stripe, "pm_card_chargeCustomerFail");

        var first = await UpgradeAsync(stripe, subscription, "pending_if_incomplete");
        await stripe.V1.Invoices.VoidInvoiceAsync(first.LatestInvoiceId, cancellationToken: Ct);
        Assert.Null((await GetAsync(stripe, subscription.Id)).PendingUpdate);

        var second = await UpgradeAsync(stripe, subscription, "pending_if_incomplete");
        var quantity = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Quantity = 2 }],
        }, cancellationToken: Ct);
        Assert.Null(quantity.PendingUpdate);
        Assert.Equal((StripeCatalog.MonthlyPrice, 2L), (quantity.Items.Data[0].Price.Id, quantity.Items.Data[0].Quantity));
        Assert.Equal("void", (await stripe.V1.Invoices.GetAsync(second.LatestInvoiceId, cancellationToken: Ct)).Status);

        var third = await UpgradeAsync(stripe, subscription, "pending_if_incomplete");
        await stripe.V1.Subscriptions.CancelAsync(subscription.Id, cancellationToken: Ct);
        Assert.Equal("void", (await stripe.V1.Invoices.GetAsync(third.LatestInvoiceId, cancellationToken: Ct)).Status);
        Assert.Null((await GetAsync(stripe, subscription.Id)).PendingUpdate);

        var other = await HalfwayAsync(sandbox, stripe, "pm_card_visa");
        var withCancel = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.UpdateAsync(other.Id, new SubscriptionUpdateOptions
        {
            PaymentBehavior = "pending_if_incomplete",
            CancelAtPeriodEnd = true,
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "cancel_at_period_end"), (withCancel.HttpStatusCode, withCancel.StripeError.Param));
        foreach (var behavior in new[] { "always", "sometimes" })
        {
            var bad = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.UpdateAsync(other.Id, new SubscriptionUpdateOptions { PaymentBehavior = behavior }, cancellationToken: Ct));
            Assert.Equal((HttpStatusCode.BadRequest, "payment_behavior"), (bad.HttpStatusCode, bad.StripeError.Param));
        }
    }
}
