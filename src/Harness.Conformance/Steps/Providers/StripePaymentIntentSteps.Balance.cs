using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>The balance transactions of the scenario's PaymentIntent and refund, read as a backend reconciling its fees reads them.</summary>
public sealed partial class StripePaymentIntentSteps
{
    private const long Day = 86_400;

    [Then("the charge's balance transaction is a {string} of {int} with fee {int} and net {int}, {string} until 00:00 UTC two days later")]
    public async Task ChargeTransactionPending(string type, int amount, int fee, int net, string status)
    {
        var transaction = await ChargeTransactionAsync(type, amount, fee, net, status);
        var created = ApiReply.Field(transaction, "created").GetInt64();
        Check.Equal((created / Day + 2) * Day, ApiReply.Field(transaction, "available_on").GetInt64(), "available_on (00:00 UTC two days after created)");
    }

    [Then("the charge's balance transaction is a {string} of {int} with fee {int} and net {int}, {string}")]
    public Task ChargeTransaction(string type, int amount, int fee, int net, string status) => ChargeTransactionAsync(type, amount, fee, net, status);

    [Then("the refund's balance transaction is a {string} of {int} with fee {int} and net {int}, {string}")]
    public async Task RefundTransaction(string type, int amount, int fee, int net, string status)
    {
        var refund = (await Stripe.StripeAsync(HttpMethod.Get, $"/v1/refunds/{Refunded}?expand[]=balance_transaction")).Json;
        var transaction = ApiReply.Field(refund, "balance_transaction");
        CheckTransaction(transaction, type, amount, fee, net, status);
        Check.Equal(Refunded, ApiReply.Text(ApiReply.Field(transaction, "source")), "the transaction's source");
    }

    [Then("the balance transactions whose source is the refund are {string}")]
    public async Task RefundTransactions(string types)
    {
        var list = (await Stripe.StripeAsync(HttpMethod.Get, $"/v1/balance_transactions?source={Refunded}")).Json;
        Check.Equal(types, string.Join(", ", ApiReply.Field(list, "data").EnumerateArray().Select(t => ApiReply.Text(ApiReply.Field(t, "type")))),
            "the refund's balance transactions, newest first");
    }

    [When("the merchant retrieves the balance transaction {string}")]
    public Task RetrieveTransaction(string id) => Stripe.StripeAsync(HttpMethod.Get, $"/v1/balance_transactions/{id}");

    [When("the merchant lists the balance transactions paid out by {string}")]
    public Task ListPaidOut(string payout) => Stripe.StripeAsync(HttpMethod.Get, $"/v1/balance_transactions?payout={payout}");

    private string Refunded => _refund ?? throw new AssertionException("no refund was made in this scenario");

    /// <summary>The intent's latest charge's transaction, expanded as a backend reads its fee.</summary>
    private async Task<JsonElement> ChargeTransactionAsync(string type, int amount, int fee, int net, string status)
    {
        var intent = (await Stripe.StripeAsync(HttpMethod.Get, $"/v1/payment_intents/{Intent}?expand[]=latest_charge.balance_transaction")).Json;
        var transaction = ApiReply.Path(intent, "latest_charge.balance_transaction");
        CheckTransaction(transaction, type, amount, fee, net, status);
        Check.Equal(ApiReply.Text(ApiReply.Path(intent, "latest_charge.id")), ApiReply.Text(ApiReply.Field(transaction, "source")), "the transaction's source");
        return transaction;
    }

    private static void CheckTransaction(JsonElement transaction, string type, int amount, int fee, int net, string status)
    {
        Check.Equal("balance_transaction", ApiReply.Text(ApiReply.Field(transaction, "object")), "object");
        Check.Equal(type, ApiReply.Text(ApiReply.Field(transaction, "type")), "type");
        Check.Equal(amount, ApiReply.Field(transaction, "amount").GetInt64(), "amount");
        Check.Equal(fee, ApiReply.Field(transaction, "fee").GetInt64(), "fee");
        Check.Equal(net, ApiReply.Field(transaction, "net").GetInt64(), "net");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(transaction, "status")), "status");
    }
}
