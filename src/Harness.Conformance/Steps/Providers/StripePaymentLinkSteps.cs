using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe Payment Links over HTTP: a link made with <c>POST /v1/payment_links</c>, its url opened as a browser opens it
/// (a redirect to the Checkout Session it makes, which becomes the scenario's payment), its limit and its inactive page.
/// </summary>
[Steps]
public sealed class StripePaymentLinkSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _link;
    private string? _url;

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private string Link => _link ?? throw new AssertionException("the scenario has no payment link yet");

    [Given("a Stripe payment link for {int} of {string}")]
    public Task LinkFor(int quantity, string price) => CreateAsync(Line(price, quantity));

    [Given("a Stripe payment link for {int} of {string} limited to {int} completed session(s) with the inactive message {string}")]
    public Task LimitedLink(int quantity, string price, int limit, string message) =>
        CreateAsync([.. Line(price, quantity), new("restrictions[completed_sessions][limit]", Text(limit)), new("inactive_message", message)]);

    [Given("a Stripe payment link for {string} whose buyer chooses {int} to {int}")]
    public Task AdjustableLink(string price, int minimum, int maximum) => CreateAsync(
    [
        .. Line(price, minimum), new("line_items[0][adjustable_quantity][enabled]", "true"),
        new("line_items[0][adjustable_quantity][minimum]", Text(minimum)), new("line_items[0][adjustable_quantity][maximum]", Text(maximum)),
    ]);

    [Given("a Stripe payment link for {int} of an inline price of {int} {string} named {string}")]
    public Task InlineLink(int quantity, int amount, string currency, string name) => CreateAsync(
    [
        new("line_items[0][quantity]", Text(quantity)), new("line_items[0][price_data][currency]", currency),
        new("line_items[0][price_data][unit_amount]", Text(amount)), new("line_items[0][price_data][product_data][name]", name),
    ]);

    [When("the merchant tries a payment link for {string} and {string}")]
    public Task TryMixed(string price, string other) =>
        Stripe.StripeAsync(HttpMethod.Post, "/v1/payment_links", [.. Line(price, 1), new("line_items[1][price]", other), new("line_items[1][quantity]", "1")]);

    [When("the buyer opens the payment link")]
    public async Task Open() => Opened(await _world.SendAsync(HttpMethod.Get, Url()));

    [When("the buyer opens the payment link and chooses {int}")]
    public async Task OpenChoosing(int quantity)
    {
        var form = await _world.SendAsync(HttpMethod.Get, Url());
        Check.Equal(HttpStatusCode.OK, form.Status, "the link's quantity page");
        var items = await Recurring.OkAsync(HttpMethod.Get, $"/v1/payment_links/{Link}/line_items");
        var line = ApiReply.Text(ApiReply.Field(ApiReply.Field(items, "data")[0], "id"));
        Opened(await _world.SendAsync(HttpMethod.Post, Url(), new FormUrlEncodedContent([new("quantity_" + line, Text(quantity))])));
    }

    [When("the merchant deactivates the payment link")]
    public Task Deactivate() => Recurring.OkAsync(HttpMethod.Post, "/v1/payment_links/" + Link, [new("active", "false")]);

    [Then("the session names the payment link and is for {int}")]
    public async Task SessionNamesLink(int amount)
    {
        var session = await Recurring.OkAsync(HttpMethod.Get, "/v1/checkout/sessions/" + _world.ThePayment);
        Check.Equal(Link, ApiReply.Text(ApiReply.Field(session, "payment_link")), "the session's payment_link");
        Check.Equal(amount, ApiReply.Field(session, "amount_total").GetInt64(), "the session's amount_total");
    }

    [Then("the receiver's {string} event names the payment link")]
    public async Task EventNamesLink(string type)
    {
        var request = await _world.EventAsync(type);
        await Stripe.VerifyAsync(request.Header("Stripe-Signature"), request.Body, DateTimeOffset.UtcNow);
        Check.Equal(Link, ApiReply.Text(ApiReply.Path(SandboxWorld.ParseJson(request.Body), "data.object.payment_link")), $"the {type} event's payment_link");
    }

    [Then("the payment link has {int} completed session(s)")]
    public async Task Completed(int count) => Check.Equal(count,
        ApiReply.Path(await Recurring.OkAsync(HttpMethod.Get, "/v1/payment_links/" + Link), "restrictions.completed_sessions.count").GetInt64(), "restrictions.completed_sessions.count");

    [Then("opening the payment link shows {string} and makes no session")]
    public async Task InactivePage(string message)
    {
        var before = await SessionsAsync();
        var page = await _world.SendAsync(HttpMethod.Get, Url());
        Check.Equal(HttpStatusCode.Gone, page.Status, "the inactive link's page");
        Check.That(page.Body.Contains(message, StringComparison.Ordinal), $"the inactive page says \"{message}\" ({page.Body})");
        Check.Equal(before, await SessionsAsync(), "the link's sessions after opening it");
    }

    private async Task CreateAsync(List<KeyValuePair<string, string>> form)
    {
        var link = await Recurring.OkAsync(HttpMethod.Post, "/v1/payment_links", form);
        _link = ApiReply.Text(ApiReply.Field(link, "id"));
        _url = ApiReply.Text(ApiReply.Field(link, "url"));
    }

    private void Opened(WireReply reply)
    {
        Check.Equal(HttpStatusCode.Redirect, reply.Status, $"opening the payment link ({reply.Body})");
        var location = reply.Location ?? "";
        Check.That(location.Contains("/pay/cs_test_", StringComparison.Ordinal), $"the link sends the buyer to a Checkout pay page, not \"{location}\"");
        _world.PaymentId = location[(location.LastIndexOf('/') + 1)..];
    }

    private async Task<int> SessionsAsync() =>
        ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, $"/v1/checkout/sessions?payment_link={Link}&limit=100"), "data").GetArrayLength();

    private string Url() => _url ?? throw new AssertionException("the scenario has no payment link yet");

    private static List<KeyValuePair<string, string>> Line(string price, int quantity) =>
        [new("line_items[0][price]", price), new("line_items[0][quantity]", Text(quantity))];

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
