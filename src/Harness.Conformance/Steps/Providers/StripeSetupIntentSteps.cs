using System.Net;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>Stripe's SetupIntents as a merchant backend saves a card without a payment: create, confirm, 3-D Secure, cancel, then charge it later.</summary>
[Steps]
public sealed partial class StripeSetupIntentSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _intent;
    private string? _customer;

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private string Intent => _intent ?? throw new AssertionException("no SetupIntent was created in this scenario");

    private string Customer => _customer ?? throw new AssertionException("no customer was made in this scenario");

    [When("the merchant creates a SetupIntent for a new customer")]
    public Task Create() => CreateAsync([]);

    [When("the merchant creates and confirms a SetupIntent for a new customer with {string}")]
    public Task CreateConfirmed(string paymentMethod) => CreateAsync([new("payment_method", paymentMethod), new("confirm", "true")]);

    [When("the merchant creates and confirms a SetupIntent for a new customer with {string} and return_url {string}")]
    public Task CreateWithReturn(string paymentMethod, string returnUrl) =>
        CreateAsync([new("payment_method", paymentMethod), new("confirm", "true"), new("return_url", returnUrl)]);

    [When("the merchant confirms that SetupIntent with {string}")]
    public Task Confirm(string paymentMethod) => Stripe.StripeAsync(HttpMethod.Post, $"/v1/setup_intents/{Intent}/confirm", [new("payment_method", paymentMethod)]);

    [When("the merchant cancels that SetupIntent with reason {string}")]
    public Task Cancel(string reason) => Stripe.StripeAsync(HttpMethod.Post, $"/v1/setup_intents/{Intent}/cancel", [new("cancellation_reason", reason)]);

    [When("the merchant creates a SetupIntent with {string} set to {string}")]
    public Task CreateWith(string parameter, string value) => Stripe.StripeAsync(HttpMethod.Post, "/v1/setup_intents", [new(parameter, value)]);

    [When("the merchant charges the set-up card off session for {int} {string}")]
    public async Task ChargeOffSession(int amount, string currency)
    {
        var method = ApiReply.Text(ApiReply.Field(await IntentAsync(), "payment_method"));
        await Stripe.StripeAsync(HttpMethod.Post, "/v1/payment_intents",
        [
            new("amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("currency", currency), new("customer", Customer),
            new("payment_method", method), new("confirm", "true"), new("off_session", "true"),
        ]);
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"the off-session PaymentIntent ({_world.Last.Body})");
        Check.Equal("succeeded", ApiReply.Text(ApiReply.Field(_world.Last.Json, "status")), "the off-session PaymentIntent's status");
    }

    [Then("the SetupIntent is {string}")]
    public async Task Is(string status) => Check.Equal(status, ApiReply.Text(ApiReply.Field(await IntentAsync(), "status")), "the SetupIntent's status");

    [Then("the SetupIntent is {string} and its card is saved to the customer")]
    public async Task Saved(string status)
    {
        var intent = await IntentAsync();
        Check.Equal(status, ApiReply.Text(ApiReply.Field(intent, "status")), "the SetupIntent's status");
        var method = (await Stripe.StripeAsync(HttpMethod.Get, "/v1/payment_methods/" + ApiReply.Text(ApiReply.Field(intent, "payment_method")))).Json;
        Check.Equal(Customer, ApiReply.Text(ApiReply.Field(method, "customer")), "the set-up PaymentMethod's customer");
    }

    [Then("the SetupIntent requires action: next_action redirects to the sandbox's hosted page")]
    public void RequiresAction()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal("requires_action", ApiReply.Text(ApiReply.Field(_world.Last.Json, "status")), "status");
        Check.Equal(_world.PayPageUrl(Intent), ApiReply.Text(ApiReply.Path(_world.Last.Json, "next_action.redirect_to_url.url")), "next_action.redirect_to_url.url");
    }

    [Then("the buyer returns to {string} with the SetupIntent, its client_secret and redirect_status {string}")]
    public async Task Returned(string returnUrl, string redirectStatus)
    {
        var secret = ApiReply.Text(ApiReply.Field(await IntentAsync(), "client_secret"));
        var expected = $"{returnUrl}?setup_intent={Intent}&setup_intent_client_secret={Uri.EscapeDataString(secret)}&redirect_status={redirectStatus}";
        var page = _world.PayPage ?? throw new AssertionException("the buyer has not clicked anything yet");
        Check.Equal(expected, page.Location, "the challenge page's redirect");
    }

    [Then("the answer is 402 with a card_error {string} whose setup_intent is {string}")]
    public void CardError(string code, string status)
    {
        Check.Equal(HttpStatusCode.PaymentRequired, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        var error = ApiReply.Field(_world.Last.Json, "error");
        Check.Equal(("card_error", code), (ApiReply.Text(ApiReply.Field(error, "type")), ApiReply.Text(ApiReply.Field(error, "code"))), "error.type and error.code");
        Check.Equal(status, ApiReply.Text(ApiReply.Path(error, "setup_intent.status")), "error.setup_intent.status");
        Check.Equal(code, ApiReply.Text(ApiReply.Path(error, "setup_intent.last_setup_error.code")), "error.setup_intent.last_setup_error.code");
    }

    /// <summary>The statuses of the intent's SetupAttempts, newest first.</summary>
    [Then("the SetupIntent's attempts are {string}")]
    public async Task Attempts(string statuses)
    {
        var list = (await Stripe.StripeAsync(HttpMethod.Get, $"/v1/setup_attempts?setup_intent={Intent}")).Json;
        var listed = ApiReply.Field(list, "data").EnumerateArray().Select(a => ApiReply.Text(ApiReply.Field(a, "status")));
        Check.Equal(statuses, string.Join(", ", listed), "the SetupIntent's attempts, newest first");
    }

    /// <summary>The SetupIntent's own events, in order (the PaymentMethod's attach is another object's, delivered beside them).</summary>
    [Then("the receiver gets for the SetupIntent {string}")]
    public async Task IntentEvents(string types)
    {
        var mine = (await _world.ReceivedAsync()).Select(r => SandboxWorld.ParseJson(r.Body))
            .Where(e => e.TryGetProperty("data", out var data) && data.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.Object
                && obj.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == Intent)
            .Select(e => ApiReply.Text(ApiReply.Field(e, "type")));
        Check.Equal(types, string.Join(", ", mine), "the SetupIntent's events, in order");
    }

    private async Task<JsonElement> IntentAsync() => (await Stripe.StripeAsync(HttpMethod.Get, "/v1/setup_intents/" + Intent)).Json;

    private async Task CreateAsync(List<KeyValuePair<string, string>> form)
    {
        var customer = await Stripe.StripeAsync(HttpMethod.Post, "/v1/customers", [new("email", context.Unique("seti") + "@example.com")]);
        _customer = ApiReply.Text(ApiReply.Field(customer.Json, "id"));
        form.Add(new("customer", _customer));
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/setup_intents", form);
        _intent = reply.Status == HttpStatusCode.OK ? ApiReply.Text(ApiReply.Field(reply.Json, "id")) : ApiReply.Text(ApiReply.Path(reply.Json, "error.setup_intent.id"));
        _world.PaymentId = _intent;
    }
}
