using System.Text.Json.Nodes;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.TapPay;

/// <summary>
/// A backend configured for its own TapPay sandbox account registers its partner key and merchant id as settings and
/// works with only the base URL changed; the published ones keep working beside them.
/// </summary>
public sealed class TapPayOwnCredentialsTests
{
    private const string OwnPartnerKey = "partner_MerchantOwnTapPayKey0123456789abcdefABCDEF";
    private const string OwnMerchantId = "merchantown_CTBC";

    [Fact]
    public async Task The_merchants_own_partner_key_and_merchant_id_pay_and_their_trades_carry_that_merchant()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        Assert.Equal(TapPayStatus.PartnerNotFound, (await tappay.PostAsync("/tpc/payment/pay-by-prime", Own(TapPayTestData.DirectPayPrime), OwnPartnerKey)).Status());
        Assert.Equal(TapPayStatus.MerchantNotFound, (await tappay.PayAsync(OwnMerchant(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime)))).Status());

        (await sandbox.PutSettingsAsync("tappay", new { partner_key = OwnPartnerKey, merchant_id = OwnMerchantId })).EnsureSuccessStatusCode();
        var own = await tappay.PostAsync("/tpc/payment/pay-by-prime", Own(TapPayTestData.DirectPayPrime, 700), OwnPartnerKey);
        var published = await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 300));

        Assert.Equal(0, own.Status());
        Assert.Equal(0, published.Status());
        Assert.Equal(OwnMerchantId, (await tappay.RecordAsync(own.Text("rec_trade_id")))["merchant_id"]!.GetValue<string>());
        Assert.Equal(TapPayProvider.MerchantId, (await tappay.RecordAsync(published.Text("rec_trade_id")))["merchant_id"]!.GetValue<string>());
        var ownRecords = (await tappay.QueryAsync(new JsonObject { ["merchant_id"] = new JsonArray(OwnMerchantId) }))["trade_records"]!.AsArray();
        Assert.Equal(700, Assert.Single(ownRecords)!["amount"]!.GetValue<long>());

        // The header must still be the body's key, and the sandbox's group holds the published merchant only.
        Assert.Equal(TapPayStatus.InvalidApiKey, (await tappay.PostAsync("/tpc/payment/pay-by-prime", Own(TapPayTestData.DirectPayPrime))).Status());
        var grouped = Own(TapPayTestData.DirectPayPrime);
        grouped["merchant_group_id"] = TapPayProvider.MerchantGroupId;
        Assert.Equal(TapPayStatus.MerchantNotFound, (await tappay.PostAsync("/tpc/payment/pay-by-prime", grouped, OwnPartnerKey)).Status());

        // A refund with the own key reaches the own merchant's trade: one partner, two merchants.
        var refund = new JsonObject { ["partner_key"] = OwnPartnerKey, ["rec_trade_id"] = own.Text("rec_trade_id"), ["amount"] = 200 };
        Assert.Equal(0, (await tappay.PostAsync("/tpc/transaction/refund", refund, OwnPartnerKey)).Status());
        Assert.Equal(500, (await tappay.RecordAsync(own.Text("rec_trade_id")))["amount"]!.GetValue<long>());

        // Removing them leaves the published pair only.
        (await sandbox.PutSettingsAsync("tappay", new { partner_key = "", merchant_id = "" })).EnsureSuccessStatusCode();
        Assert.Equal(TapPayStatus.PartnerNotFound, (await tappay.PostAsync("/tpc/payment/pay-by-prime", Own(TapPayTestData.DirectPayPrime), OwnPartnerKey)).Status());
        Assert.Equal(TapPayStatus.MerchantNotFound, (await tappay.PayAsync(OwnMerchant(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime)))).Status());
    }

    [Fact]
    public async Task A_card_bound_for_the_own_merchant_renews_by_token_under_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        (await sandbox.PutSettingsAsync("tappay", new { merchant_id = OwnMerchantId })).EnsureSuccessStatusCode();
        var bind = OwnMerchant(TapPayClient.PrimeBody(await tappay.PrimeAsync("4242424242424242")));
        bind.Remove("amount");
        bind.Remove("details");
        var bound = await tappay.PostAsync("/tpc/card/bind", bind);
        Assert.Equal(0, bound.Status());

        var secret = bound["card_secret"]!;
        var renewal = await tappay.PostAsync("/tpc/payment/pay-by-token",
            OwnMerchant(TapPayClient.TokenBody(secret["card_key"]!.GetValue<string>(), secret["card_token"]!.GetValue<string>(), 999)));

        Assert.Equal(0, renewal.Status());
        Assert.Equal(OwnMerchantId, (await tappay.RecordAsync(renewal.Text("rec_trade_id")))["merchant_id"]!.GetValue<string>());
    }

    private static JsonObject Own(string prime, long amount = 100)
    {
        var body = OwnMerchant(TapPayClient.PrimeBody(prime, amount));
        body["partner_key"] = OwnPartnerKey;
        return body;
    }

    private static JsonObject OwnMerchant(JsonObject body)
    {
        body["merchant_id"] = OwnMerchantId;
        return body;
    }
}
