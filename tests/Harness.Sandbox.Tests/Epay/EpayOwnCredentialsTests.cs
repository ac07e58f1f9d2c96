using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Epay;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Tests.Epay;

/// <summary>
/// A backend configured for its own Epay merchant registers its pid and key and works with only the base URL changed:
/// its orders, notifies and balance are its own, beside the published merchant's.
/// </summary>
public sealed class EpayOwnCredentialsTests
{
    private const string OwnPid = "20371";
    private const string OwnKey = "MerchantOwnEpayKey0123456789abcd";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_merchants_own_pid_and_key_place_pay_notify_query_and_refund_apart_from_the_published_merchant()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/api/user/epay/notify");
        receiver.Default = (200, "success");
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        Assert.Equal("商户不存在", await MapiRefusalAsync(http, OwnOrder(receiver.Url, "OWN0001")));

        (await sandbox.PutSettingsAsync("epay", new { pid = OwnPid, key = OwnKey })).EnsureSuccessStatusCode();
        var tradeNo = await EpayTests.SubmitAsync(sandbox, OwnOrder(receiver.Url, "OWN0001"));
        var returnUrl = await sandbox.ActAsync(tradeNo, "pay");

        // The notify and the return are the own merchant's, signed with its own key.
        var notify = QueryHelpers.ParseQuery((await receiver.NextAsync()).Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal(OwnPid, notify["pid"]);
        Assert.Equal(ProviderSignatures.EpayMd5(notify, OwnKey), notify["sign"]);
        Assert.NotEqual(ProviderSignatures.EpayMd5(notify, EpayProvider.Key), notify["sign"]);
        var back = QueryHelpers.ParseQuery(new Uri(returnUrl!).Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal(ProviderSignatures.EpayMd5(back, OwnKey), back["sign"]);

        // A request signed with the published key, or a query with it, is not the own merchant's.
        Assert.Equal("签名校验失败", await MapiRefusalAsync(http, EpayTests.Sign(Unsigned(receiver.Url, "OWN0002"))));
        Assert.Equal("KEY校验失败", (await ApiAsync(http, $"act=order&pid={OwnPid}&key={EpayProvider.Key}&trade_no={tradeNo}"))["msg"]!.GetValue<string>());
        var order = await ApiAsync(http, $"act=order&pid={OwnPid}&key={OwnKey}&out_trade_no=OWN0001");
        Assert.Equal(OwnPid, order["pid"]!.GetValue<string>());
        Assert.Equal(1, order["status"]!.GetValue<int>());

        // The published merchant does not see it, though the trade_no is right.
        Assert.Equal("订单号不存在", (await ApiAsync(http, $"act=order&pid={EpayProvider.Pid}&key={EpayProvider.Key}&trade_no={tradeNo}"))["msg"]!.GetValue<string>());

        // The refund comes out of the own merchant's balance, which holds what its own order brought in.
        Assert.Equal(1, (await ApiAsync(http, $"act=refund&pid={OwnPid}&key={OwnKey}&trade_no={tradeNo}&money=12.50"))["code"]!.GetValue<int>());
        Assert.Equal("12.50", (await ApiAsync(http, $"act=order&pid={OwnPid}&key={OwnKey}&trade_no={tradeNo}"))["refundmoney"]!.GetValue<string>());

        // Removed, the own pid is unknown again.
        (await sandbox.PutSettingsAsync("epay", new { pid = "", key = "" })).EnsureSuccessStatusCode();
        Assert.Equal("商户不存在", await MapiRefusalAsync(http, OwnOrder(receiver.Url, "OWN0003")));
    }

    [Fact]
    public async Task V2_calls_under_the_own_pid_see_its_orders_and_balance_only()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/api/user/epay/notify");
        receiver.Default = (200, "success");
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        using var v2 = await EpayV2Client.StartAsync(sandbox);
        (await sandbox.PutSettingsAsync("epay", new { pid = OwnPid, key = OwnKey })).EnsureSuccessStatusCode();
        var published = await v2.CallAsync("/api/pay/create", EpayV2Client.Order(receiver.Url, "PUB0001", "4.00"));
        await sandbox.ActAsync(published["trade_no"]!.GetValue<string>(), "pay");
        var own = await EpayTests.SubmitAsync(sandbox, OwnOrder(receiver.Url, "OWN0001"));
        await sandbox.ActAsync(own, "pay");

        var info = await v2.CallAsync("/api/merchant/info", new() { ["pid"] = OwnPid });
        Assert.Equal(int.Parse(OwnPid, System.Globalization.CultureInfo.InvariantCulture), info["pid"]!.GetValue<int>());
        Assert.Equal("12.50", info["money"]!.GetValue<string>());
        Assert.Equal(1, info["order_num"]!.GetValue<int>());
        Assert.Equal("4.00", (await v2.CallAsync("/api/merchant/info", []))["money"]!.GetValue<string>());
        var orders = (await v2.CallAsync("/api/merchant/orders", new() { ["pid"] = OwnPid, ["offset"] = "0", ["limit"] = "50" }))["data"]!.AsArray();
        Assert.Equal(own, Assert.Single(orders)!["trade_no"]!.GetValue<string>());
        Assert.NotEqual(0, (await v2.PostAsync("/api/pay/query", v2.Sign(new() { ["pid"] = OwnPid, ["trade_no"] = published["trade_no"]!.GetValue<string>() })))["code"]!.GetValue<int>());

        // A transfer draws on the own merchant's balance, not the published one's.
        var over = await v2.PostAsync("/api/transfer/submit", v2.Sign(new() { ["pid"] = OwnPid, ["type"] = "alipay", ["account"] = "payee@example.com", ["name"] = "王小明", ["money"] = "12.51" }));
        Assert.Equal("需支付金额大于可转账余额", over["msg"]!.GetValue<string>());
    }

    private static Dictionary<string, string> Unsigned(string notifyUrl, string outTradeNo)
    {
        var order = EpayTests.Order(notifyUrl, outTradeNo);
        order.Remove("sign");
        order["pid"] = OwnPid;
        return order;
    }

    private static Dictionary<string, string> OwnOrder(string notifyUrl, string outTradeNo)
    {
        var order = Unsigned(notifyUrl, outTradeNo);
        order["sign"] = ProviderSignatures.EpayMd5(order, OwnKey);
        return order;
    }

    private static async Task<string> MapiRefusalAsync(HttpClient http, Dictionary<string, string> order)
    {
        var answer = JsonNode.Parse(await (await http.PostAsync("/mapi.php", new FormUrlEncodedContent(order), Ct)).Content.ReadAsStringAsync(Ct))!;
        Assert.NotEqual(1, answer["code"]!.GetValue<int>());
        return answer["msg"]!.GetValue<string>();
    }

    private static async Task<JsonNode> ApiAsync(HttpClient http, string query) =>
        JsonNode.Parse(await http.GetStringAsync("/api.php?" + query, Ct))!;
}
