using System.Net;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe's customer portal as a merchant hands it out and a customer uses it: a portal configuration, a session for the
/// customer of <see cref="StripeRecurringSteps"/>, and the hosted page's forms posted as a browser posts them.
/// </summary>
[Steps]
public sealed partial class StripePortalSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _configuration;
    private string? _url;
    private string? _page;
    private List<KeyValuePair<string, string>>? _lastForm;

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private string Url => _url ?? throw new AssertionException("no portal session was opened in this scenario");

    [Given("a Stripe portal configuration that cancels {string} with create_prorations and switches between Pro and Team monthly with {string}")]
    public async Task Configure(string mode, string proration)
    {
        var configuration = await Recurring.OkAsync(HttpMethod.Post, "/v1/billing_portal/configurations",
        [
            new("features[subscription_cancel][enabled]", "true"), new("features[subscription_cancel][mode]", mode),
            new("features[subscription_cancel][proration_behavior]", "create_prorations"),
            new("features[subscription_cancel][cancellation_reason][enabled]", "true"), new("features[subscription_cancel][cancellation_reason][options][0]", "unused"),
            new("features[subscription_update][enabled]", "true"), new("features[subscription_update][proration_behavior]", proration),
            new("features[subscription_update][default_allowed_updates][0]", "price"),
            new("features[subscription_update][products][0][product]", "prod_HarnessPro"), new("features[subscription_update][products][0][prices][0]", "price_HarnessProMonthly"),
            new("features[subscription_update][products][1][product]", "prod_HarnessTeam"), new("features[subscription_update][products][1][prices][0]", "price_HarnessTeamMonthly"),
        ]);
        Check.Equal("billing_portal.configuration", ApiReply.Text(ApiReply.Field(configuration, "object")), "the configuration's object");
        _configuration = ApiReply.Text(ApiReply.Field(configuration, "id"));
    }

    [When("the merchant opens a Stripe portal session for the customer")]
    public async Task Open()
    {
        List<KeyValuePair<string, string>> form = [new("customer", Recurring.Customer), new("return_url", "https://merchant.example/account")];
        if (_configuration is not null)
        {
            form.Add(new("configuration", _configuration));
        }

        var session = await Recurring.OkAsync(HttpMethod.Post, "/v1/billing_portal/sessions", form);
        Check.Equal("billing_portal.session", ApiReply.Text(ApiReply.Field(session, "object")), "the session's object");
        _url = ApiReply.Text(ApiReply.Field(session, "url"));
        var page = await _world.SendAsync(HttpMethod.Get, _url);
        Check.Equal(HttpStatusCode.OK, page.Status, "the HTTP status of the portal page");
        _page = page.Body;
    }

    [When("the customer cancels the subscription in the portal giving the reason {string}")]
    public Task Cancel(string reason) => SubmitAsync("cancel", [new("subscription", Recurring.Subscription), new("reason", reason)]);

    [When("the customer switches the subscription to {string} in the portal")]
    public Task Switch(string price) => SubmitAsync("update", [new("subscription", Recurring.Subscription), new("price", price)]);

    [When("the customer adds the test card {string} in the portal")]
    public Task AddCard(string number) => SubmitAsync("add_card", [new("card_number", number), new("card_expiry", "12 / 45"), new("card_cvc", "123")]);

    [Then("the subscription cancels at period end with the feedback {string}")]
    public async Task CancelsAtPeriodEnd(string feedback)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        Check.That(ApiReply.Field(subscription, "cancel_at_period_end").GetBoolean(), "the subscription should be set to cancel at period end");
        Check.Equal(feedback, ApiReply.Text(ApiReply.Path(subscription, "cancellation_details.feedback")), "cancellation_details.feedback");
    }

    [Then("the subscription's cancellation feedback is {string}")]
    public async Task Feedback(string feedback) => Check.Equal(feedback,
        ApiReply.Text(ApiReply.Path(await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription), "cancellation_details.feedback")),
        "cancellation_details.feedback");

    [Then("the customer's default payment method is a card ending in {string}")]
    public async Task DefaultCard(string last4)
    {
        var customer = await Recurring.OkAsync(HttpMethod.Get, "/v1/customers/" + Recurring.Customer);
        var method = await Recurring.OkAsync(HttpMethod.Get, "/v1/payment_methods/" + ApiReply.Text(ApiReply.Path(customer, "invoice_settings.default_payment_method")));
        Check.Equal(last4, ApiReply.Text(ApiReply.Path(method, "card.last4")), "the default card's last4");
    }

    [Then("posting the same portal form again is refused with a 409")]
    public async Task Replay()
    {
        var reply = await _world.SendAsync(HttpMethod.Post, Url, new FormUrlEncodedContent(_lastForm ?? throw new AssertionException("no portal form was posted")));
        Check.Equal(HttpStatusCode.Conflict, reply.Status, "the HTTP status of a replayed portal form");
    }

    [Then("a portal session whose cancel flow names another customer's subscription is refused with param {string}")]
    public async Task OtherCustomersSubscription(string param)
    {
        var other = await Recurring.OkAsync(HttpMethod.Post, "/v1/customers", [new("email", "other@example.com")]);
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/billing_portal/sessions",
        [
            new("customer", ApiReply.Text(ApiReply.Field(other, "id"))), new("flow_data[type]", "subscription_cancel"),
            new("flow_data[subscription_cancel][subscription]", Recurring.Subscription),
        ]);
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, $"the HTTP status ({reply.Body})");
        Check.Equal(param, ApiReply.Text(ApiReply.Path(reply.Json, "error.param")), "error.param");
    }

    /// <summary>Posts one of the page's forms with its token, as a browser would; the answer is the next page.</summary>
    private async Task SubmitAsync(string action, List<KeyValuePair<string, string>> fields)
    {
        var token = TokenField().Match(_page ?? throw new AssertionException("no portal page was opened")).Groups[1].Value;
        _lastForm = [new("token", token), new("action", action), .. fields];
        var reply = await _world.SendAsync(HttpMethod.Post, Url, new FormUrlEncodedContent(_lastForm));
        Check.Equal(HttpStatusCode.OK, reply.Status, $"the HTTP status of the portal's {action} form ({NoticeElement().Match(reply.Body).Groups[1].Value})");
        _page = reply.Body;
    }

    [GeneratedRegex("name=\"token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex("id=\"notice\"[^>]*>(.*?)</p>", RegexOptions.Singleline)]
    private static partial Regex NoticeElement();
}
