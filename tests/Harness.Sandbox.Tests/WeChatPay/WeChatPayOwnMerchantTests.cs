using System.Net;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// A backend configured for its own WeChat Pay merchant registers its mchid and appid and works with only the base
/// URL changed: a second merchant whose orders, notifications and queries are its own.
/// </summary>
public sealed class WeChatPayOwnMerchantTests
{
    private const string OwnMchid = "1612345678";
    private const string OwnAppid = "wx0123456789abcdef";

    [Fact]
    public async Task The_merchants_own_mchid_and_appid_place_pay_notify_and_query_apart_from_the_published_merchant()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var credentials = (await sandbox.GetJsonAsync("/control/providers/wechatpay"))["credentials"]!.AsObject()
            .ToDictionary(c => c.Key, c => c.Value!.GetValue<string>());
        using var published = new WeChatPayWire(sandbox.BaseUrl("wechatpay"), credentials);
        credentials["mchid"] = OwnMchid;
        credentials["appid"] = OwnAppid;
        using var own = new WeChatPayWire(sandbox.BaseUrl("wechatpay"), credentials);
        var (unknown, _, _) = await CallAsync(own, own.Request(HttpMethod.Post, "/v3/pay/transactions/native", Order(own, "own_0001", receiver.Url)));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown);

        (await sandbox.PutSettingsAsync("wechatpay", new { mchid = OwnMchid, appid = OwnAppid })).EnsureSuccessStatusCode();
        var paymentId = await PlaceAsync(sandbox, own, Order(own, "own_0001", receiver.Url));
        await sandbox.ActAsync(paymentId, "pay");

        var transaction = own.Resource((await receiver.NextAsync()).Body);
        Assert.Equal(OwnMchid, transaction["mchid"]!.GetValue<string>());
        Assert.Equal(OwnAppid, transaction["appid"]!.GetValue<string>());
        var (_, _, queried) = await CallAsync(own, own.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/own_0001?mchid={OwnMchid}"));
        Assert.Equal("SUCCESS", queried!["trade_state"]!.GetValue<string>());

        // The published merchant does not see it, and the own merchant's appid is its own.
        var (hidden, _, _) = await CallAsync(published, published.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/own_0001?mchid={published.Mchid}"));
        Assert.Equal(HttpStatusCode.NotFound, hidden);
        var wrongApp = Order(own, "own_0002", receiver.Url);
        wrongApp["appid"] = published.Appid;
        var (mismatch, _, refusal) = await CallAsync(own, own.Request(HttpMethod.Post, "/v3/pay/transactions/native", wrongApp));
        Assert.Equal(HttpStatusCode.BadRequest, mismatch);
        Assert.Equal("appid和mch_id不匹配，请检查后再试", refusal!["message"]!.GetValue<string>());

        // Removed, the own mchid is unknown again.
        (await sandbox.PutSettingsAsync("wechatpay", new { mchid = "", appid = "" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(own, own.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/own_0001?mchid={OwnMchid}"))).Status);
    }
}
