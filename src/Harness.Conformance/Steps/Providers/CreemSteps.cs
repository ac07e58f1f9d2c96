using System.Net;
using System.Text;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>The Creem sandbox as the creem SDK uses it: checkouts with x-api-key, and creem-signature webhooks.</summary>
[Steps]
public sealed class CreemSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private JsonElement? _checkout;

    [Given("the Creem sandbox with webhooks sent to the merchant's receiver")]
    [Needs(Need.Sandbox)]
    public async Task Sandbox()
    {
        _world.NewPayment = async () => await CreateAsync(await _world.CredentialAsync("creem", "one_time_product"));
        await _world.ConfigureAsync("creem", new Dictionary<string, string?> { ["webhook_url"] = _world.Receiver.Url });
    }

    [When("the merchant creates a checkout for {string} with request_id {string}")]
    public Task CreateWithRequestId(string product, string requestId) => CreateAsync(product, requestId: requestId);

    [Given("a checkout for {string}")]
    public Task Checkout(string product) => CreateAsync(product);

    [Given("a checkout for {string} with success_url {string}")]
    public Task CheckoutWithSuccessUrl(string product, string successUrl) => CreateAsync(product, successUrl: successUrl);

    [When("the merchant retrieves GET /v1\\/checkouts?checkout_id= with its id")]
    public Task Retrieve() => CreemAsync(HttpMethod.Get, "/v1/checkouts?checkout_id=" + Uri.EscapeDataString(_world.ThePayment));

    [When("a request arrives without the x-api-key header")]
    public Task WithoutKey() => CreemAsync(HttpMethod.Get, "/v1/checkouts?checkout_id=ch_anything", authenticated: false);

    [When("^the merchant creates a checkout with body (\\{.*\\})$")]
    public Task CreateWithBody(string body) => CreemAsync(HttpMethod.Post, "/v1/checkouts", body);

    [Given("the receiver answers {int} and then {int}")]
    public void ReceiverAnswers(int first, int second) => _world.Receiver.Script((first, ""), (second, ""));

    [Then("the checkout has:")]
    public void CheckoutHas(StepTable fields)
    {
        foreach (var (field, value) in fields.Pairs)
        {
            Check.Equal(value, ApiReply.Text(ApiReply.Path(TheCheckout, field)), field);
        }
    }

    [Then("its product is the full product object")]
    public void FullProduct()
    {
        var product = ApiReply.Field(TheCheckout, "product");
        Check.Equal(JsonValueKind.Object, product.ValueKind, "product");
        foreach (var field in new[] { "id", "object", "name", "price", "currency", "billing_type", "mode" })
        {
            ApiReply.Field(product, field);
        }
    }

    [Then("its checkout_url is the sandbox's hosted pay page")]
    public void CheckoutUrl() => Check.Equal(_world.PayPageUrl(_world.ThePayment), ApiReply.Text(ApiReply.Field(TheCheckout, "checkout_url")), "checkout_url");

    [Then("the same checkout is returned")]
    public void SameCheckout()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(_world.ThePayment, ApiReply.Text(ApiReply.Field(_world.Last.Json, "id")), "id");
        Check.Equal(ApiReply.Text(ApiReply.Field(TheCheckout, "status")), ApiReply.Text(ApiReply.Field(_world.Last.Json, "status")), "status");
    }

    [Then("the buyer is redirected to {string} with checkout_id, order_id, customer_id, product_id and signature")]
    public async Task RedirectedWithIds(string url)
    {
        var location = _world.PayPage?.Location ?? throw new AssertionException("the pay page did not redirect the buyer");
        Check.That(location.StartsWith(url + "?", StringComparison.Ordinal), $"the redirect {location} is not to {url}");
        var parameters = FormText.Parse(location[(url.Length + 1)..]);
        var names = parameters.Select(p => p.Key).ToList();
        foreach (var name in new[] { "checkout_id", "order_id", "customer_id", "product_id", "signature" })
        {
            Check.That(names.Contains(name), $"the redirect lacks {name}: {location}");
        }

        Check.Equal(_world.ThePayment, parameters.First(p => p.Key == "checkout_id").Value, "checkout_id");
        var signed = parameters.Where(p => p.Key != "signature");
        Check.Equal(ProviderSignatures.CreemReturn(signed, await _world.CredentialAsync("creem", "api_key")), parameters.First(p => p.Key == "signature").Value, "signature");
    }

    [Then("the receiver gets a {string} event whose creem-signature verifies over the raw body")]
    public async Task SignedEvent(string type)
    {
        var request = await _world.EventAsync(type);
        Check.Equal(ProviderSignatures.Creem(await _world.CredentialAsync("creem", "webhook_secret"), request.Body), request.Header("creem-signature"), "creem-signature");
        var envelope = SandboxWorld.ParseJson(request.Body);
        Check.That(ApiReply.Text(ApiReply.Field(envelope, "id")).Length > 0, "the event has no id");
        Check.That(ApiReply.Field(envelope, "created_at").GetInt64() > 1_000_000_000_000, "created_at is not in milliseconds");
    }

    [Then("the event's object has status {string}, an order of {int} cents marked {string} and a customer with a country field")]
    public async Task CompletedObject(string status, int cents, string orderStatus)
    {
        var checkout = ApiReply.Field(SandboxWorld.ParseJson((await _world.EventAsync("checkout.completed")).Body), "object");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(checkout, "status")), "object.status");
        Check.Equal(cents, ApiReply.Path(checkout, "order.amount").GetInt32(), "object.order.amount");
        Check.Equal(orderStatus, ApiReply.Text(ApiReply.Path(checkout, "order.status")), "object.order.status");
        Check.That(ApiReply.Field(checkout, "customer").TryGetProperty("country", out _), "object.customer has no country field");
    }

    [Then("the subscription events carry the full product and customer objects")]
    public async Task SubscriptionObjects()
    {
        var subscriptionEvents = (await _world.ReceivedAsync()).Where(r => SandboxWorld.EventType(r).StartsWith("subscription.", StringComparison.Ordinal)).ToList();
        Check.That(subscriptionEvents.Count > 0, "no subscription events arrived");
        foreach (var request in subscriptionEvents)
        {
            var subscription = ApiReply.Field(SandboxWorld.ParseJson(request.Body), "object");
            Check.That(ApiReply.Text(ApiReply.Path(subscription, "product.id")).Length > 0, $"{SandboxWorld.EventType(request)}: product is not a full object");
            Check.That(ApiReply.Text(ApiReply.Path(subscription, "customer.id")).Length > 0, $"{SandboxWorld.EventType(request)}: customer is not a full object");
            Check.That(ApiReply.Field(subscription, "customer").TryGetProperty("country", out _), $"{SandboxWorld.EventType(request)}: customer has no country field");
        }
    }

    [Then("the delivery log shows three attempts answered {int}, {int} and {int} with the same body")]
    public async Task ThreeAttempts(int first, int second, int third)
    {
        var received = await _world.ReceivedAsync();
        var attempts = SandboxWorld.Attempts(await _world.DeliveryAsync());
        Check.Equal($"{first}, {second}, {third}", string.Join(", ", attempts.Select(a => ApiReply.Text(ApiReply.Field(a, "response_status")))), "statuses of the attempts");
        Check.Equal(1, attempts.Select(a => ApiReply.Text(ApiReply.Field(a, "request_body"))).Distinct().Count(), "distinct bodies among the attempts");
        Check.Equal(3, received.Count, "requests the receiver got");
    }

    [Then("the answer is {int} with body statusCode {int} and error {string}")]
    public void Refused(int status, int statusCode, string error)
    {
        Check.Equal(status, (int)_world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(statusCode, ApiReply.Field(_world.Last.Json, "statusCode").GetInt32(), "statusCode");
        Check.Equal(error, ApiReply.Text(ApiReply.Field(_world.Last.Json, "error")), "error");
    }

    [Then("the answer is {int} and the message mentions {string}")]
    public void MessageMentions(int status, string message)
    {
        Check.Equal(status, (int)_world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(status, ApiReply.Field(_world.Last.Json, "statusCode").GetInt32(), "statusCode");
        var text = ApiReply.Field(_world.Last.Json, "message").GetRawText();
        Check.That(text.Contains(message, StringComparison.Ordinal), $"the message {text} does not mention \"{message}\"");
    }

    private JsonElement TheCheckout => _checkout ?? throw new AssertionException("no checkout was created");

    private async Task<string> CreateAsync(string product, string? requestId = null, string? successUrl = null)
    {
        var body = new Dictionary<string, string>(StringComparer.Ordinal) { ["product_id"] = product };
        if (requestId is not null)
        {
            body["request_id"] = requestId;
        }

        if (successUrl is not null)
        {
            body["success_url"] = successUrl;
        }

        var reply = await CreemAsync(HttpMethod.Post, "/v1/checkouts", JsonSerializer.Serialize(body));
        Check.Equal(HttpStatusCode.OK, reply.Status, $"creating a checkout ({reply.Body})");
        _checkout = reply.Json;
        return _world.PaymentId = ApiReply.Text(ApiReply.Field(reply.Json, "id"));
    }

    private async Task<WireReply> CreemAsync(HttpMethod method, string path, string? json = null, bool authenticated = true)
    {
        var headers = authenticated ? new[] { new KeyValuePair<string, string>("x-api-key", await _world.CredentialAsync("creem", "api_key")) } : [];
        var content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
        return _world.LastReply = await _world.SendAsync(method, await _world.BaseUrlAsync("creem") + path, content, headers);
    }
}
