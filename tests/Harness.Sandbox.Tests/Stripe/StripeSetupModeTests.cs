using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary><c>mode=setup</c> Checkout Sessions and their SetupIntent (providers.md §5.2), through Stripe.net unmodified.</summary>
public sealed class StripeSetupModeTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static SessionCreateOptions SetupSession(string? customerCreation = null) => new()
    {
        Mode = "setup",
        Currency = "usd",
        SuccessUrl = "https://merchant.example/saved?session={CHECKOUT_SESSION_ID}",
        CancelUrl = "https://merchant.example/cancel",
        CustomerCreation = customerCreation,
    };

    [Fact]
    public async Task A_setup_session_has_a_setup_intent_that_succeeds_for_the_customer_when_completed()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));

        var created = await stripe.V1.Checkout.Sessions.CreateAsync(SetupSession("always"), cancellationToken: Ct);

        Assert.Equal("no_payment_required", created.PaymentStatus);
        Assert.StartsWith("seti_", created.SetupIntentId, StringComparison.Ordinal);
        Assert.Null(created.PaymentIntentId);
        var waiting = await stripe.V1.SetupIntents.GetAsync(created.SetupIntentId, cancellationToken: Ct);
        Assert.Equal("requires_payment_method", waiting.Status);
        Assert.Null(waiting.CustomerId);

        await sandbox.ActAsync(created.Id, "pay");

        var completed = await receiver.NextAsync();
        var session = Assert.IsType<Session>(EventUtility.ConstructEvent(completed.Body, completed.Header("Stripe-Signature"), StripeProvider.WebhookSecret).Data.Object);
        Assert.Equal("complete", session.Status);
        Assert.Equal(created.SetupIntentId, session.SetupIntentId);
        var succeeded = await receiver.NextAsync();
        var evt = EventUtility.ConstructEvent(succeeded.Body, succeeded.Header("Stripe-Signature"), StripeProvider.WebhookSecret);
        Assert.Equal("setup_intent.succeeded", evt.Type);
        var intent = Assert.IsType<SetupIntent>(evt.Data.Object);
        Assert.Equal(created.SetupIntentId, intent.Id);
        Assert.Equal("succeeded", intent.Status);
        Assert.StartsWith("cus_", intent.CustomerId, StringComparison.Ordinal);
        Assert.Equal(session.CustomerId, intent.CustomerId);

        var expanded = await stripe.V1.Checkout.Sessions.GetAsync(created.Id, new SessionGetOptions { Expand = ["setup_intent"] }, cancellationToken: Ct);
        Assert.Equal("succeeded", expanded.SetupIntent.Status);
    }

    [Fact]
    public async Task A_setup_session_left_at_if_required_succeeds_its_setup_intent_without_a_customer()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var created = await stripe.V1.Checkout.Sessions.CreateAsync(SetupSession(), cancellationToken: Ct);
        Assert.Equal("if_required", created.CustomerCreation);

        await sandbox.ActAsync(created.Id, "pay");

        var types = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var received = await receiver.NextAsync();
            types.Add(EventUtility.ConstructEvent(received.Body, received.Header("Stripe-Signature"), StripeProvider.WebhookSecret).Type);
        }

        Assert.Equal(["checkout.session.completed", "setup_intent.succeeded"], types);
        var session = await stripe.V1.Checkout.Sessions.GetAsync(created.Id, cancellationToken: Ct);
        Assert.Null(session.CustomerId);
        Assert.Equal("buyer@example.com", session.CustomerDetails.Email);
        var intent = await stripe.V1.SetupIntents.GetAsync(created.SetupIntentId, cancellationToken: Ct);
        Assert.Equal("succeeded", intent.Status);
        Assert.Null(intent.CustomerId);
    }

    [Fact]
    public async Task An_expired_setup_session_cancels_its_setup_intent()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var created = await stripe.V1.Checkout.Sessions.CreateAsync(SetupSession(), cancellationToken: Ct);

        await stripe.V1.Checkout.Sessions.ExpireAsync(created.Id, cancellationToken: Ct);

        var intent = await stripe.V1.SetupIntents.GetAsync(created.SetupIntentId, cancellationToken: Ct);
        Assert.Equal("canceled", intent.Status);
        Assert.Equal("abandoned", intent.CancellationReason);
    }

    [Fact]
    public async Task A_payment_session_has_no_setup_intent_and_an_unknown_one_is_resource_missing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));

        var payment = await stripe.V1.Checkout.Sessions.CreateAsync(StripeNetRoundTripTests.NewPaymentSession(), cancellationToken: Ct);

        Assert.Null(payment.SetupIntentId);
        var missing = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SetupIntents.GetAsync("seti_nope", cancellationToken: Ct));
        Assert.Equal("resource_missing", missing.StripeError.Code);
    }
}
