using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// <c>off_session</c> on <c>POST /v1/subscriptions</c>, through Stripe.net 53.1.0: with the customer away, a saved card
/// that needs 3-D Secure fails the first payment with <c>authentication_required</c> rather than asking for the
/// challenge, and the subscription follows <c>payment_behavior</c>.
/// </summary>
public sealed class StripeOffSessionSubscriptionTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<string> CustomerWithCardAsync(StripeClient stripe, string card)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "away@example.com" }, cancellationToken: Ct);
        var saved = (await stripe.V1.PaymentMethods.AttachAsync(card, new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct)).Id;
        await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = saved } }, cancellationToken: Ct);
        return customer.Id;
    }

    private static Task<Subscription> SubscribeAsync(StripeClient stripe, string customer, bool? offSession, string? behavior = null) =>
        stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            OffSession = offSession,
            PaymentBehavior = behavior,
            Expand = ["latest_invoice.payments"],
        }, cancellationToken: Ct);

    [Fact]
    public async Task Off_session_a_card_needing_authentication_fails_the_first_invoice_and_leaves_the_subscription_incomplete()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerWithCardAsync(stripe, "pm_card_authenticationRequired");

        var subscription = await SubscribeAsync(stripe, customer, offSession: true);
        Assert.Equal(("incomplete", "open", 1L), (subscription.Status, subscription.LatestInvoice.Status, subscription.LatestInvoice.AttemptCount));
        var intent = await stripe.V1.PaymentIntents.GetAsync(subscription.LatestInvoice.Payments.Data.Single().Payment.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal(("requires_payment_method", "authentication_required", (PaymentIntentNextAction?)null), (intent.Status, intent.LastPaymentError.Code, intent.NextAction));
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_failed") == 1 && Count(e, "payment_intent.payment_failed") == 1);
        Assert.Equal(0, Count(events, "invoice.payment_action_required"));

        // The same card on-session asks for the challenge instead.
        var onSession = await SubscribeAsync(stripe, customer, offSession: false);
        var challenged = await stripe.V1.PaymentIntents.GetAsync(onSession.LatestInvoice.Payments.Data.Single().Payment.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal(("incomplete", "requires_action"), (onSession.Status, challenged.Status));

        // Confirmed later with a card that needs no challenge, the first invoice pays.
        await stripe.V1.PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct);
        Assert.Equal("active", (await stripe.V1.Subscriptions.GetAsync(subscription.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Off_session_with_error_if_incomplete_answers_authentication_required_and_creates_nothing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerWithCardAsync(stripe, "pm_card_authenticationRequired");

        var refused = await Assert.ThrowsAsync<StripeException>(() => SubscribeAsync(stripe, customer, offSession: true, "error_if_incomplete"));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_error", "authentication_required"), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Code));
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customer, Status = "all" }, cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task Off_session_with_a_card_needing_no_authentication_pays_at_once_and_a_non_boolean_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerWithCardAsync(stripe, "pm_card_visa");

        var paid = await SubscribeAsync(stripe, customer, offSession: true);
        Assert.Equal(("active", "paid", 999L), (paid.Status, paid.LatestInvoice.Status, paid.LatestInvoice.AmountPaid));

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", StripeProvider.SecretKey);
        var reply = await http.PostAsync(sandbox.BaseUrl("stripe") + "/v1/subscriptions", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["customer"] = customer,
            ["items[0][price]"] = StripeCatalog.MonthlyPrice,
            ["off_session"] = "sometimes",
        }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        var error = System.Text.Json.Nodes.JsonNode.Parse(await reply.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal(("invalid_request_error", "off_session"), ((string?)error["type"], (string?)error["param"]));
    }
}
