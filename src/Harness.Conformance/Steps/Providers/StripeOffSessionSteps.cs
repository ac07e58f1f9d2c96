using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// <c>off_session=true</c> on <c>POST /v1/subscriptions</c>, for the customer of <see cref="StripeRecurringSteps"/>:
/// the first payment made with the customer away, and how its PaymentIntent failed.
/// </summary>
[Steps]
public sealed class StripeOffSessionSteps(ScenarioContext context)
{
    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    [When("the customer subscribes to {string} through the API off-session")]
    public async Task SubscribeOffSession(string price)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions",
            [new("customer", Recurring.Customer), new("items[0][price]", price), new("off_session", "true")]);
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(subscription, "id")));
    }

    /// <summary>The intent found as current API versions expose it (<c>latest_invoice.payments</c>), waiting for another payment method.</summary>
    [Then("the first invoice's PaymentIntent failed with {string}")]
    public async Task FirstIntentFailed(string code)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, $"/v1/subscriptions/{Recurring.Subscription}?expand[]=latest_invoice.payments");
        var intent = await Recurring.OkAsync(HttpMethod.Get, "/v1/payment_intents/" + ApiReply.Text(ApiReply.Path(subscription, "latest_invoice.payments.data.0.payment.payment_intent")));
        Check.Equal("requires_payment_method", ApiReply.Text(ApiReply.Field(intent, "status")), "the first invoice's PaymentIntent status");
        Check.Equal(code, ApiReply.Text(ApiReply.Path(intent, "last_payment_error.code")), "the PaymentIntent's last_payment_error.code");
    }
}
