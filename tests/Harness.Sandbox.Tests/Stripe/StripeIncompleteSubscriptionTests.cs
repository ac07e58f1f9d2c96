using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// <c>POST /v1/subscriptions</c> whose first payment does not go through at creation, through Stripe.net 53.1.0:
/// <c>payment_behavior</c>, the <c>incomplete</c> subscription and its open invoice's PaymentIntent, paying it, and its
/// expiry after 23 hours on the sandbox clock (also across a restart). Webhooks are verified with EventUtility.
/// </summary>
public sealed class StripeIncompleteSubscriptionTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<Customer> CustomerAsync(StripeClient stripe, string? defaultCard = null)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "incomplete@example.com" }, cancellationToken: Ct);
        if (defaultCard is null)
        {
            return customer;
        }

        var card = (await stripe.V1.PaymentMethods.AttachAsync(defaultCard, new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct)).Id;
        return await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = card } }, cancellationToken: Ct);
    }

    private static Task<Subscription> SubscribeAsync(StripeClient stripe, string customer, string? behavior = null, bool saveCard = false) =>
        stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            PaymentBehavior = behavior,
            PaymentSettings = saveCard ? new SubscriptionPaymentSettingsOptions { SaveDefaultPaymentMethod = "on_subscription" } : null,
            Expand = ["latest_invoice.payments", "latest_invoice.confirmation_secret"],
        }, cancellationToken: Ct);

    private static string IntentOf(Subscription subscription) => subscription.LatestInvoice.Payments.Data.Single().Payment.PaymentIntentId;

    private static Task<Subscription> GetAsync(StripeClient stripe, string id) =>
        stripe.V1.Subscriptions.GetAsync(id, new SubscriptionGetOptions { Expand = ["latest_invoice.payments"] }, cancellationToken: Ct);

    /// <summary>The webhook bodies received so far, as JSON, for the fields Stripe.net keeps dynamic (previous_attributes).</summary>
    private static List<JsonNode> Raw(Receiver receiver) => [.. receiver.All.Select(r => JsonNode.Parse(r.Body)!)];

    [Fact]
    public async Task A_declining_card_leaves_the_subscription_incomplete_until_its_invoice_intent_is_confirmed_with_a_good_card()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, "pm_card_chargeCustomerFail");

        var subscription = await SubscribeAsync(stripe, customer.Id);
        Assert.Equal(("incomplete", "open", "subscription_create"), (subscription.Status, subscription.LatestInvoice.Status, subscription.LatestInvoice.BillingReason));
        Assert.Equal(1L, subscription.LatestInvoice.AttemptCount);
        var intent = await stripe.V1.PaymentIntents.GetAsync(IntentOf(subscription), cancellationToken: Ct);
        Assert.Equal(("requires_payment_method", "card_declined", 999L, customer.Id), (intent.Status, intent.LastPaymentError.Code, intent.Amount, intent.CustomerId));
        Assert.Equal(intent.ClientSecret, subscription.LatestInvoice.ConfirmationSecret.ClientSecret);
        Assert.Equal("failed", (await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).Status);

        var confirmed = await stripe.V1.PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct);
        Assert.Equal("succeeded", confirmed.Status);
        var active = await GetAsync(stripe, subscription.Id);
        Assert.Equal(("active", "paid", 999L, 2L), (active.Status, active.LatestInvoice.Status, active.LatestInvoice.AmountPaid, active.LatestInvoice.AttemptCount));
        Assert.Equal("paid", active.LatestInvoice.Payments.Data.Single().Status);

        string[] expected =
        [
            "customer.subscription.created", "invoice.created", "invoice.finalized", "invoice.payment_failed", "payment_intent.payment_failed",
            "payment_intent.succeeded", "invoice.paid", "invoice.payment_succeeded", "customer.subscription.updated",
        ];
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => expected.All(type => Count(e, type) >= 1));
        Assert.All(expected, type => Assert.Equal(1, Count(events, type)));

        Assert.Equal("incomplete", ((Subscription)events.Single(e => e.Type == "customer.subscription.created").Data.Object).Status);
        Assert.Equal(1L, ((Invoice)events.Single(e => e.Type == "invoice.payment_failed").Data.Object).AttemptCount);
        var updated = Raw(receiver).Single(e => e["type"]!.GetValue<string>() == "customer.subscription.updated");
        Assert.Equal(("incomplete", "active"), (updated["data"]!["previous_attributes"]!["status"]!.GetValue<string>(), updated["data"]!["object"]!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_card_needing_authentication_waits_for_the_challenge_and_passing_it_activates_the_subscription()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, "pm_card_authenticationRequired");

        var subscription = await SubscribeAsync(stripe, customer.Id, "allow_incomplete");
        Assert.Equal("incomplete", subscription.Status);
        var intent = await stripe.V1.PaymentIntents.GetAsync(IntentOf(subscription), cancellationToken: Ct);
        Assert.Equal(("requires_action", "use_stripe_sdk"), (intent.Status, intent.NextAction.Type));

        await sandbox.ActAsync(intent.Id, "pay");
        Assert.Equal("active", (await GetAsync(stripe, subscription.Id)).Status);
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.updated") == 1 && Count(e, "invoice.payment_action_required") == 1 && Count(e, "payment_intent.requires_action") == 1);
        Assert.Equal((1, 1, 0), (Count(events, "payment_intent.requires_action"), Count(events, "invoice.paid"), Count(events, "invoice.payment_failed")));
    }

    [Fact]
    public async Task Error_if_incomplete_answers_the_cards_402_and_keeps_no_subscription_and_bad_behaviors_are_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, "pm_card_chargeCustomerFail");

        var declined = await Assert.ThrowsAsync<StripeException>(() => SubscribeAsync(stripe, customer.Id, "error_if_incomplete"));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_error", "card_declined"), (declined.HttpStatusCode, declined.StripeError.Type, declined.StripeError.Code));
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer.Id, Status = "all" }, cancellationToken: Ct)).Data);

        foreach (var behavior in new[] { "pending_if_incomplete", "sometimes" })
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => SubscribeAsync(stripe, customer.Id, behavior));
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", "payment_behavior"), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param));
        }

        // A good card with error_if_incomplete pays at once.
        var good = await CustomerAsync(stripe, "pm_card_visa");
        Assert.Equal("active", (await SubscribeAsync(stripe, good.Id, "error_if_incomplete")).Status);
    }

    [Fact]
    public async Task Default_incomplete_leaves_the_intent_to_the_client_and_a_saved_default_card_confirms_it_and_stays_the_subscriptions()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);

        // No card: the client collects one with the client secret.
        var guest = await CustomerAsync(stripe);
        var waiting = await SubscribeAsync(stripe, guest.Id, "default_incomplete", saveCard: true);
        Assert.Equal(("incomplete", "open", 0L), (waiting.Status, waiting.LatestInvoice.Status, waiting.LatestInvoice.AttemptCount));
        var intent = await stripe.V1.PaymentIntents.GetAsync(IntentOf(waiting), cancellationToken: Ct);
        Assert.Equal(("requires_payment_method", intent.ClientSecret), (intent.Status, waiting.LatestInvoice.ConfirmationSecret.ClientSecret));
        await stripe.V1.PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_mastercard" }, cancellationToken: Ct);
        var active = await GetAsync(stripe, waiting.Id);
        Assert.Equal("active", active.Status);
        var saved = await stripe.V1.PaymentMethods.GetAsync(active.DefaultPaymentMethodId, cancellationToken: Ct);
        Assert.Equal((guest.Id, "4444"), (saved.CustomerId, saved.Card.Last4));

        // Its renewal charges that card.
        await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{waiting.Id}/renew");
        var renewal = (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = guest.Id, Limit = 1 }, cancellationToken: Ct)).Data[0];
        Assert.Equal((saved.Id, "succeeded"), (renewal.PaymentMethod, renewal.Status));

        // With a default card the intent names it, waiting for confirmation.
        var carded = await CustomerAsync(stripe, "pm_card_visa");
        var pending = await SubscribeAsync(stripe, carded.Id, "default_incomplete");
        var named = await stripe.V1.PaymentIntents.GetAsync(IntentOf(pending), cancellationToken: Ct);
        Assert.Equal(("requires_confirmation", carded.InvoiceSettings.DefaultPaymentMethodId), (named.Status, named.PaymentMethodId));
        Assert.Equal("succeeded", (await stripe.V1.PaymentIntents.ConfirmAsync(named.Id, cancellationToken: Ct)).Status);
        Assert.Equal("active", (await GetAsync(stripe, pending.Id)).Status);
    }

    [Fact]
    public async Task An_unpaid_incomplete_subscription_expires_after_23_hours_with_its_invoice_void_and_its_intent_canceled()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe);
        var subscription = await SubscribeAsync(stripe, customer.Id, "default_incomplete");

        await sandbox.AdvanceAsync(TimeSpan.FromHours(22));
        Assert.Equal("incomplete", (await GetAsync(stripe, subscription.Id)).Status);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(1));
        var expired = await GetAsync(stripe, subscription.Id);
        Assert.Equal(("incomplete_expired", "void"), (expired.Status, expired.LatestInvoice.Status));
        Assert.Equal(subscription.Created.AddHours(23), expired.EndedAt);
        var intent = await stripe.V1.PaymentIntents.GetAsync(IntentOf(subscription), cancellationToken: Ct);
        Assert.Equal(("canceled", "void_invoice"), (intent.Status, intent.CancellationReason));
        var late = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, late.HttpStatusCode);
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);
        Assert.Single((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer.Id, Status = "ended" }, cancellationToken: Ct)).Data);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.deleted") == 1 && Count(e, "invoice.voided") == 1 && Count(e, "payment_intent.canceled") == 1);
        Assert.Equal((1, 1, 0), (Count(events, "invoice.voided"), Count(events, "payment_intent.canceled"), Count(events, "invoice.paid")));
        Assert.Equal("incomplete_expired", ((Subscription)events.Single(e => e.Type == "customer.subscription.deleted").Data.Object).Status);
    }

    [Fact]
    public async Task An_incomplete_subscription_survives_a_restart_and_expires_on_the_clock_afterwards()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var options = new SandboxOptions { DataDirectory = data, BasePort = 0, Clock = clock };
        string subscriptionId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            var customer = await before.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
            subscriptionId = (await SubscribeAsync(before, customer.Id, "default_incomplete")).Id;
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
            Assert.Equal("incomplete", (await GetAsync(stripe, subscriptionId)).Status);
            clock.Advance(TimeSpan.FromHours(23));
            using var control = new HttpClient { BaseAddress = new Uri(second.ControlBaseUrl) };
            (await control.PostAsync("/control/clock/run-due", null, Ct)).EnsureSuccessStatusCode();
            Assert.Equal(("incomplete_expired", "void"), ((await GetAsync(stripe, subscriptionId)).Status, (await GetAsync(stripe, subscriptionId)).LatestInvoice.Status));
        }

        Directory.Delete(data, recursive: true);
    }
}
