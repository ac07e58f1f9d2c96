using System.Globalization;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe plan changes and invoices over HTTP, on the subscription and customer of <see cref="StripeRecurringSteps"/>:
/// a price or quantity change with its prorations, a pending update, the customer's credit balance, invoice items and
/// paying an invoice.
/// </summary>
[Steps]
public sealed class StripePlanChangeSteps(ScenarioContext context)
{
    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    [When("the merchant changes the subscription to {string}")]
    public Task Change(string price) => ChangeAsync(price, "create_prorations");

    [When("the merchant changes the subscription to {string} with proration_behavior {string}")]
    public Task ChangeWith(string price, string behavior) => ChangeAsync(price, behavior);

    [Then("the customer's pending invoice items are prorations of {string}")]
    public async Task PendingProrations(string amounts)
    {
        var list = await Recurring.OkAsync(HttpMethod.Get, $"/v1/invoiceitems?customer={Recurring.Customer}&pending=true");
        var items = ApiReply.Field(list, "data").EnumerateArray().Reverse().ToList();
        Check.Equal(amounts, string.Join(", ", items.Select(i => ApiReply.Field(i, "amount").GetInt64())), "the pending invoice items' amounts, oldest first");
        Check.That(items.All(i => ApiReply.Field(i, "proration").GetBoolean()), "every pending item is a proration");
    }

    [Then("the receiver gets a verifiable {string} event whose previous price is {string}")]
    public async Task PreviousPrice(string type, string price)
    {
        var events = await Recurring.VerifiedAsync(type);
        Check.That(events.Any(e => ApiReply.Text(ApiReply.Path(e, "data.previous_attributes.items.data.0.price.id")) == price),
            $"a {type} event with previous_attributes.items naming {price}");
    }

    [Then("the latest invoice is {string} for {int} with lines {string}")]
    public async Task LatestInvoice(string status, int total, string lines)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, $"/v1/subscriptions/{Recurring.Subscription}?expand[]=latest_invoice");
        var invoice = ApiReply.Field(subscription, "latest_invoice");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(invoice, "status")), "the latest invoice's status");
        Check.Equal(total, ApiReply.Field(invoice, "total").GetInt64(), "the latest invoice's total");
        Check.Equal(lines, string.Join(", ", ApiReply.Path(invoice, "lines.data").EnumerateArray().Select(l => ApiReply.Field(l, "amount").GetInt64())), "the latest invoice's lines");
    }

    [Then("the customer's balance is {int}")]
    public async Task Balance(int balance) =>
        Check.Equal(balance, ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/customers/" + Recurring.Customer), "balance").GetInt64(), "the customer's balance");

    [When("the merchant adds an invoice item of {int} {string} for the customer")]
    public async Task AddItem(int amount, string currency)
    {
        var item = await Recurring.OkAsync(HttpMethod.Post, "/v1/invoiceitems", [new("customer", Recurring.Customer), new("amount", Text(amount)), new("currency", currency)]);
        Check.Equal(JsonValueKind.Null, ApiReply.Field(item, "invoice").ValueKind, "a new invoice item's invoice");
    }

    [When("the merchant pays the latest invoice with {string}")]
    public async Task Pay(string paymentMethod)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        var paid = await Recurring.OkAsync(HttpMethod.Post, $"/v1/invoices/{ApiReply.Text(ApiReply.Field(subscription, "latest_invoice"))}/pay", [new("payment_method", paymentMethod)]);
        Check.Equal("paid", ApiReply.Text(ApiReply.Field(paid, "status")), "the paid invoice's status");
    }

    /// <summary><c>POST /v1/invoices/create_preview</c> with the change in <c>subscription_details</c>: the renewal it would make.</summary>
    [Then("a preview of a change to {string} shows an upcoming invoice of {int} with lines {string}")]
    public async Task Preview(string price, int total, string lines)
    {
        var current = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        var preview = await Recurring.OkAsync(HttpMethod.Post, "/v1/invoices/create_preview",
        [
            new("subscription", Recurring.Subscription), new("subscription_details[items][0][id]", ApiReply.Text(ApiReply.Path(current, "items.data.0.id"))),
            new("subscription_details[items][0][price]", price),
        ]);
        Check.That(ApiReply.Text(ApiReply.Field(preview, "id")).StartsWith("upcoming_in_", StringComparison.Ordinal), "a preview invoice's id starts with upcoming_in_");
        Check.Equal(total, ApiReply.Field(preview, "total").GetInt64(), "the preview's total");
        Check.Equal(lines, string.Join(", ", ApiReply.Path(preview, "lines.data").EnumerateArray().Select(l => ApiReply.Field(l, "amount").GetInt64())), "the preview's lines");
    }

    /// <summary>An upgrade invoiced at once (<c>always_invoice</c>), with the given <c>payment_behavior</c>; its outcome is for the next steps.</summary>
    [When("the merchant changes the subscription to {string} at once with payment_behavior {string}")]
    public async Task ChangeWithPaymentBehavior(string price, string behavior)
    {
        var current = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions/" + Recurring.Subscription,
        [
            new("items[0][id]", ApiReply.Text(ApiReply.Path(current, "items.data.0.id"))), new("items[0][price]", price),
            new("proration_behavior", "always_invoice"), new("payment_behavior", behavior),
        ]);
    }

    [Then("the subscription's price is {string} with a pending update to {string}")]
    public async Task Pending(string price, string pendingPrice)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        Check.Equal(price, ApiReply.Text(ApiReply.Path(subscription, "items.data.0.price.id")), "the subscription's price");
        Check.Equal(pendingPrice, ApiReply.Text(ApiReply.Path(subscription, "pending_update.subscription_items.0.price.id")), "the pending update's price");
    }

    [Then("the subscription's price is {string} with no pending update")]
    public async Task NoPending(string price)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        Check.Equal(price, ApiReply.Text(ApiReply.Path(subscription, "items.data.0.price.id")), "the subscription's price");
        Check.Equal(JsonValueKind.Null, ApiReply.Field(subscription, "pending_update").ValueKind, "the subscription's pending_update");
    }

    private async Task ChangeAsync(string price, string behavior)
    {
        var current = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        var item = ApiReply.Text(ApiReply.Path(current, "items.data.0.id"));
        var changed = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions/" + Recurring.Subscription,
            [new("items[0][id]", item), new("items[0][price]", price), new("proration_behavior", behavior)]);
        Check.Equal(price, ApiReply.Text(ApiReply.Path(changed, "items.data.0.price.id")), "the item's price after the change");
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
