using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>The SetupIntents and SetupAttempts APIs through Stripe.net unmodified: a card saved without a payment, then charged off session.</summary>
public sealed partial class StripeSetupIntentTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static HttpClient Browser(TestSandbox sandbox) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };

    private static SetupIntentCreateOptions Confirmed(string customer, string paymentMethod) =>
        new() { Customer = customer, PaymentMethod = paymentMethod, Confirm = true };

    private static async Task<List<SetupAttempt>> AttemptsAsync(StripeClient stripe, string intent) =>
        (await stripe.V1.SetupAttempts.ListAsync(new SetupAttemptListOptions { SetupIntent = intent }, cancellationToken: Ct)).Data;

    /// <summary>The intent's own events in the order sent; the PaymentMethod's <c>payment_method.attached</c> is another object's, delivered in its own order.</summary>
    private static List<string> SetupEvents(List<Event> events) => [.. events.Select(e => e.Type).Where(t => t.StartsWith("setup_intent.", StringComparison.Ordinal))];

    [Fact]
    public async Task Created_and_confirmed_in_one_call_the_card_is_saved_and_charged_off_session_and_pays_a_subscription()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "saver@example.com" }, cancellationToken: Ct);

        var intent = await stripe.V1.SetupIntents.CreateAsync(Confirmed(customer.Id, "pm_card_visa"), cancellationToken: Ct);

        Assert.Equal(("succeeded", customer.Id, "off_session"), (intent.Status, intent.CustomerId, intent.Usage));
        Assert.StartsWith("pm_", intent.PaymentMethodId, StringComparison.Ordinal);
        Assert.StartsWith(intent.Id + "_secret_", intent.ClientSecret, StringComparison.Ordinal);
        Assert.Equal(customer.Id, (await stripe.V1.PaymentMethods.GetAsync(intent.PaymentMethodId, cancellationToken: Ct)).CustomerId);
        var attempt = Assert.Single(await AttemptsAsync(stripe, intent.Id));
        Assert.Equal((intent.LatestAttemptId, "succeeded", intent.PaymentMethodId, "4242"), (attempt.Id, attempt.Status, attempt.PaymentMethodId, attempt.PaymentMethodDetails.Card.Last4));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "setup_intent.succeeded") == 1 && Count(e, "payment_method.attached") == 1);
        Assert.Equal(["setup_intent.created", "setup_intent.succeeded"], SetupEvents(events));
        Assert.Equal(intent.Id, Assert.IsType<SetupIntent>(events[^1].Data.Object).Id);

        var charged = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 1500, Currency = "usd", Customer = customer.Id, PaymentMethod = intent.PaymentMethodId, OffSession = true, Confirm = true,
        }, cancellationToken: Ct);
        Assert.Equal(("succeeded", 1500L), (charged.Status, charged.AmountReceived));

        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, DefaultPaymentMethod = intent.PaymentMethodId, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        Assert.Equal(("active", intent.PaymentMethodId), (subscription.Status, subscription.DefaultPaymentMethodId));
    }

    [Fact]
    public async Task Created_then_updated_with_a_card_then_confirmed_in_a_second_call()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);

        var created = await stripe.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions
        {
            Customer = customer.Id, Usage = "on_session", Description = "Card on file", Metadata = new() { ["order"] = "7" },
        }, cancellationToken: Ct);
        Assert.Equal(("requires_payment_method", "on_session", "Card on file", "7"), (created.Status, created.Usage, created.Description, created.Metadata["order"]));
        Assert.Equal(["card"], created.PaymentMethodTypes);
        Assert.Equal("automatic", created.PaymentMethodOptions.Card.RequestThreeDSecure);
        Assert.Null(created.LatestAttemptId);
        Assert.Empty(await AttemptsAsync(stripe, created.Id));

        var updated = await stripe.V1.SetupIntents.UpdateAsync(created.Id, new SetupIntentUpdateOptions { PaymentMethod = "pm_card_mastercard" }, cancellationToken: Ct);
        Assert.Equal("requires_confirmation", updated.Status);
        var read = await stripe.V1.SetupIntents.GetAsync(created.Id, new SetupIntentGetOptions { ClientSecret = created.ClientSecret }, cancellationToken: Ct);
        Assert.Equal((updated.PaymentMethodId, "requires_confirmation"), (read.PaymentMethodId, read.Status));

        var confirmed = await stripe.V1.SetupIntents.ConfirmAsync(created.Id, new SetupIntentConfirmOptions(), cancellationToken: Ct);
        Assert.Equal(("succeeded", updated.PaymentMethodId), (confirmed.Status, confirmed.PaymentMethodId));
        Assert.Equal(customer.Id, (await stripe.V1.PaymentMethods.GetAsync(confirmed.PaymentMethodId, cancellationToken: Ct)).CustomerId);
        var expanded = await stripe.V1.SetupIntents.GetAsync(created.Id, new SetupIntentGetOptions { Expand = ["latest_attempt", "payment_method"] }, cancellationToken: Ct);
        Assert.Equal(("succeeded", "mastercard"), (expanded.LatestAttempt.Status, expanded.PaymentMethod.Card.Brand));
    }

    [Fact]
    public async Task A_declined_card_fails_the_setup_with_its_attempt_and_another_card_then_succeeds()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);

        var declined = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SetupIntents.CreateAsync(Confirmed(customer.Id, "pm_card_chargeDeclined"), cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_error", "card_declined", "generic_decline"), (declined.HttpStatusCode, declined.StripeError.Type, declined.StripeError.Code, declined.StripeError.DeclineCode));
        var failed = declined.StripeError.SetupIntent;
        Assert.Equal(("requires_payment_method", "card_declined", (string?)null), (failed.Status, failed.LastSetupError.Code, failed.PaymentMethodId));
        Assert.Equal("0002", failed.LastSetupError.PaymentMethod.Card.Last4);
        Assert.Null((await stripe.V1.PaymentMethods.GetAsync(failed.LastSetupError.PaymentMethod.Id, cancellationToken: Ct)).CustomerId);

        var saved = await stripe.V1.SetupIntents.ConfirmAsync(failed.Id, new SetupIntentConfirmOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct);
        Assert.Equal(("succeeded", (string?)null), (saved.Status, saved.LastSetupError?.Code));
        var attempts = await AttemptsAsync(stripe, failed.Id);
        Assert.Equal(["succeeded", "failed"], attempts.Select(a => a.Status));
        Assert.Equal("card_declined", attempts[1].SetupError.Code);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "setup_intent.succeeded") == 1 && Count(e, "payment_method.attached") == 1);
        Assert.Equal(["setup_intent.created", "setup_intent.setup_failed", "setup_intent.succeeded"], SetupEvents(events));
    }

    [Fact]
    public async Task A_card_that_declines_charges_is_set_up_and_then_declines_off_session()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);

        var intent = await stripe.V1.SetupIntents.CreateAsync(Confirmed(customer.Id, "pm_card_chargeCustomerFail"), cancellationToken: Ct);
        Assert.Equal("succeeded", intent.Status);

        var charge = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 900, Currency = "usd", Customer = customer.Id, PaymentMethod = intent.PaymentMethodId, OffSession = true, Confirm = true,
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_declined"), (charge.HttpStatusCode, charge.StripeError.Code));
    }

    [Fact]
    public async Task A_3D_Secure_card_waits_for_the_challenge_on_the_hosted_page_and_returns_to_the_merchant()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        using var browser = Browser(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var options = Confirmed(customer.Id, "pm_card_threeDSecure2Required");
        options.ReturnUrl = "https://merchant.example/saved?user=7";

        var waiting = await stripe.V1.SetupIntents.CreateAsync(options, cancellationToken: Ct);
        Assert.Equal(("requires_action", "redirect_to_url"), (waiting.Status, waiting.NextAction.Type));
        var challenge = waiting.NextAction.RedirectToUrl.Url;
        Assert.Equal(sandbox.Server.ControlBaseUrl + "/pay/" + waiting.Id, challenge);
        Assert.Null((await stripe.V1.PaymentMethods.GetAsync(waiting.PaymentMethodId, cancellationToken: Ct)).CustomerId);
        Assert.DoesNotContain("card_number", await browser.GetStringAsync(challenge, Ct), StringComparison.Ordinal);

        using var passed = await browser.PostAsync(challenge, new FormUrlEncodedContent([new("action", "pay")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, passed.StatusCode);
        var back = QueryHelpers.ParseQuery(passed.Headers.Location!.Query);
        Assert.StartsWith("https://merchant.example/saved?user=7&", passed.Headers.Location.ToString(), StringComparison.Ordinal);
        Assert.Equal((waiting.Id, waiting.ClientSecret, "succeeded"), (back["setup_intent"].ToString(), back["setup_intent_client_secret"].ToString(), back["redirect_status"].ToString()));
        var done = await stripe.V1.SetupIntents.GetAsync(waiting.Id, cancellationToken: Ct);
        Assert.Equal(("succeeded", (SetupIntentNextAction?)null), (done.Status, done.NextAction));
        Assert.Equal(customer.Id, (await stripe.V1.PaymentMethods.GetAsync(done.PaymentMethodId, cancellationToken: Ct)).CustomerId);
        var attempt = Assert.Single(await AttemptsAsync(stripe, waiting.Id));
        Assert.Equal(("succeeded", "authenticated"), (attempt.Status, attempt.PaymentMethodDetails.Card.ThreeDSecure.Result));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "setup_intent.succeeded") == 1 && Count(e, "payment_method.attached") == 1);
        Assert.Equal(["setup_intent.created", "setup_intent.requires_action", "setup_intent.succeeded"], SetupEvents(events));

        var failing = await stripe.V1.SetupIntents.CreateAsync(options, cancellationToken: Ct);
        using var refused = await browser.PostAsync(failing.NextAction.RedirectToUrl.Url, new FormUrlEncodedContent([new("action", "fail")]), Ct);
        Assert.Equal("failed", QueryHelpers.ParseQuery(refused.Headers.Location!.Query)["redirect_status"].ToString());
        var after = await stripe.V1.SetupIntents.GetAsync(failing.Id, cancellationToken: Ct);
        Assert.Equal(("requires_payment_method", "setup_intent_authentication_failure"), (after.Status, after.LastSetupError.Code));
        var failedAttempt = Assert.Single(await AttemptsAsync(stripe, failing.Id));
        Assert.Equal(("failed", "failed", "setup_intent_authentication_failure"), (failedAttempt.Status, failedAttempt.PaymentMethodDetails.Card.ThreeDSecure.Result, failedAttempt.SetupError.Code));

        // The failed challenge's page clicked again passes nothing; confirming again opens the page for a new challenge.
        using (var stale = await browser.PostAsync(failing.NextAction.RedirectToUrl.Url, new FormUrlEncodedContent([new("action", "pay")]), Ct))
        {
            Assert.Contains("there is no challenge to pass", await stale.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Equal("requires_payment_method", (await stripe.V1.SetupIntents.GetAsync(failing.Id, cancellationToken: Ct)).Status);
        var again = await stripe.V1.SetupIntents.ConfirmAsync(failing.Id, new SetupIntentConfirmOptions { PaymentMethod = "pm_card_threeDSecure2Required", ReturnUrl = options.ReturnUrl }, cancellationToken: Ct);
        Assert.Equal(("requires_action", failing.NextAction.RedirectToUrl.Url), (again.Status, again.NextAction.RedirectToUrl.Url));
        using var passedAgain = await browser.PostAsync(again.NextAction.RedirectToUrl.Url, new FormUrlEncodedContent([new("action", "pay")]), Ct);
        Assert.Equal("succeeded", QueryHelpers.ParseQuery(passedAgain.Headers.Location!.Query)["redirect_status"].ToString());
        Assert.Equal("succeeded", (await stripe.V1.SetupIntents.GetAsync(failing.Id, cancellationToken: Ct)).Status);

        // Asked for, a challenge comes even for a card that needs none; without return_url the SDK plays it.
        var requested = await stripe.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions
        {
            Customer = customer.Id, PaymentMethod = "pm_card_visa", Confirm = true,
            PaymentMethodOptions = new SetupIntentPaymentMethodOptionsOptions { Card = new SetupIntentPaymentMethodOptionsCardOptions { RequestThreeDSecure = "any" } },
        }, cancellationToken: Ct);
        Assert.Equal(("requires_action", "use_stripe_sdk", "any"), (requested.Status, requested.NextAction.Type, requested.PaymentMethodOptions.Card.RequestThreeDSecure));
        Assert.Null(await sandbox.ActAsync(requested.Id, "pay"));
        Assert.Equal("succeeded", (await stripe.V1.SetupIntents.GetAsync(requested.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Cancel_ends_an_open_intent_with_its_reason_and_event_and_a_finished_one_refuses()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);

        var open = await stripe.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct);
        var canceled = await stripe.V1.SetupIntents.CancelAsync(open.Id, new SetupIntentCancelOptions { CancellationReason = "requested_by_customer" }, cancellationToken: Ct);
        Assert.Equal(("canceled", "requested_by_customer"), (canceled.Status, canceled.CancellationReason));
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "setup_intent.canceled") == 1);
        Assert.Equal(["setup_intent.created", "setup_intent.canceled"], events.Select(e => e.Type));

        var again = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SetupIntents.CancelAsync(open.Id, cancellationToken: Ct));
        Assert.Equal(("setup_intent_unexpected_state", "You cannot cancel this SetupIntent because it is already canceled."), (again.StripeError.Code, again.StripeError.Message));
        var confirm = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SetupIntents.ConfirmAsync(open.Id, cancellationToken: Ct));
        Assert.Equal("You cannot confirm this SetupIntent because it has been canceled.", confirm.StripeError.Message);
        Assert.Equal("canceled", confirm.StripeError.SetupIntent.Status);

        var succeeded = await stripe.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions { PaymentMethod = "pm_card_visa", Confirm = true }, cancellationToken: Ct);
        var late = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SetupIntents.CancelAsync(succeeded.Id, cancellationToken: Ct));
        Assert.Equal(
            "You cannot cancel this SetupIntent because it has a status of succeeded. Only a SetupIntent with one of the following statuses may be canceled: `requires_payment_method`, `requires_confirmation`, or `requires_action`.",
            late.StripeError.Message);
        var twice = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.SetupIntents.ConfirmAsync(succeeded.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "You cannot confirm this SetupIntent because it has already succeeded."), (twice.HttpStatusCode, twice.StripeError.Message));
    }
}
