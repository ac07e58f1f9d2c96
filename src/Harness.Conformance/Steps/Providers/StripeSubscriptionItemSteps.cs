using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Several items on the subscription of <see cref="StripeRecurringSteps"/>: added through the Subscription Items API
/// (<c>POST /v1/subscription_items</c>), removed with <c>items[n][deleted]</c> on <c>POST /v1/subscriptions/{id}</c>, and
/// the last one kept (<c>DELETE /v1/subscription_items/{id}</c> refused).
/// </summary>
[Steps]
public sealed class StripeSubscriptionItemSteps(ScenarioContext context)
{
    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    [When("the merchant adds {string} to the subscription through the Subscription Items API")]
    public async Task Add(string price)
    {
        var item = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscription_items", [new("subscription", Recurring.Subscription), new("price", price)]);
        Check.Equal("subscription_item", ApiReply.Text(ApiReply.Field(item, "object")), "the answer's object");
        Check.Equal(price, ApiReply.Text(ApiReply.Path(item, "price.id")), "the new item's price");
    }

    [When("the merchant removes the subscription's {string} item with a subscription update")]
    public async Task Remove(string price) =>
        await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions/" + Recurring.Subscription, [new("items[0][id]", await ItemOfAsync(price)), new("items[0][deleted]", "true")]);

    [Then("the subscription's items are {string}")]
    public async Task Items(string prices)
    {
        var list = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscription_items?subscription=" + Recurring.Subscription);
        // The list is newest first; the subscription shows its items oldest first.
        var listed = ApiReply.Field(list, "data").EnumerateArray().Reverse().Select(i => ApiReply.Text(ApiReply.Path(i, "price.id")));
        Check.Equal(prices, string.Join(", ", listed), "the subscription's items' prices, oldest first");
    }

    /// <summary>Stripe's 400: a subscription keeps at least one item.</summary>
    [Then("deleting the subscription's {string} item is refused naming {string}")]
    public async Task LastRefused(string price, string param)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Delete, "/v1/subscription_items/" + await ItemOfAsync(price));
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, $"deleting the last item ({reply.Body})");
        Check.Equal("invalid_request_error", ApiReply.Text(ApiReply.Path(reply.Json, "error.type")), "the error's type");
        Check.Equal(param, ApiReply.Text(ApiReply.Path(reply.Json, "error.param")), "the error's param");
    }

    private async Task<string> ItemOfAsync(string price)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        var item = ApiReply.Path(subscription, "items.data").EnumerateArray().Single(i => ApiReply.Text(ApiReply.Path(i, "price.id")) == price);
        return ApiReply.Text(ApiReply.Field(item, "id"));
    }
}
