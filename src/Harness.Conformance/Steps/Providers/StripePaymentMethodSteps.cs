using System.Net;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>Stripe's PaymentMethods as a merchant backend keeps cards on file: saved to customers, updated, detached, charged later.</summary>
[Steps]
public sealed class StripePaymentMethodSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _customer;
    private string? _card;

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private string Card => _card ?? throw new AssertionException("no card was saved in this scenario");

    private string Customer => _customer ?? throw new AssertionException("no customer was made in this scenario");

    [When("the merchant saves a card made from the test token {string} to a new customer")]
    public async Task SaveFromToken(string token)
    {
        _customer = await NewCustomerAsync();
        var method = await OkAsync(HttpMethod.Post, "/v1/payment_methods", [new("type", "card"), new("card[token]", token)]);
        Check.Equal(JsonValueKind.Null, ApiReply.Field(method, "customer").ValueKind, "a new PaymentMethod's customer");
        _card = ApiReply.Text(ApiReply.Field(method, "id"));
        var attached = await OkAsync(HttpMethod.Post, $"/v1/payment_methods/{_card}/attach", [new("customer", _customer)]);
        Check.Equal(_customer, ApiReply.Text(ApiReply.Field(attached, "customer")), "the attached PaymentMethod's customer");
    }

    [When("the merchant saves the test card {string} to a new customer")]
    public async Task SaveTestCard(string testId)
    {
        _customer = await NewCustomerAsync();
        var attached = await OkAsync(HttpMethod.Post, $"/v1/payment_methods/{testId}/attach", [new("customer", _customer)]);
        _card = ApiReply.Text(ApiReply.Field(attached, "id"));
        Check.That(_card != testId && _card.StartsWith("pm_", StringComparison.Ordinal), $"attaching {testId} should make a fresh pm_ PaymentMethod, not {_card}");
    }

    [When("the merchant sets the saved card's billing name to {string}")]
    public async Task Rename(string name)
    {
        var updated = await OkAsync(HttpMethod.Post, "/v1/payment_methods/" + Card, [new("billing_details[name]", name)]);
        Check.Equal(name, ApiReply.Text(ApiReply.Path(updated, "billing_details.name")), "billing_details.name");
    }

    [When("the merchant detaches the saved card")]
    public async Task Detach() => Check.Equal(JsonValueKind.Null, ApiReply.Field(await OkAsync(HttpMethod.Post, $"/v1/payment_methods/{Card}/detach"), "customer").ValueKind, "a detached card's customer");

    [When("the merchant attaches the saved card to another customer")]
    public async Task AttachElsewhere() =>
        await Stripe.StripeAsync(HttpMethod.Post, $"/v1/payment_methods/{Card}/attach", [new("customer", await NewCustomerAsync())]);

    [When("the merchant charges the saved card off session for {int} {string}")]
    public Task ChargeOffSession(int amount, string currency) => Stripe.StripeAsync(HttpMethod.Post, "/v1/payment_intents",
    [
        new("amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("currency", currency), new("customer", Customer),
        new("payment_method", Card), new("confirm", "true"), new("off_session", "true"),
    ]);

    [Then("the customer's saved cards end in {string}")]
    public async Task SavedCards(string last4s)
    {
        var list = await OkAsync(HttpMethod.Get, $"/v1/customers/{Customer}/payment_methods");
        var cards = ApiReply.Field(list, "data").EnumerateArray().Select(m => ApiReply.Text(ApiReply.Path(m, "card.last4")));
        Check.Equal(last4s, string.Join(", ", cards) is { Length: > 0 } listed ? listed : "nothing", "the last4 of the customer's cards");
    }

    [Then("the answer is {int} with code {string} and the message {string}")]
    public void Refused(int status, string code, string message)
    {
        Check.Equal(status, (int)_world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(code, ApiReply.Text(ApiReply.Path(_world.Last.Json, "error.code")), "error.code");
        Check.Equal(message, ApiReply.Text(ApiReply.Path(_world.Last.Json, "error.message")), "error.message");
    }

    [Then("the off-session PaymentIntent succeeded with the saved card")]
    public void PaidOffSession()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal("succeeded", ApiReply.Text(ApiReply.Field(_world.Last.Json, "status")), "status");
        Check.Equal(Card, ApiReply.Text(ApiReply.Field(_world.Last.Json, "payment_method")), "payment_method");
    }

    private async Task<string> NewCustomerAsync() =>
        ApiReply.Text(ApiReply.Field(await OkAsync(HttpMethod.Post, "/v1/customers", [new("email", context.Unique("card") + "@example.com")]), "id"));

    private async Task<JsonElement> OkAsync(HttpMethod method, string path, List<KeyValuePair<string, string>>? form = null)
    {
        var reply = await Stripe.StripeAsync(method, path, form);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"{method} {path} ({reply.Body})");
        return reply.Json;
    }
}
