using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;
using Harness.Conformance.Targets;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// The sandbox core every provider shares: the control API, the hosted pay page (Pay, Fail, Cancel, expiry), the
/// clock, the delivery log with resend, and scripted faults observed the way a merchant would observe them.
/// </summary>
[Steps]
public sealed partial class SandboxSteps(ScenarioContext context)
{
    private static readonly Dictionary<string, string[]> PublishedCredentials = new(StringComparer.Ordinal)
    {
        ["stripe"] = ["secret_key", "publishable_key", "webhook_secret"],
        ["creem"] = ["api_key", "webhook_secret"],
        ["epay"] = ["pid", "key"],
        ["alipay"] = ["app_id", "seller_id", "app_private_key", "app_public_key", "alipay_public_key"],
        ["tappay"] = ["partner_key", "merchant_id", "app_id", "app_key"],
        ["wechatpay"] = ["mchid", "appid", "apiv3_key", "merchant_serial_no", "merchant_private_key", "merchant_certificate", "platform_serial_no", "platform_certificate"],
    };

    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private readonly List<HttpStatusCode> _creationStatuses = [];

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private EpaySteps Epay => context.Get<EpaySteps>();

    private WeChatPaySteps WeChatPay => context.Get<WeChatPaySteps>();

    /// <summary><c>30 seconds</c>, <c>1 minute</c>, <c>24 hours</c>.</summary>
    [ParameterType("duration", @"\d+ (?:seconds?|minutes?|hours?)")]
    public static TimeSpan ParseDuration(string text)
    {
        var parts = text.Split(' ');
        var amount = int.Parse(parts[0], CultureInfo.InvariantCulture);
        return parts[1].TrimEnd('s') switch
        {
            "second" => TimeSpan.FromSeconds(amount),
            "minute" => TimeSpan.FromMinutes(amount),
            _ => TimeSpan.FromHours(amount),
        };
    }

    [When("the operator calls GET /control\\/providers")]
    [Needs(Need.Sandbox)]
    public async Task ListProviders() => _world.LastReply = await _world.SendAsync(HttpMethod.Get, _world.ControlUrl + "/control/providers");

    [Given("an open payment")]
    [Given("an open Stripe checkout session")]
    [Needs(Need.Sandbox)]
    public async Task OpenStripeSession()
    {
        await Stripe.UseAsync(_world.Receiver.Url);
        await Stripe.CreateSessionAsync("payment");
    }

    [Given("an open Stripe checkout session with a cancel URL")]
    [Needs(Need.Sandbox)]
    public async Task OpenSessionWithCancelUrl()
    {
        await Stripe.UseAsync(_world.Receiver.Url);
        await Stripe.CreateSessionAsync("payment", cancelUrl: StripeSteps.MerchantSite + "/cancel");
    }

    [Given("a delivery whose receiver never answered 2xx until its schedule was exhausted")]
    [Needs(Need.Sandbox)]
    public async Task ExhaustedDelivery()
    {
        _world.Receiver.Default = (500, "");
        await OpenStripeSession();
        await _world.ClickAsync("pay");
        await _world.AdvanceAsync(TimeSpan.FromHours(1));
        await _world.AdvanceAsync(TimeSpan.FromHours(2));
        var delivery = await _world.DeliveryAsync("checkout.session.completed");
        Check.Equal("exhausted", ApiReply.Text(ApiReply.Field(delivery, "status")), "delivery status after the schedule");
        Check.Equal(3, SandboxWorld.Attempts(delivery).Count, "attempts on the schedule");
    }

    [Given("the webhook URL points at a closed port")]
    [Needs(Need.Sandbox)]
    public Task ClosedPort() => Stripe.UseAsync($"http://127.0.0.1:{MerchantReceiver.FreePort()}/hook");

    [Given("a checkout session created in a sandbox using a data folder")]
    [Needs(Need.Sandbox, Need.SandboxRestart)]
    public Task SessionBeforeRestart() => OpenStripeSession();

    [Given("the fault {string} for the next {int} Stripe API calls")]
    [Needs(Need.Sandbox)]
    public async Task FaultOnNextCalls(string kind, int count)
    {
        await Stripe.UseAsync(_world.Receiver.Url);
        _world.NewPayment = CreateRetryingAsync;
        await _world.AddFaultAsync(kind, "stripe", count: count);
    }

    [Given("the fault {string} of {int} seconds on one session")]
    [Needs(Need.Sandbox)]
    public async Task FaultOnOneSession(string kind, int seconds)
    {
        await OpenStripeSession();
        await _world.AddFaultAsync(kind, "stripe", _world.ThePayment, count: 1, seconds: seconds);
    }

    [Given("the fault {string} on one subscription checkout")]
    [Needs(Need.Sandbox)]
    public async Task FaultOnSubscription(string kind)
    {
        await Stripe.UseAsync(_world.Receiver.Url);
        await Stripe.CreateSessionAsync("subscription");
        await _world.AddFaultAsync(kind, paymentId: _world.ThePayment);
    }

    [Given("the fault {string} on one Epay order")]
    [Needs(Need.Sandbox)]
    public async Task FaultOnEpayOrder(string kind)
    {
        await Epay.UseAsync();
        await _world.CurrentPaymentAsync();
        await _world.AddFaultAsync(kind, paymentId: _world.ThePayment);
    }

    [Given("the fault {string} once for {word}")]
    [Needs(Need.Sandbox)]
    public Task FaultOnce(string kind, string provider) => FaultForAsync(kind, provider, null);

    [Given("the fault {string} of {int} seconds for {word}")]
    [Given("the fault {string} of {int} seconds once for {word}")]
    [Needs(Need.Sandbox)]
    public Task FaultForSeconds(string kind, int seconds, string provider) => FaultForAsync(kind, provider, seconds);

    [Given("the fault {string} for payment {string}")]
    [Needs(Need.Sandbox)]
    public Task FaultForPayment(string kind, string paymentId) => _world.AddFaultAsync(kind, paymentId: paymentId);

    [When("the buyer pays on the hosted page")]
    [When("the buyer pays")]
    public Task Pay() => _world.ClickAsync("pay");

    [When("the buyer pays an Epay order")]
    public async Task PayEpayOrder()
    {
        await Epay.UseAsync();
        await _world.ClickAsync("pay");
    }

    [When("the buyer clicks {word} on the hosted page")]
    public Task Click(string button) => _world.ClickAsync(button.ToLowerInvariant());

    [When("the buyer pays {int} times at once")]
    public async Task PayAtOnce(int times)
    {
        // Every click is sent before any answer is awaited, so they reach the sandbox together.
        var url = _world.PayPageUrl(await _world.CurrentPaymentAsync());
        await Task.WhenAll(Enumerable.Range(0, times).Select(_ => _world.SendAsync(HttpMethod.Post, url, SandboxWorld.PayPageForm("pay"))));
        await _world.RunDueAsync();
    }

    [When("the sandbox clock advances by {duration}")]
    public Task Advance(TimeSpan by) => _world.AdvanceAsync(by);

    [When("the sandbox clock advances by {duration} and then by {duration}")]
    public async Task AdvanceTwice(TimeSpan first, TimeSpan second)
    {
        await _world.AdvanceAsync(first);
        await _world.AdvanceAsync(second);
    }

    [When("the sandbox clock advances past its expiry")]
    public async Task AdvancePastExpiry()
    {
        var expiresAt = DateTimeOffset.Parse(ApiReply.Text(ApiReply.Field(await _world.PaymentAsync(_world.ThePayment), "expires_at")), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        await _world.AdvanceAsync(expiresAt - await _world.NowAsync() + TimeSpan.FromSeconds(1));
    }

    [When("the operator resends it after the receiver recovers")]
    public async Task Resend()
    {
        _world.Receiver.Default = (200, "");
        var id = ApiReply.Text(ApiReply.Field(await _world.DeliveryAsync("checkout.session.completed"), "id"));
        await _world.ControlAsync(HttpMethod.Post, $"/control/deliveries/{id}/resend");
    }

    [When("a callback is due")]
    public async Task CallbackDue()
    {
        await Stripe.CreateSessionAsync("payment");
        await _world.ClickAsync("pay");
    }

    [When("the sandbox is restarted on the same folder")]
    public async Task Restart()
    {
        var restartable = context.Target as ISandboxRestart ?? throw new AssertionException("the target cannot restart the sandbox");
        await restartable.RestartSandboxAsync(context.CancellationToken);
        _world.ForgetProviders();
    }

    [Then("stripe, creem, epay, wechatpay, alipay and tappay are listed with their base URL and credentials")]
    public void ProvidersListed()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, "GET /control/providers");
        var providers = _world.Last.Json.EnumerateArray().ToDictionary(p => ApiReply.Text(ApiReply.Field(p, "name")), StringComparer.Ordinal);
        foreach (var (name, keys) in PublishedCredentials)
        {
            Check.That(providers.TryGetValue(name, out var provider), $"{name} is not listed");
            var baseUrl = ApiReply.Text(ApiReply.Field(provider, "base_url"));
            Check.That(Uri.TryCreate(baseUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https", $"{name}'s base_url \"{baseUrl}\" is not an absolute URL");
            foreach (var key in keys)
            {
                Check.That(ApiReply.Text(ApiReply.Path(provider, "credentials." + key)).Length > 0, $"{name} publishes no {key}");
            }
        }
    }

    [Then("the buyer is redirected to {string}")]
    public void RedirectedTo(string url) =>
        Check.Equal(url.Replace("{session id}", _world.ThePayment, StringComparison.Ordinal), PayPage.Location, "the pay page's redirect");

    [Then("the buyer is redirected to the cancel URL")]
    public void RedirectedToCancel() => RedirectedTo(StripeSteps.MerchantSite + "/cancel");

    [Then("the receiver gets {string} then {string}")]
    public Task ReceiverGetsTwo(string first, string second) => EventsAreAsync(first, second);

    [Then("the receiver gets {string}, {string} then {string}")]
    [Then("the merchant observes {string} before {string} before {string}")]
    public Task ReceiverGetsThree(string first, string second, string third) => EventsAreAsync(first, second, third);

    [Then("the merchant observes {string} before {string} before {string} before {string}")]
    public Task ReceiverObservesFour(string first, string second, string third, string fourth) => EventsAreAsync(first, second, third, fourth);

    [Then("the receiver gets {string}, {string}, {string} then {string}")]
    public Task ReceiverGetsFour(string first, string second, string third, string fourth) => EventsAreAsync(first, second, third, fourth);

    [Then("the receiver gets {string}, {string}, {string}, {string} then {string}")]
    public Task ReceiverGetsFive(string first, string second, string third, string fourth, string fifth) => EventsAreAsync(first, second, third, fourth, fifth);

    [Then("the page says the card was declined")]
    public void Declined()
    {
        Check.Equal(HttpStatusCode.OK, PayPage.Status, "the pay page's answer to Fail");
        Check.That(PayPage.Body.Contains("declined", StringComparison.OrdinalIgnoreCase), $"the page does not say the card was declined: {PayPage.Body}");
    }

    [Then("the payment is still open")]
    public async Task StillOpen() =>
        Check.Equal("open", ApiReply.Text(ApiReply.Field(await _world.PaymentAsync(_world.ThePayment), "status")), "payment status");

    [Then("the session is still open")]
    public async Task SessionStillOpen()
    {
        await StillOpen();
        await Stripe.StatusIs("open");
    }

    [Then("its pay page answers 410 without a Pay button")]
    public async Task PayPageGone()
    {
        var page = await _world.SendAsync(HttpMethod.Get, _world.PayPageUrl(_world.ThePayment));
        Check.Equal(HttpStatusCode.Gone, page.Status, "the pay page's status");
        Check.That(!PayButton().IsMatch(page.Body), "the expired page still offers Pay");
    }

    [Then("paying it through the control API changes nothing")]
    public async Task ControlPayChangesNothing()
    {
        var outcome = await _world.ControlAsync(HttpMethod.Post, $"/control/payments/{_world.ThePayment}/pay");
        Check.Equal("null", outcome.TryGetProperty("redirect_url", out var redirect) ? ApiReply.Text(redirect) : "null", "redirect_url");
        Check.Equal("expired", ApiReply.Text(ApiReply.Path(outcome, "payment.status")), "payment status");
        await _world.RunDueAsync();
        Check.That((await _world.DeliveriesAsync(_world.ThePayment)).All(d => ApiReply.Text(ApiReply.Field(d, "event_type")) != "checkout.session.completed"), "an expired session was completed");
    }

    [Then("exactly one {word} delivery exists")]
    public Task ExactlyOne(string eventType) => _world.DeliveryAsync(eventType);

    [Then("the log shows a fourth attempt with trigger {string} and the delivery is {string}")]
    public async Task FourthAttempt(string trigger, string status)
    {
        var delivery = await _world.DeliveryAsync("checkout.session.completed");
        var attempts = SandboxWorld.Attempts(delivery);
        Check.Equal(4, attempts.Count, "attempts");
        Check.Equal(trigger, ApiReply.Text(ApiReply.Field(attempts[3], "trigger")), "trigger of the fourth attempt");
        Check.Equal("true", ApiReply.Text(ApiReply.Field(attempts[3], "acknowledged")), "the fourth attempt acknowledged");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(delivery, "status")), "delivery status");
    }

    [Then("the attempt has no response status, an error message and is not acknowledged")]
    public async Task Unreachable()
    {
        var attempt = SandboxWorld.Attempts(await _world.DeliveryAsync("checkout.session.completed"))[0];
        Check.Equal("null", ApiReply.Text(ApiReply.Field(attempt, "response_status")), "response_status");
        Check.That(ApiReply.Text(ApiReply.Field(attempt, "error")) is { Length: > 0 } error && error != "null", "the attempt has no error message");
        Check.Equal("false", ApiReply.Text(ApiReply.Field(attempt, "acknowledged")), "acknowledged");
    }

    [Then("the session can still be retrieved")]
    public Task StillRetrievable() => Stripe.StatusIs("open");

    [Then("the merchant observes a client retrying with the same Idempotency-Key, as Stripe.net does, succeeds on the third call")]
    public async Task RetriesSucceed()
    {
        Check.Equal("InternalServerError, InternalServerError, OK", string.Join(", ", _creationStatuses), "answers to the three calls");
        Check.Equal(2, ApiReply.Field(await _world.FaultAsync(0), "fired").GetInt32(), "times the fault fired");
    }

    [Then("the merchant observes the API answer arrives only after the sandbox clock moves {int} seconds")]
    public async Task HeldUntilClockMoves(int seconds)
    {
        var pending = Stripe.RetrieveAsync();
        while (ApiReply.Field(await _world.FaultAsync(0), "fired").GetInt32() == 0)
        {
            await Task.Delay(20, context.CancellationToken); // until the sandbox holds the request (state, not time, decides)
        }

        Check.That(!pending.IsCompleted, "the answer arrived before the clock moved");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(seconds));
        var reply = await pending;
        Check.Equal(HttpStatusCode.OK, reply.Status, "the held answer");
        Check.Equal("latency", reply.Header("X-Sandbox-Fault"), "X-Sandbox-Fault");
    }

    [Then("the merchant observes the same notify, byte for byte, twice")]
    public async Task SameNotifyTwice()
    {
        var received = await _world.ReceivedAsync();
        Check.Equal(2, received.Count, "notifies received");
        Check.Equal(received[0].Query + received[0].Body, received[1].Query + received[1].Body, "the second notify");
    }

    /// <summary>Half the delay first: a sandbox on the real clock also moves by the time the steps take.</summary>
    [Then("the merchant observes nothing until the clock moves {int} seconds, then the notify")]
    public async Task DelayedNotify(int seconds)
    {
        Check.Equal(0, (await _world.ReceivedAsync()).Count, "notifies before the clock moved");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(seconds / 2));
        Check.Equal(0, (await _world.ReceivedAsync()).Count, $"notifies after {seconds / 2} s");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(seconds - (seconds / 2)));
        Check.Equal(1, (await _world.ReceivedAsync()).Count, $"notifies after {seconds} s");
        await Epay.NotifyVerifies(await _world.FirstReceivedAsync());
    }

    [Then("the merchant observes a Stripe-Signature that does not verify")]
    public async Task TamperedSignature()
    {
        var request = await _world.FirstReceivedAsync();
        var (timestamp, v1) = ProviderSignatures.ParseStripeHeader(request.Header("Stripe-Signature"));
        Check.That(ProviderSignatures.StripeV1(await _world.CredentialAsync("stripe", "webhook_secret"), timestamp, request.Body) != v1, "the tampered signature verifies");
    }

    [Then("the merchant observes a correct signature whose t is {int} minutes old, outside the 300-second tolerance")]
    public async Task StaleSignature(int minutes)
    {
        var request = await _world.FirstReceivedAsync();
        var header = request.Header("Stripe-Signature");
        var (timestamp, _) = ProviderSignatures.ParseStripeHeader(header);
        await Stripe.VerifyAsync(header, request.Body, DateTimeOffset.FromUnixTimeSeconds(timestamp));
        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(timestamp);
        Check.That(Math.Abs(age.TotalMinutes - minutes) < 1, $"the signature is {age.TotalMinutes:0.0} minutes old, not {minutes}");
        Check.That(age > ProviderSignatures.StripeTolerance, "the stale signature is within the tolerance");
    }

    [Then("the merchant observes money off by 0.01 under a valid MD5 sign")]
    public async Task WrongAmount()
    {
        var notify = await _world.FirstReceivedAsync();
        await Epay.NotifyVerifies(notify);
        Check.Equal("12.51", notify.Parameters["money"], "money of an order of 12.50");
    }

    [Then("the notify's sign is valid")]
    public async Task NotifySignValid() => await Epay.NotifyVerifies(await _world.FirstReceivedAsync());

    private async Task EventsAreAsync(params string[] types) =>
        Check.Equal(string.Join(", ", types), string.Join(", ", (await _world.ReceivedAsync()).Select(SandboxWorld.EventType)), "events received, in order");

    private WireReply PayPage => _world.PayPage ?? throw new AssertionException("the buyer has not clicked anything yet");

    private async Task FaultForAsync(string kind, string provider, int? seconds)
    {
        var name = provider.ToLowerInvariant();
        await (name switch
        {
            "epay" => Epay.UseAsync(),
            "wechatpay" => WeChatPay.Sandbox(),
            _ => Stripe.UseAsync(_world.Receiver.Url),
        });
        await _world.AddFaultAsync(kind, name, count: 1, seconds: seconds);
    }

    /// <summary>Creates a session the way the SDKs do: up to two retries on 5xx with the same Idempotency-Key.</summary>
    private async Task<string> CreateRetryingAsync()
    {
        var key = context.Unique("retried");
        var form = await Stripe.SessionFormAsync("payment");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", form, key);
            _creationStatuses.Add(reply.Status);
            if ((int)reply.Status < 500)
            {
                break;
            }
        }

        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"creating the session ({_world.Last.Body})");
        return ApiReply.Text(ApiReply.Field(_world.Last.Json, "id"));
    }

    [GeneratedRegex(@"value=""pay""", RegexOptions.IgnoreCase)]
    private static partial Regex PayButton();
}
