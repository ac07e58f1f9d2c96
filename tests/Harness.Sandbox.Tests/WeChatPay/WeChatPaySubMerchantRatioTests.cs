using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPartnerTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayProfitSharingTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// Each sub-merchant's own 最大分账比例 (the <c>sub_mchid_max_ratios</c> setting): the maximum-ratio query answers it and
/// the 服务商's sharing of that sub-merchant's orders is held to it; a sub-merchant not listed keeps
/// <c>profit_sharing_max_ratio</c> (30% unless set).
/// </summary>
public sealed class WeChatPaySubMerchantRatioTests
{
    private static async Task<long> MaxRatioAsync(WeChatPayWire wire, string subMchid)
    {
        var (status, body, config) = await CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/profitsharing/merchant-configs/{subMchid}"));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(subMchid, config!["sub_mchid"]!.GetValue<string>());
        return config["max_ratio"]!.GetValue<long>();
    }

    [Fact]
    public async Task A_sub_merchants_own_ratio_is_answered_and_enforced_and_the_others_keep_the_merchants()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        using var wire = await WireAsync(sandbox);
        Assert.Equal((3000L, 3000L), (await MaxRatioAsync(wire, SubMchid), await MaxRatioAsync(wire, OtherSubMchid)));

        (await sandbox.PutSettingsAsync("wechatpay", new { sub_mchid_max_ratios = $"{SubMchid}:20", profit_sharing_max_ratio = "10" })).EnsureSuccessStatusCode();
        Assert.Equal((2000L, 1000L), (await MaxRatioAsync(wire, SubMchid), await MaxRatioAsync(wire, OtherSubMchid)));

        var order = PartnerOrder(wire, "ratio_order", receiver.Url, SubMchid, Total);
        order["settle_info"] = new JsonObject { ["profit_sharing"] = true };
        var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", order);
        await sandbox.ActAsync(paymentId, "pay");
        var transactionId = wire.Resource((await receiver.NextAsync()).Body)["transaction_id"]!.GetValue<string>();
        JsonObject Share(string outOrderNo, long amount) => new()
        {
            ["sub_mchid"] = SubMchid, ["transaction_id"] = transactionId, ["out_order_no"] = outOrderNo, ["unfreeze_unsplit"] = false,
            ["receivers"] = new JsonArray(SharedOrder.Line("MERCHANT_ID", SubMchid, amount)),
        };

        // 20% of 1000 fen: 201 is over, 200 fits, though the merchant's own ratio is 10%.
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/profitsharing/orders", Share("ratio_over", 201))), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额超出最大分账比例");
        var (status, body, _) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/profitsharing/orders", Share("ratio_fits", 200)));
        Assert.True(status == HttpStatusCode.OK, body);
    }

    [Theory]
    [InlineData("1900000110:31")]
    [InlineData("1900000110:0")]
    [InlineData("1900000110")]
    [InlineData("abc:20")]
    [InlineData("1900000110:20,1900000110:10")]
    public async Task A_malformed_ratio_list_is_refused_by_the_control_api(string value)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var response = await sandbox.PutSettingsAsync("wechatpay", new { sub_mchid_max_ratios = value });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("sub_mchid_max_ratios", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
