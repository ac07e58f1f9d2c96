using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>A backend configured for its own TapPay account keeps its partner key and merchant id (the settings the sandbox takes).</summary>
public sealed partial class TapPaySteps
{
    private string? _ownPartnerKey;
    private string? _ownMerchantId;

    [Given("the merchant registers a partner key and a merchant id of its own")]
    public async Task RegisterOwnCredentials()
    {
        var own = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        _ownPartnerKey = "partner_" + own;
        _ownMerchantId = "own_" + own;
        await _world.ConfigureAsync("tappay", new Dictionary<string, string?> { ["partner_key"] = _ownPartnerKey, ["merchant_id"] = _ownMerchantId });
        context.Masker.Add(_ownPartnerKey);
    }

    [When("the merchant pays {int} with the test prime under its own partner key and merchant id")]
    public async Task PayAsOwnMerchant(int amount)
    {
        var body = await PaymentAsync(TestPrime, amount);
        body["partner_key"] = OwnPartnerKey;
        body["merchant_id"] = _ownMerchantId;
        var reply = await PostAsync("/tpc/payment/pay-by-prime", body.ToJsonString(), OwnPartnerKey);
        if (Status(reply) == 0)
        {
            _payment = reply.Json;
        }
    }

    [Then("the record query by merchant_id finds that trade under the merchant's own id")]
    public async Task RecordUnderOwnMerchant()
    {
        var records = await QueryAsync(new JsonObject { ["filters"] = new JsonObject { ["merchant_id"] = new JsonArray(_ownMerchantId) } });
        Check.That(records.Any(r => ApiReply.Text(ApiReply.Field(r, "rec_trade_id")) == RecTradeId), "the trade is not among the own merchant's records");
        Check.That(records.All(r => ApiReply.Text(ApiReply.Field(r, "merchant_id")) == _ownMerchantId), "another merchant's record answers the own merchant's filter");
    }

    private string OwnPartnerKey => _ownPartnerKey ?? throw new AssertionException("no partner key of the merchant's own was registered");
}
