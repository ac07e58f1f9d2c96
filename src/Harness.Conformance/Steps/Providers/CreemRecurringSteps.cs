using System.Net;
using System.Text;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Creem recurring billing over HTTP as a merchant backend drives it: a subscription checkout (for seats, or for a
/// product with a trial), renewals made due one at a time through the control API (the shared sandbox clock is left
/// alone), cancellation, pause, resume, upgrade, seat changes, added items, a failing card and a refund. Only this
/// scenario's subscription's webhooks count: other scenarios may leave theirs.
/// </summary>
[Steps]
public sealed class CreemRecurringSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _subscription;
    private string? _product;
    private JsonElement? _lastTransaction;

    private string Subscription => _subscription ?? throw new AssertionException("the scenario has no subscription yet");

    [Given("the buyer paid a subscription checkout for {string}")]
    public Task PaidCheckout(string product) => PaidSeatsCheckout(product, 1);

    [Given("the buyer paid a subscription checkout for {string} with {int} seat(s)")]
    public async Task PaidSeatsCheckout(string product, int units)
    {
        var email = context.Unique("subscriber") + "@example.com";
        var checkout = await OkAsync(HttpMethod.Post, "/v1/checkouts", JsonSerializer.Serialize(new { product_id = product, units, customer = new { email } }));
        _world.PaymentId = ApiReply.Text(ApiReply.Field(checkout, "id"));
        await _world.ClickAsync("pay");
        var paid = await OkAsync(HttpMethod.Get, "/v1/checkouts?checkout_id=" + Uri.EscapeDataString(_world.PaymentId));
        Check.Equal("completed", ApiReply.Text(ApiReply.Field(paid, "status")), "the checkout's status after paying");
        var subscription = ApiReply.Field(paid, "subscription");
        _subscription = ApiReply.Text(ApiReply.Field(subscription, "id"));
        // A free trial has no transaction until it ends; a paid trial's is its trial charge.
        _lastTransaction = subscription.TryGetProperty("last_transaction", out var transaction) ? transaction : null;
    }

    [Given("the merchant created a monthly product of {int} cents with a {int}-day trial")]
    public Task TrialProduct(int cents, int days) => PaidTrialProduct(cents, days, 0);

    [Given("the merchant created a monthly product of {int} cents with a {int}-day trial charged {int} cents")]
    public async Task PaidTrialProduct(int cents, int days, int trialCents)
    {
        var product = await OkAsync(HttpMethod.Post, "/v1/products", JsonSerializer.Serialize(new
        {
            name = "Trial plan", description = "Monthly with a trial", price = cents, currency = "USD", billing_type = "recurring", billing_period = "every-month", trial_period_days = days,
            trial_price = trialCents,
        }));
        _product = ApiReply.Text(ApiReply.Field(product, "id"));
    }

    [Given("the buyer paid a checkout for that product with {int} seat(s)")]
    public Task PaidTrialCheckout(int units) => PaidSeatsCheckout(_product ?? throw new AssertionException("the scenario has no product yet"), units);

    [Given("the control API makes the subscription's charges fail with end state {string}")]
    public Task ChargesFail(string endState) =>
        _world.ControlAsync(HttpMethod.Post, $"/control/creem/subscriptions/{Subscription}/payment-failure", new { fail = true, end_state = endState });

    [When("the control API makes the subscription's next renewal happen, {int} time(s)")]
    public async Task Renew(int times)
    {
        for (var i = 0; i < times; i++)
        {
            await _world.ControlAsync(HttpMethod.Post, $"/control/creem/subscriptions/{Subscription}/renew");
        }
    }

    [When("the merchant cancels the subscription with mode {string}")]
    public Task Cancel(string mode) => ChangeAsync($"/v1/subscriptions/{Subscription}/cancel", JsonSerializer.Serialize(new { mode }));

    [When("the merchant pauses the subscription")]
    public Task Pause() => ChangeAsync($"/v1/subscriptions/{Subscription}/pause", null);

    [When("the merchant resumes the subscription")]
    public Task Resume() => ChangeAsync($"/v1/subscriptions/{Subscription}/resume", null);

    [When("the merchant upgrades the subscription to {string} with {string}")]
    public Task Upgrade(string product, string behaviour) =>
        ChangeAsync($"/v1/subscriptions/{Subscription}/upgrade", JsonSerializer.Serialize(new { product_id = product, update_behavior = behaviour }));

    [When("the merchant sets the subscription's seats to {int} with {string}")]
    public Task Seats(int units, string behaviour) =>
        ChangeAsync($"/v1/subscriptions/{Subscription}", JsonSerializer.Serialize(new { items = new[] { new { units } }, update_behavior = behaviour }));

    [When("the merchant adds {string} with {int} seat(s) to the subscription with {string}")]
    public Task AddItem(string product, int units, string behaviour) =>
        ChangeAsync($"/v1/subscriptions/{Subscription}", JsonSerializer.Serialize(new { items = new[] { new { product_id = product, units } }, update_behavior = behaviour }));

    [When("the merchant sets the seats of the subscription's {string} item to {int} with {string}")]
    public async Task ItemSeats(string product, int units, string behaviour)
    {
        var subscription = await OkAsync(HttpMethod.Get, "/v1/subscriptions?subscription_id=" + Uri.EscapeDataString(Subscription));
        var item = ApiReply.Field(subscription, "items").EnumerateArray().FirstOrDefault(i => ApiReply.Text(ApiReply.Field(i, "product_id")) == product);
        Check.That(item.ValueKind == JsonValueKind.Object, $"the subscription has an item of {product}: {subscription}");
        var id = ApiReply.Text(ApiReply.Field(item, "id"));
        await ChangeAsync($"/v1/subscriptions/{Subscription}", JsonSerializer.Serialize(new { items = new[] { new { id, units } }, update_behavior = behaviour }));
    }

    [When("the merchant refunds the subscription's first transaction")]
    public async Task Refund()
    {
        var transaction = ApiReply.Text(ApiReply.Field(_lastTransaction ?? throw new AssertionException("no transaction is known"), "id"));
        var refund = await OkAsync(HttpMethod.Post, "/v1/refunds", JsonSerializer.Serialize(new { transaction_id = transaction }));
        Check.Equal("succeeded", ApiReply.Text(ApiReply.Field(refund, "status")), "the refund's status");
    }

    [Then("the subscription's webhooks are, in order, each with a creem-signature that verifies:")]
    public async Task Webhooks(StepTable expected)
    {
        var secret = await _world.CredentialAsync("creem", "webhook_secret");
        var mine = (await _world.ReceivedAsync()).Where(r => SubscriptionOf(r) == Subscription).ToList();
        var seen = mine.Select(r => $"{SandboxWorld.EventType(r)} {ApiReply.Text(ApiReply.Path(SandboxWorld.ParseJson(r.Body), "object.status"))}").ToList();
        var wanted = expected.Rows.Select(row => $"{row["event"]} {row["status"]}").ToList();
        Check.Equal(string.Join(", ", wanted), string.Join(", ", seen), "the subscription's webhooks (event status)");
        foreach (var request in mine)
        {
            Check.Equal(ProviderSignatures.Creem(secret, request.Body), request.Header("creem-signature"), $"creem-signature of {SandboxWorld.EventType(request)}");
        }
    }

    [Then("the subscription is {string} and its last transaction is {int} cents")]
    public async Task State(string status, int cents)
    {
        var subscription = await OkAsync(HttpMethod.Get, "/v1/subscriptions?subscription_id=" + Uri.EscapeDataString(Subscription));
        Check.Equal(status, ApiReply.Text(ApiReply.Field(subscription, "status")), "the subscription's status");
        Check.Equal(cents, ApiReply.Path(subscription, "last_transaction.amount").GetInt32(), "the last transaction's amount");
    }

    [Then("the subscription's items are, in order:")]
    public async Task Items(StepTable expected)
    {
        var subscription = await OkAsync(HttpMethod.Get, "/v1/subscriptions?subscription_id=" + Uri.EscapeDataString(Subscription));
        var seen = ApiReply.Field(subscription, "items").EnumerateArray()
            .Select(i => $"{ApiReply.Text(ApiReply.Field(i, "product_id"))} × {ApiReply.Field(i, "units").GetInt32()}");
        Check.Equal(string.Join(", ", expected.Rows.Select(row => $"{row["product"]} × {row["units"]}")), string.Join(", ", seen), "the subscription's items (product × units)");
    }

    [Then("the subscription is {string} and has no transaction")]
    public async Task Uncharged(string status)
    {
        var subscription = await OkAsync(HttpMethod.Get, "/v1/subscriptions?subscription_id=" + Uri.EscapeDataString(Subscription));
        Check.Equal(status, ApiReply.Text(ApiReply.Field(subscription, "status")), "the subscription's status");
        Check.That(!subscription.TryGetProperty("last_transaction", out _), $"the subscription has no last_transaction: {subscription}");
    }

    [Then("the receiver gets a verifiable refund.created of {int} cents whose transaction is {string}")]
    public async Task RefundCreated(int cents, string status)
    {
        var request = await _world.EventAsync("refund.created");
        Check.Equal(ProviderSignatures.Creem(await _world.CredentialAsync("creem", "webhook_secret"), request.Body), request.Header("creem-signature"), "creem-signature");
        var refund = ApiReply.Field(SandboxWorld.ParseJson(request.Body), "object");
        Check.Equal(cents, ApiReply.Field(refund, "refund_amount").GetInt32(), "refund_amount");
        Check.Equal(status, ApiReply.Text(ApiReply.Path(refund, "transaction.status")), "transaction.status");
        Check.Equal(Subscription, ApiReply.Text(ApiReply.Field(refund, "subscription")), "the refund's subscription");
    }

    [Then("the merchant's request is refused with 400 and a message that mentions {string}")]
    public void Refused(string message)
    {
        Check.Equal(HttpStatusCode.BadRequest, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.That(_world.Last.Body.Contains(message, StringComparison.Ordinal), $"the answer {_world.Last.Body} does not mention \"{message}\"");
    }

    /// <summary>Which subscription a webhook concerns: the object itself, or a checkout's or refund's subscription.</summary>
    private static string? SubscriptionOf(ReceivedRequest request)
    {
        var body = SandboxWorld.ParseJson(request.Body);
        if (!body.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty("object", out var kind))
        {
            return null;
        }

        return ApiReply.Text(kind) == "subscription" ? ApiReply.Text(ApiReply.Field(obj, "id")) : null;
    }

    /// <summary>A change the merchant asks for; its answer is kept for the Then steps, refused or not.</summary>
    private async Task ChangeAsync(string path, string? json)
    {
        await CreemAsync(HttpMethod.Post, path, json);
        await _world.RunDueAsync();
    }

    private async Task<JsonElement> OkAsync(HttpMethod method, string path, string? json = null)
    {
        var reply = await CreemAsync(method, path, json);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"{method} {path} ({reply.Body})");
        return reply.Json;
    }

    private async Task<WireReply> CreemAsync(HttpMethod method, string path, string? json)
    {
        var headers = new[] { new KeyValuePair<string, string>("x-api-key", await _world.CredentialAsync("creem", "api_key")) };
        var content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
        return _world.LastReply = await _world.SendAsync(method, await _world.BaseUrlAsync("creem") + path, content, headers);
    }
}
