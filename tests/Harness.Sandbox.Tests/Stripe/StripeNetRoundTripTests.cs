using System.Net;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>Stripe.net 53.1.0, unmodified, pointed at the running sandbox by its apiBase option.</summary>
public sealed class StripeNetRoundTripTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_open_pay_then_the_webhook_verifies_with_EventUtility()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));

        var created = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Price = "price_HarnessCredits", Quantity = 3 }],
            SuccessUrl = "https://merchant.example/done?session={CHECKOUT_SESSION_ID}",
            CancelUrl = "https://merchant.example/cancel",
            ClientReferenceId = "ref_42",
            Metadata = new Dictionary<string, string> { ["order"] = "42" },
            // As New-API asks: without it a payment checkout makes no customer (StripeCustomerCreationTests).
            CustomerCreation = "always",
        }, cancellationToken: Ct);

        Assert.StartsWith("cs_test_", created.Id, StringComparison.Ordinal);
        Assert.Equal("open", created.Status);
        Assert.Equal(300, created.AmountTotal);
        Assert.Equal("usd", created.Currency);
        Assert.Equal("42", created.Metadata["order"]);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var page = await browser.GetStringAsync(created.Url, Ct);
        Assert.Contains("3.00 USD", page, StringComparison.Ordinal);
        using var pay = await browser.PostAsync(created.Url, SandboxWorld.PayPageForm("pay"), Ct);
        Assert.Equal(HttpStatusCode.Redirect, pay.StatusCode);
        Assert.Equal($"https://merchant.example/done?session={created.Id}", pay.Headers.Location!.ToString());

        var first = await receiver.NextAsync();
        var evt = EventUtility.ConstructEvent(first.Body, first.Header("Stripe-Signature"), StripeProvider.WebhookSecret);
        Assert.Equal("checkout.session.completed", evt.Type);
        var session = Assert.IsType<Session>(evt.Data.Object);
        Assert.Equal(created.Id, session.Id);
        Assert.Equal("complete", session.Status);
        Assert.Equal("paid", session.PaymentStatus);
        Assert.Equal("ref_42", session.ClientReferenceId);

        var second = await receiver.NextAsync();
        var intentEvent = EventUtility.ConstructEvent(second.Body, second.Header("Stripe-Signature"), StripeProvider.WebhookSecret);
        Assert.Equal("payment_intent.succeeded", intentEvent.Type);
        Assert.Equal(session.PaymentIntentId, Assert.IsType<PaymentIntent>(intentEvent.Data.Object).Id);

        var retrieved = await stripe.V1.Checkout.Sessions.GetAsync(created.Id, cancellationToken: Ct);
        Assert.Equal("complete", retrieved.Status);
        Assert.Null(retrieved.Url);
        var customer = await stripe.V1.Customers.GetAsync(retrieved.CustomerId, cancellationToken: Ct);
        Assert.Equal(retrieved.CustomerDetails.Email, customer.Email);
        var intent = await stripe.V1.PaymentIntents.GetAsync(retrieved.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal("succeeded", intent.Status);
        Assert.Equal(300, intent.Amount);
    }

    [Fact]
    public async Task Expire_by_the_merchant_sends_a_verifiable_expired_event_and_cannot_repeat()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var created = await stripe.V1.Checkout.Sessions.CreateAsync(NewPaymentSession(), cancellationToken: Ct);

        var expired = await stripe.V1.Checkout.Sessions.ExpireAsync(created.Id, cancellationToken: Ct);
        Assert.Equal("expired", expired.Status);

        var delivery = await receiver.NextAsync();
        var evt = EventUtility.ConstructEvent(delivery.Body, delivery.Header("Stripe-Signature"), StripeProvider.WebhookSecret);
        Assert.Equal("checkout.session.expired", evt.Type);
        Assert.Equal("expired", Assert.IsType<Session>(evt.Data.Object).Status);

        var again = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.ExpireAsync(created.Id, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, again.HttpStatusCode);
        Assert.Equal("invalid_request_error", again.StripeError.Type);
    }

    [Fact]
    public async Task A_session_left_open_expires_when_the_clock_passes_expires_at()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var options = NewPaymentSession();
        var created = await stripe.V1.Checkout.Sessions.CreateAsync(options, cancellationToken: Ct);

        await sandbox.AdvanceAsync(TimeSpan.FromHours(23));
        Assert.Equal("open", (await stripe.V1.Checkout.Sessions.GetAsync(created.Id, cancellationToken: Ct)).Status);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(1));

        var evt = EventUtility.ConstructEvent((await receiver.NextAsync()).Body, receiver.All[0].Header("Stripe-Signature"), StripeProvider.WebhookSecret);
        Assert.Equal("checkout.session.expired", evt.Type);
        Assert.Equal("expired", (await stripe.V1.Checkout.Sessions.GetAsync(created.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task A_subscription_checkout_produces_subscription_and_invoice_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var created = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = "price_HarnessProMonthly", Quantity = 1 }],
            SuccessUrl = "https://merchant.example/done",
            SubscriptionData = new SessionSubscriptionDataOptions { Metadata = new Dictionary<string, string> { ["plan"] = "pro" } },
        }, cancellationToken: Ct);

        await sandbox.ActAsync(created.Id, "pay");

        var types = new List<string>();
        Subscription? subscription = null;
        for (var i = 0; i < 3; i++)
        {
            var received = await receiver.NextAsync();
            var evt = EventUtility.ConstructEvent(received.Body, received.Header("Stripe-Signature"), StripeProvider.WebhookSecret);
            types.Add(evt.Type);
            subscription ??= evt.Data.Object as Subscription;
        }

        Assert.Equal(["checkout.session.completed", "customer.subscription.created", "invoice.paid"], types);
        Assert.NotNull(subscription);
        Assert.Equal("active", subscription.Status);
        Assert.Equal("pro", subscription.Metadata["plan"]);
        var session = await stripe.V1.Checkout.Sessions.GetAsync(created.Id, cancellationToken: Ct);
        Assert.Equal(subscription.Id, session.SubscriptionId);
    }

    [Fact]
    public async Task Events_use_the_configured_api_version_which_Stripe_net_checks()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url, new() { ["api_version"] = "2026-01-28.clover" });
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var created = await stripe.V1.Checkout.Sessions.CreateAsync(NewPaymentSession(), cancellationToken: Ct);
        await stripe.V1.Checkout.Sessions.ExpireAsync(created.Id, cancellationToken: Ct);

        var received = await receiver.NextAsync();
        var header = received.Header("Stripe-Signature");
        var mismatch = Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(received.Body, header, StripeProvider.WebhookSecret));
        Assert.Contains("API version", mismatch.Message, StringComparison.Ordinal);
        var evt = EventUtility.ConstructEvent(received.Body, header, StripeProvider.WebhookSecret, throwOnApiVersionMismatch: false);
        Assert.Equal("2026-01-28.clover", evt.ApiVersion);
    }

    internal static SessionCreateOptions NewPaymentSession() => new()
    {
        Mode = "payment",
        LineItems = [new SessionLineItemOptions { Price = "price_HarnessCredits", Quantity = 1 }],
        SuccessUrl = "https://merchant.example/done",
        CancelUrl = "https://merchant.example/cancel",
    };
}
