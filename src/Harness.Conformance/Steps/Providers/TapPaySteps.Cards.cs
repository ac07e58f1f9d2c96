using System.Text.Json.Nodes;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>Card binding (<c>/tpc/card/bind</c>) and removal (<c>/tpc/card/remove</c>): a card kept for Pay by Card Token without a charge.</summary>
public sealed partial class TapPaySteps
{
    [When("the merchant binds the card of that prime")]
    public async Task Bind()
    {
        var body = await PaymentAsync(ThePrime, 0);
        body.Remove("amount");
        body.Remove("details");
        var reply = await PostAsync("/tpc/card/bind", body.ToJsonString());
        if (Status(reply) == 0)
        {
            _remembered = reply.Json;
        }
    }

    [When("the merchant removes the remembered card")]
    public async Task Remove() => await PostAsync("/tpc/card/remove", await BodyAsync(new JsonObject
    {
        ["card_key"] = ApiReply.Text(ApiReply.Path(TheRemembered, "card_secret.card_key")),
        ["card_token"] = ApiReply.Text(ApiReply.Path(TheRemembered, "card_secret.card_token")),
    }));

    [Then("the binding has bank result code {string} and no card_secret")]
    public void Unbound(string code)
    {
        Check.Equal(code, ApiReply.Text(ApiReply.Field(_world.Last.Json, "bank_result_code")), "bank_result_code");
        Check.That(!_world.Last.Json.TryGetProperty("card_secret", out _), $"a refused binding has a card_secret: {_world.Last.Body}");
    }

    [Then("the binding left no trade in the record query")]
    public async Task NoTrade()
    {
        var cardIdentifier = ApiReply.Text(ApiReply.Field(TheRemembered, "card_identifier"));
        var trades = await QueryAsync(new JsonObject { ["records_per_page"] = 200, ["filters"] = new JsonObject { ["amount"] = new JsonObject { ["lower_limit"] = 0, ["upper_limit"] = 1 } } });
        // TapPay checks the card with a one-dollar authorisation it reverses: no record of at most a dollar on the card.
        Check.That(trades.All(t => t.TryGetProperty("card_identifier", out _)), "a record without card_identifier");
        Check.That(trades.All(t => t.GetProperty("card_identifier").GetString() != cardIdentifier), "the binding left a trade of at most 1 dollar on its card");
    }
}
