using System.Globalization;
using System.Net;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>Stripe's PaymentIntents API as a merchant backend drives it: confirmation with test PaymentMethods, declines, 3-D Secure, capture, refunds.</summary>
[Steps]
public sealed partial class StripePaymentIntentSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _intent;
    private string? _refund;

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private string Intent => _intent ?? throw new AssertionException("no PaymentIntent was created in this scenario");

    [When("the merchant creates and confirms a PaymentIntent of {int} {string} with {string}")]
    public Task CreateConfirmed(int amount, string currency, string paymentMethod) => CreateAsync(amount, currency, [new("payment_method", paymentMethod), new("confirm", "true")]);

    [When("the merchant creates and confirms a PaymentIntent of {int} {string} with {string} to capture later")]
    public Task CreateManual(int amount, string currency, string paymentMethod) =>
        CreateAsync(amount, currency, [new("payment_method", paymentMethod), new("confirm", "true"), new("capture_method", "manual")]);

    [When("the merchant creates and confirms a PaymentIntent of {int} {string} with {string} and return_url {string}")]
    public Task CreateWithReturn(int amount, string currency, string paymentMethod, string returnUrl) =>
        CreateAsync(amount, currency, [new("payment_method", paymentMethod), new("confirm", "true"), new("return_url", returnUrl)]);

    [When("the merchant confirms that PaymentIntent with {string}")]
    public Task Confirm(string paymentMethod) => Stripe.StripeAsync(HttpMethod.Post, $"/v1/payment_intents/{Intent}/confirm", [new("payment_method", paymentMethod)]);

    [When("the merchant captures {int} of it")]
    public Task Capture(int amount) =>
        Stripe.StripeAsync(HttpMethod.Post, $"/v1/payment_intents/{Intent}/capture", [new("amount_to_capture", amount.ToString(CultureInfo.InvariantCulture))]);

    [When("the merchant refunds {int} of that PaymentIntent")]
    public async Task Refund(int amount)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/refunds", [new("payment_intent", Intent), new("amount", amount.ToString(CultureInfo.InvariantCulture))]);
        _refund = reply.Status == HttpStatusCode.OK ? ApiReply.Text(ApiReply.Field(reply.Json, "id")) : null;
    }

    /// <summary>The refund as retrieved now, and its charge's <c>amount_refunded</c> (a failed refund no longer counts).</summary>
    [Then("the refund is {string} with failure_reason {string} and the charge has {int} refunded")]
    public async Task RefundIs(string status, string failureReason, int refunded)
    {
        var refundId = _refund ?? throw new AssertionException("no refund was made in this scenario");
        var refund = (await Stripe.StripeAsync(HttpMethod.Get, $"/v1/refunds/{refundId}")).Json;
        Check.Equal(status, ApiReply.Text(ApiReply.Field(refund, "status")), "the refund's status");
        var reason = refund.TryGetProperty("failure_reason", out var given) && given.ValueKind == JsonValueKind.String ? given.GetString() : "none";
        Check.Equal(failureReason, reason, "the refund's failure_reason");
        var charge = (await Stripe.StripeAsync(HttpMethod.Get, "/v1/charges/" + ApiReply.Text(ApiReply.Field(refund, "charge")))).Json;
        Check.Equal(refunded, ApiReply.Field(charge, "amount_refunded").GetInt64(), "the charge's amount_refunded");
    }

    [Then("the answer is 402 with a card_error {string} whose payment_intent is {string}")]
    public void CardError(string code, string status)
    {
        Check.Equal(HttpStatusCode.PaymentRequired, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        var error = ApiReply.Field(_world.Last.Json, "error");
        Check.Equal("card_error", ApiReply.Text(ApiReply.Field(error, "type")), "error.type");
        Check.Equal(code, ApiReply.Text(ApiReply.Field(error, "code")), "error.code");
        Check.Equal(status, ApiReply.Text(ApiReply.Path(error, "payment_intent.status")), "error.payment_intent.status");
        Check.Equal(code, ApiReply.Text(ApiReply.Path(error, "payment_intent.last_payment_error.code")), "error.payment_intent.last_payment_error.code");
    }

    [Then("the PaymentIntent is {string} with amount_received {int} and amount_capturable {int}")]
    public async Task IntentIs(string status, int received, int capturable)
    {
        var intent = (await Stripe.StripeAsync(HttpMethod.Get, $"/v1/payment_intents/{Intent}?expand[]=latest_charge")).Json;
        Check.Equal(status, ApiReply.Text(ApiReply.Field(intent, "status")), "status");
        Check.Equal(received, ApiReply.Field(intent, "amount_received").GetInt64(), "amount_received");
        Check.Equal(capturable, ApiReply.Field(intent, "amount_capturable").GetInt64(), "amount_capturable");
        Check.Equal("succeeded", ApiReply.Text(ApiReply.Path(intent, "latest_charge.status")), "latest_charge.status");
    }

    [Then("the PaymentIntent was canceled automatically and its held charge released in full")]
    public async Task CanceledAutomatically()
    {
        var intent = (await Stripe.StripeAsync(HttpMethod.Get, $"/v1/payment_intents/{Intent}?expand[]=latest_charge")).Json;
        Check.Equal("canceled", ApiReply.Text(ApiReply.Field(intent, "status")), "status");
        Check.Equal("automatic", ApiReply.Text(ApiReply.Field(intent, "cancellation_reason")), "cancellation_reason");
        Check.Equal(0, ApiReply.Field(intent, "amount_capturable").GetInt64(), "amount_capturable");
        Check.Equal("false", ApiReply.Text(ApiReply.Path(intent, "latest_charge.captured")), "latest_charge.captured");
        Check.Equal(ApiReply.Path(intent, "latest_charge.amount").GetInt64(), ApiReply.Path(intent, "latest_charge.amount_refunded").GetInt64(), "latest_charge.amount_refunded");
    }

    /// <summary>The PaymentIntent's own events, in order: a clock advance may also expire other scenarios' open sessions.</summary>
    [Then("the receiver gets for the PaymentIntent {string}")]
    public async Task IntentEvents(string types)
    {
        var mine = (await _world.ReceivedAsync()).Select(r => SandboxWorld.ParseJson(r.Body))
            .Where(e => ObjectField(e, "id") == Intent || ObjectField(e, "payment_intent") == Intent)
            .Select(e => ApiReply.Text(ApiReply.Field(e, "type")));
        Check.Equal(types, string.Join(", ", mine), "the PaymentIntent's events, in order");
    }

    /// <summary>
    /// The refund events of the PaymentIntent, in order. They are filed under the charge, the payment's own events under
    /// the intent, and the two are delivered side by side, so only each one's own order is Stripe's.
    /// </summary>
    [Then("the receiver gets for the PaymentIntent's refunds {string}")]
    public async Task RefundEvents(string types)
    {
        var mine = (await _world.ReceivedAsync()).Select(r => SandboxWorld.ParseJson(r.Body))
            .Where(e => ObjectField(e, "payment_intent") == Intent)
            .Select(e => ApiReply.Text(ApiReply.Field(e, "type")))
            .Where(t => t.StartsWith("refund.", StringComparison.Ordinal) || t.StartsWith("charge.refund", StringComparison.Ordinal));
        Check.Equal(types, string.Join(", ", mine), "the refund events, in order");
    }

    [Then("capturing it is refused with {string}")]
    public async Task CaptureRefused(string code)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, $"/v1/payment_intents/{Intent}/capture");
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, $"HTTP status ({reply.Body})");
        Check.Equal(code, ApiReply.Text(ApiReply.Path(reply.Json, "error.code")), "error.code");
    }

    [Then("the PaymentIntent requires action: next_action redirects to the sandbox's hosted page")]
    public void RequiresAction()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal("requires_action", ApiReply.Text(ApiReply.Field(_world.Last.Json, "status")), "status");
        Check.Equal("redirect_to_url", ApiReply.Text(ApiReply.Path(_world.Last.Json, "next_action.type")), "next_action.type");
        Check.Equal(_world.PayPageUrl(Intent), ApiReply.Text(ApiReply.Path(_world.Last.Json, "next_action.redirect_to_url.url")), "next_action.redirect_to_url.url");
    }

    [Then("the buyer returns to {string} with the PaymentIntent, its client_secret and redirect_status {string}")]
    public async Task Returned(string returnUrl, string redirectStatus)
    {
        var secret = ApiReply.Text(ApiReply.Field((await Stripe.StripeAsync(HttpMethod.Get, $"/v1/payment_intents/{Intent}")).Json, "client_secret"));
        var expected = $"{returnUrl}?payment_intent={Intent}&payment_intent_client_secret={Uri.EscapeDataString(secret)}&redirect_status={redirectStatus}";
        var page = _world.PayPage ?? throw new AssertionException("the buyer has not clicked anything yet");
        Check.Equal(expected, page.Location, "the challenge page's redirect");
    }

    /// <summary>A string field of an event's <c>data.object</c>; null when it has none.</summary>
    private static string? ObjectField(JsonElement evt, string name) =>
        evt.TryGetProperty("data", out var data) && data.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.Object
            && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private async Task CreateAsync(int amount, string currency, List<KeyValuePair<string, string>> form)
    {
        form.AddRange([new("amount", amount.ToString(CultureInfo.InvariantCulture)), new("currency", currency), new("description", context.Unique("pi"))]);
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/payment_intents", form);
        // A refusal before any intent exists (a parameter checked on create) carries none.
        var id = reply.Status == HttpStatusCode.OK ? ApiReply.Text(ApiReply.Field(reply.Json, "id"))
            : reply.Json.TryGetProperty("error", out var error) && error.TryGetProperty("payment_intent", out var refused) && refused.ValueKind == JsonValueKind.Object
                ? ApiReply.Text(ApiReply.Field(refused, "id"))
                : null;
        _intent = id;
        _world.PaymentId = id;
    }
}
