using System.Net;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>The PaymentIntents API through Stripe.net, its webhooks verified with EventUtility, and its hosted page.</summary>
public sealed class StripePaymentIntentTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static PaymentIntentCreateOptions Confirmed(string paymentMethod, long amount = 1000) =>
        new() { Amount = amount, Currency = "usd", PaymentMethod = paymentMethod, Confirm = true, Description = "Harness coins" };

    private static HttpClient Browser(TestSandbox sandbox) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };

    private static KeyValuePair<string, string>[] Card(string number, string action = "pay") =>
        [new("action", action), new("card_number", number), new("card_expiry", "12 / 34"), new("card_cvc", "123")];

    [Fact]
    public async Task Confirming_with_a_test_card_succeeds_with_its_charge_and_webhooks_and_the_charge_refunds()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);

        var intent = await stripe.V1.PaymentIntents.CreateAsync(Confirmed("pm_card_visa"), cancellationToken: Ct);
        Assert.Equal(("succeeded", 1000L, 0L), (intent.Status, intent.AmountReceived, intent.AmountCapturable));
        Assert.StartsWith(intent.Id + "_secret_", intent.ClientSecret, StringComparison.Ordinal);
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct);
        Assert.Equal(("succeeded", true, "4242", "visa"), (charge.Status, charge.Captured, charge.PaymentMethodDetails.Card.Last4, charge.PaymentMethodDetails.Card.Brand));
        Assert.Equal(intent.Id, charge.PaymentIntentId);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "payment_intent.succeeded") == 1);
        Assert.Equal(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"], events.Select(e => e.Type));
        Assert.Equal("paid", (await sandbox.GetJsonAsync($"/control/payments/{intent.Id}"))["status"]!.GetValue<string>());

        var refund = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 300 }, cancellationToken: Ct);
        Assert.Equal(("succeeded", 300L), (refund.Status, refund.Amount));
        Assert.Equal(300, (await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).AmountRefunded);
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "card_declined", "generic_decline")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds")]
    [InlineData("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card")]
    [InlineData("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc")]
    public async Task A_declined_card_is_a_402_card_error_the_intent_keeps_and_another_card_then_pays(string method, string code, string declineCode)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);

        var declined = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.CreateAsync(Confirmed(method), cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_error", code, declineCode), (declined.HttpStatusCode, declined.StripeError.Type, declined.StripeError.Code, declined.StripeError.DeclineCode));
        var intent = declined.StripeError.PaymentIntent;
        Assert.Equal("requires_payment_method", intent.Status);
        Assert.Equal(code, intent.LastPaymentError.Code);
        Assert.Equal("failed", (await stripe.V1.Charges.GetAsync(declined.StripeError.Charge, cancellationToken: Ct)).Status);

        var paid = await stripe.V1.PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_mastercard" }, cancellationToken: Ct);
        Assert.Equal(("succeeded", (string?)null), (paid.Status, paid.LastPaymentError?.Code));
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "payment_intent.succeeded") == 1);
        Assert.Equal(["payment_intent.created", "charge.failed", "payment_intent.payment_failed", "charge.succeeded", "payment_intent.succeeded"], events.Select(e => e.Type));
    }

    [Fact]
    public async Task A_manual_capture_holds_the_amount_captures_part_of_it_and_a_held_one_cancels_into_a_refund()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var options = Confirmed("pm_card_visa");
        options.CaptureMethod = "manual";

        var held = await stripe.V1.PaymentIntents.CreateAsync(options, cancellationToken: Ct);
        Assert.Equal(("requires_capture", 1000L, 0L), (held.Status, held.AmountCapturable, held.AmountReceived));
        Assert.False((await stripe.V1.Charges.GetAsync(held.LatestChargeId, cancellationToken: Ct)).Captured);

        var tooMuch = await Assert.ThrowsAsync<StripeException>(() =>
            stripe.V1.PaymentIntents.CaptureAsync(held.Id, new PaymentIntentCaptureOptions { AmountToCapture = 1001 }, cancellationToken: Ct));
        Assert.Equal(("amount_too_large", "amount_to_capture"), (tooMuch.StripeError.Code, tooMuch.StripeError.Param));
        var captured = await stripe.V1.PaymentIntents.CaptureAsync(held.Id, new PaymentIntentCaptureOptions { AmountToCapture = 600 }, cancellationToken: Ct);
        Assert.Equal(("succeeded", 600L, 0L), (captured.Status, captured.AmountReceived, captured.AmountCapturable));
        var charge = await stripe.V1.Charges.GetAsync(held.LatestChargeId, cancellationToken: Ct);
        Assert.Equal((true, 600L, 400L), (charge.Captured, charge.AmountCaptured, charge.AmountRefunded));
        var again = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.CaptureAsync(held.Id, cancellationToken: Ct));
        Assert.Equal("payment_intent_unexpected_state", again.StripeError.Code);
        var notCancelable = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.CancelAsync(held.Id, cancellationToken: Ct));
        Assert.Equal("payment_intent_unexpected_state", notCancelable.StripeError.Code);

        var released = await stripe.V1.PaymentIntents.CreateAsync(options, cancellationToken: Ct);
        var canceled = await stripe.V1.PaymentIntents.CancelAsync(released.Id, new PaymentIntentCancelOptions { CancellationReason = "abandoned" }, cancellationToken: Ct);
        Assert.Equal(("canceled", "abandoned"), (canceled.Status, canceled.CancellationReason));
        Assert.True((await stripe.V1.Charges.GetAsync(released.LatestChargeId, cancellationToken: Ct)).Refunded);
    }

    [Fact]
    public async Task A_card_needing_3D_Secure_waits_for_the_challenge_on_the_hosted_page_and_returns_to_the_merchant()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        using var browser = Browser(sandbox);
        var options = Confirmed("pm_card_authenticationRequired");
        options.ReturnUrl = "https://merchant.example/done?order=7";

        var waiting = await stripe.V1.PaymentIntents.CreateAsync(options, cancellationToken: Ct);
        Assert.Equal(("requires_action", "redirect_to_url"), (waiting.Status, waiting.NextAction.Type));
        var challenge = waiting.NextAction.RedirectToUrl.Url;
        Assert.Equal(sandbox.Server.ControlBaseUrl + "/pay/" + waiting.Id, challenge);
        var page = await browser.GetStringAsync(challenge, Ct);
        Assert.DoesNotContain("card_number", page, StringComparison.Ordinal);

        using var passed = await browser.PostAsync(challenge, new FormUrlEncodedContent([new("action", "pay")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, passed.StatusCode);
        var back = QueryHelpers.ParseQuery(passed.Headers.Location!.Query);
        Assert.StartsWith("https://merchant.example/done?order=7&", passed.Headers.Location.ToString(), StringComparison.Ordinal);
        Assert.Equal((waiting.Id, waiting.ClientSecret, "succeeded"), (back["payment_intent"].ToString(), back["payment_intent_client_secret"].ToString(), back["redirect_status"].ToString()));
        Assert.Equal("succeeded", (await stripe.V1.PaymentIntents.GetAsync(waiting.Id, cancellationToken: Ct)).Status);

        var failing = await stripe.V1.PaymentIntents.CreateAsync(options, cancellationToken: Ct);
        using var failed = await browser.PostAsync(failing.NextAction.RedirectToUrl.Url, new FormUrlEncodedContent([new("action", "fail")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, failed.StatusCode);
        Assert.Equal("failed", QueryHelpers.ParseQuery(failed.Headers.Location!.Query)["redirect_status"].ToString());
        var after = await stripe.V1.PaymentIntents.GetAsync(failing.Id, cancellationToken: Ct);
        Assert.Equal(("requires_payment_method", "payment_intent_authentication_failure"), (after.Status, after.LastPaymentError.Code));

        // Off session nobody can pass a challenge: Stripe declines at once.
        var offSession = Confirmed("pm_card_authenticationRequired");
        offSession.OffSession = true;
        var declined = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.CreateAsync(offSession, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.PaymentRequired, "authentication_required"), (declined.HttpStatusCode, declined.StripeError.Code));

        var sdk = await stripe.V1.PaymentIntents.CreateAsync(Confirmed("pm_card_threeDSecure2Required"), cancellationToken: Ct);
        Assert.Equal(("requires_action", "use_stripe_sdk"), (sdk.Status, sdk.NextAction.Type));
    }

    [Fact]
    public async Task The_hosted_page_plays_the_Payment_Element_declines_count_on_the_intent_and_a_good_card_pays()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        using var browser = Browser(sandbox);
        var intent = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 2500, Currency = "eur" }, cancellationToken: Ct);
        Assert.Equal("requires_payment_method", intent.Status);

        using var declined = await browser.PostAsync($"/pay/{intent.Id}", new FormUrlEncodedContent(Card("4000000000009995")), Ct);
        Assert.Contains("Your card has insufficient funds.", await declined.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var afterDecline = await stripe.V1.PaymentIntents.GetAsync(intent.Id, cancellationToken: Ct);
        Assert.Equal(("requires_payment_method", "insufficient_funds"), (afterDecline.Status, afterDecline.LastPaymentError.DeclineCode));
        Assert.Equal("9995", afterDecline.LastPaymentError.PaymentMethod.Card.Last4);

        using var paid = await browser.PostAsync($"/pay/{intent.Id}", new FormUrlEncodedContent(Card("5555555555554444")), Ct);
        var done = await stripe.V1.PaymentIntents.GetAsync(intent.Id, new PaymentIntentGetOptions { Expand = ["latest_charge"] }, cancellationToken: Ct);
        Assert.Equal(("succeeded", 2500L, "4444"), (done.Status, done.AmountReceived, done.LatestCharge.PaymentMethodDetails.Card.Last4));
        Assert.Equal("paid", (await sandbox.GetJsonAsync($"/control/payments/{intent.Id}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_control_APIs_pay_and_fail_act_as_the_buyer_on_an_open_intent()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var intent = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 700, Currency = "usd" }, cancellationToken: Ct);

        await sandbox.ActAsync(intent.Id, "fail");
        Assert.Equal("card_declined", (await stripe.V1.PaymentIntents.GetAsync(intent.Id, cancellationToken: Ct)).LastPaymentError.Code);
        await sandbox.ActAsync(intent.Id, "pay");
        Assert.Equal("succeeded", (await stripe.V1.PaymentIntents.GetAsync(intent.Id, cancellationToken: Ct)).Status);

        // The dashboard's payment page shows the intent as its API answers for it.
        var page = await sandbox.Control.GetStringAsync($"/dashboard/payments/{intent.Id}", Ct);
        Assert.Contains("&quot;object&quot;: &quot;payment_intent&quot;", page, StringComparison.Ordinal);
        Assert.Contains("&quot;status&quot;: &quot;succeeded&quot;", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Updates_lists_and_idempotent_creates_behave_as_Stripes()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "pi@example.com" }, cancellationToken: Ct);
        var intent = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1000, Currency = "usd", Customer = customer.Id, Metadata = new() { ["order"] = "1" } }, cancellationToken: Ct);

        var updated = await stripe.V1.PaymentIntents.UpdateAsync(intent.Id, new PaymentIntentUpdateOptions { Amount = 1500, Metadata = new() { ["note"] = "x" }, PaymentMethod = "pm_card_visa" }, cancellationToken: Ct);
        Assert.Equal((1500L, "requires_confirmation", "1", "x"), (updated.Amount, updated.Status, updated.Metadata["order"], updated.Metadata["note"]));
        Assert.Equal(1500, (await sandbox.GetJsonAsync($"/control/payments/{intent.Id}"))["amount"]!.GetValue<long>());
        Assert.Equal("succeeded", (await stripe.V1.PaymentIntents.ConfirmAsync(intent.Id, cancellationToken: Ct)).Status);
        var late = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.UpdateAsync(intent.Id, new PaymentIntentUpdateOptions { Amount = 2000 }, cancellationToken: Ct));
        Assert.Equal("payment_intent_unexpected_state", late.StripeError.Code);

        await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 2000, Currency = "usd" }, cancellationToken: Ct);
        var mine = await stripe.V1.PaymentIntents.ListAsync(new PaymentIntentListOptions { Customer = customer.Id }, cancellationToken: Ct);
        Assert.Equal([intent.Id], mine.Data.Select(i => i.Id));

        var once = new RequestOptions { IdempotencyKey = "pi-create-1" };
        var first = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 900, Currency = "usd" }, once, Ct);
        var second = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 900, Currency = "usd" }, once, Ct);
        Assert.Equal(first.Id, second.Id);
    }

    [Theory]
    [InlineData("currency=usd", "amount", "parameter_missing")]
    [InlineData("amount=1000", "currency", "parameter_missing")]
    [InlineData("amount=49&currency=usd", "amount", "amount_too_small")]
    [InlineData("amount=100000000&currency=usd", "amount", "amount_too_large")]
    [InlineData("amount=ten&currency=usd", "amount", "parameter_invalid")]
    [InlineData("amount=1000&currency=dollars", "currency", "invalid_currency")]
    [InlineData("amount=1000&currency=usd&payment_method=pm_card_nonsense", "payment_method", "resource_missing")]
    [InlineData("amount=1000&currency=usd&customer=cus_missing", "customer", "resource_missing")]
    [InlineData("amount=1000&currency=usd&capture_method=later", "capture_method", "parameter_invalid")]
    [InlineData("amount=1000&currency=usd&confirm=true", "payment_method", "payment_intent_unexpected_state")]
    [InlineData("amount=1000&currency=usd&off_session=true", "off_session", "parameter_invalid")]
    [InlineData("amount=1000&currency=usd&colour=blue", "colour", "parameter_unknown")]
    public async Task Bad_creates_are_refused_in_Stripes_envelope_naming_the_param(string form, string param, string code)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = StripeErrorTests.Http(sandbox);
        using var response = await http.PostAsync("/v1/payment_intents", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode is 400 or 404, body);
        Assert.Matches($"\"param\":\"{param}\"", body);
        Assert.Matches($"\"code\":\"{code}\"", body);
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=stripe"));
    }
}
