using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Alipay.AlipayAccountTests;
using static Harness.Sandbox.Tests.Alipay.AlipayRoyaltyTests;
using static Harness.Sandbox.Tests.Alipay.AlipayTransferTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// 分账 beside the rest of a trade's life: refunds capped by what 分账 left the merchant and taking money back from
/// receivers with refund_royalty_parameters, a cancel refused once settled, the asynchronous settle's
/// <c>alipay.trade.order.settle.notify</c>, and the v3 routes.
/// </summary>
public sealed class AlipayRoyaltyRefundTests
{
    /// <summary>The next 消息服务 message, past the trade notifies the trade without a notify_url sends to the same gateway.</summary>
    internal static async Task<Received> NextMessageAsync(Receiver receiver)
    {
        while (true)
        {
            var received = await receiver.NextAsync();
            if (received.Form.ContainsKey("msg_method"))
            {
                return received;
            }
        }
    }

    [Fact]
    public async Task A_refund_is_capped_by_what_was_not_settled_unless_it_takes_the_royalty_back_from_the_receiver()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        await BindAsync(alipay, ReceiverA, ReceiverB);
        var tradeNo = await PaidAsync(alipay, "REFUND_1", "100.00");
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(tradeNo, "S1", [(ReceiverA, "20.00"), (ReceiverB, "10.00")]))).Code);

        // 70.00 is still the merchant's: 80.00 back to the buyer needs 10.00 back from a receiver.
        Assert.Equal(("40004", "ACQ.SELLER_BALANCE_NOT_ENOUGH"), await CodesAsync(alipay.CallAsync("alipay.trade.refund", new { trade_no = tradeNo, refund_amount = "80.00", out_request_no = "RF1" })));
        var tooMuchBack = new { trade_no = tradeNo, refund_amount = "80.00", out_request_no = "RF1", refund_royalty_parameters = new[] { new { royalty_type = "transfer", trans_out = ReceiverB, amount = "10.01" } } };
        Assert.Equal(("40004", "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR"), await CodesAsync(alipay.CallAsync("alipay.trade.refund", tooMuchBack)));
        Assert.Equal(("0.00", "70.00"), await BalanceAsync(alipay, serials));

        var refunded = await alipay.CallAsync("alipay.trade.refund", new { trade_no = tradeNo, refund_amount = "80.00", out_request_no = "RF1", refund_royalty_parameters = new[] { new { royalty_type = "transfer", trans_out = ReceiverA, trans_out_type = "userId", amount = "10.00" } } });
        Assert.True(refunded.Code == "10000", refunded.Body);
        Assert.Equal("80.00", refunded.Field("refund_fee"));
        Assert.Equal(("0.00", "0.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("0.00", (await alipay.CallAsync("alipay.trade.order.onsettle.query", new { trade_no = tradeNo, out_request_no = "ON1" })).Field("unsettled_amount"));

        // The receiver got 20.00 and gave 10.00 back: 10.00 more may come back with the last refund, not 10.01.
        var rest = new { trade_no = tradeNo, refund_amount = "20.00", out_request_no = "RF2", refund_royalty_parameters = new[] { new { trans_out = ReceiverA, amount = "10.01" }, new { trans_out = ReceiverB, amount = "9.99" } } };
        Assert.Equal(("40004", "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR"), await CodesAsync(alipay.CallAsync("alipay.trade.refund", rest)));
        var last = await alipay.CallAsync("alipay.trade.refund", new { trade_no = tradeNo, refund_amount = "20.00", out_request_no = "RF2", refund_royalty_parameters = new[] { new { trans_out = ReceiverA, amount = "10.00" }, new { trans_out = ReceiverB, amount = "10.00" } } });
        Assert.True(last.Code == "10000", last.Body);
        Assert.Equal("TRADE_CLOSED", (await alipay.CallAsync("alipay.trade.query", new { trade_no = tradeNo })).Field("trade_status"));
        Assert.Equal(("0.00", "0.00"), await BalanceAsync(alipay, serials));
    }

    [Fact]
    public async Task A_refund_before_any_settle_draws_on_the_frozen_money_and_lowers_what_may_be_settled()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0", royalty_max_ratio = "100" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        await BindAsync(alipay, ReceiverA);
        var tradeNo = await PaidAsync(alipay, "REFUND_2", "50.00");

        Assert.Equal("10000", (await alipay.CallAsync("alipay.trade.refund", new { trade_no = tradeNo, refund_amount = "10.00", out_request_no = "RF1" })).Code);
        Assert.Equal(("0.00", "40.00"), await BalanceAsync(alipay, serials));
        Assert.Equal(("40004", "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR"), await CodesAsync(alipay.CallAsync(Settle, Royalty(tradeNo, "S1", [(ReceiverA, "40.01")]))));
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(tradeNo, "S1", [(ReceiverA, "40.00")]))).Code);
        Assert.Equal(("0.00", "0.00"), await BalanceAsync(alipay, serials));

        // Settled money is not the merchant's to hand back by a cancel.
        Assert.Equal(("40004", "ACQ.CANCEL_NOT_ALLOWED"), await CodesAsync(alipay.CallAsync("alipay.trade.cancel", new { trade_no = tradeNo })));
    }

    [Fact]
    public async Task An_asynchronous_settle_is_announced_to_the_gateway_as_a_signed_settle_notify_and_modes_do_not_mix()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/gateway");
        receiver.Default = (200, "success");
        await sandbox.SetWebhookUrlAsync("alipay", receiver.Url);
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        await BindAsync(alipay, ReceiverA, ReceiverB);
        var tradeNo = await PaidAsync(alipay, "ASYNC_1", "60.00");

        var settled = await alipay.CallAsync(Settle, Royalty(tradeNo, "A1", [(ReceiverA, "6.00"), (ReceiverB, "3.50")], mode: "async"));
        Assert.True(settled.Code == "10000", settled.Body);
        var message = await NextMessageAsync(receiver);
        Assert.True(alipay.Verifies(message.Form), message.Body);
        Assert.Equal(("alipay.trade.order.settle.notify", "1.1"), (message.Form["msg_method"], message.Form["version"]));
        var biz = (JsonObject)JsonNode.Parse(message.Form["biz_content"])!;
        Assert.Equal((tradeNo, "A1", settled.Field("settle_no")), (biz["trade_no"]!.GetValue<string>(), biz["out_request_no"]!.GetValue<string>(), biz["settle_no"]!.GetValue<string>()));
        var details = biz["royalty_detail_list"]!.AsArray();
        Assert.Equal(("6.00", "3.50"), (details[0]!["amount"]!.GetValue<string>(), details[1]!["amount"]!.GetValue<string>()));
        Assert.All(details, d => Assert.Equal("SUCCESS", d!["state"]!.GetValue<string>()));

        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), await CodesAsync(alipay.CallAsync(Settle, Royalty(tradeNo, "A2", [(ReceiverA, "1.00")]))));
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(tradeNo, "A2", [(ReceiverA, "1.00")], mode: "async"))).Code);
        Assert.Equal("A2", JsonNode.Parse((await NextMessageAsync(receiver)).Form["biz_content"])!["out_request_no"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_v3_routes_bind_and_settle_and_refuse_in_the_v3_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var tradeNo = await PaidAsync(alipay, "V3_ROYALTY", "10.00");

        var (status, bound) = await AlipayTradeCreateTests.V3Async(sandbox, "/v3/alipay/trade/royalty/relation/bind", $$"""{"out_request_no":"V3B","receiver_list":[{"type":"userId","account":"{{ReceiverA}}"}]}""");
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), (status, bound["result_code"]!.GetValue<string>()));
        var (settleStatus, settled) = await AlipayTradeCreateTests.V3Async(sandbox, "/v3/alipay/trade/order/settle", $$"""{"out_request_no":"V3S","trade_no":"{{tradeNo}}","royalty_parameters":[{"trans_in":"{{ReceiverA}}","amount":"3.00"}],"extend_params":{"royalty_finish":"true"} }""");
        Assert.Equal(HttpStatusCode.OK, settleStatus);
        Assert.Equal(tradeNo, settled["trade_no"]!.GetValue<string>());
        var query = await alipay.CallAsync("alipay.trade.order.settle.query", new { settle_no = settled["settle_no"]!.GetValue<string>() });
        Assert.Equal("3.00", query.Response["royalty_detail_list"]![0]!["amount"]!.GetValue<string>());

        var (overStatus, over) = await AlipayTradeCreateTests.V3Async(sandbox, "/v3/alipay/trade/order/settle", $$"""{"out_request_no":"V3T","trade_no":"{{tradeNo}}","royalty_parameters":[{"trans_in":"{{ReceiverA}}","amount":"0.01"}]}""");
        Assert.Equal((HttpStatusCode.BadRequest, "TRADE_SETTLE_ERROR"), (overStatus, over["code"]!.GetValue<string>()));
        var (missingStatus, missing) = await AlipayTradeCreateTests.V3Async(sandbox, "/v3/alipay/trade/order/settle", $$"""{"out_request_no":"V3T","trade_no":"2026120722001234567890123456","royalty_parameters":[{"trans_in":"{{ReceiverA}}","amount":"0.01"}]}""");
        Assert.Equal((HttpStatusCode.NotFound, "TRADE_NOT_EXIST"), (missingStatus, missing["code"]!.GetValue<string>()));
        var (unbindStatus, unbound) = await AlipayTradeCreateTests.V3Async(sandbox, "/v3/alipay/trade/royalty/relation/unbind", $$"""{"out_request_no":"V3U","receiver_list":[{"type":"userId","account":"{{ReceiverA}}"}]}""");
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), (unbindStatus, unbound["result_code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_official_alipay_npm_SDK_binds_settles_by_exec_and_the_v3_route_and_reads_the_settle()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await NodeScripts.RunAsync("alipay-royalty.mjs", await AlipaySdkVariantTests.SdkEnvironmentAsync(sandbox));

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("SUCCESS", result["bound"]!.GetValue<string>());
        Assert.Matches("^[0-9]{32}$", result["settleNo"]!.GetValue<string>());
        Assert.Equal(("5.00", "SUCCESS"), (result["amount"]!.GetValue<string>(), result["state"]!.GetValue<string>()));
        Assert.Equal(200, result["v3Status"]!.GetValue<int>());
        Assert.Matches("^[0-9]{32}$", result["v3SettleNo"]!.GetValue<string>());

        // 30% of 50.00 is 15.00, all of it settled.
        Assert.Equal("ACQ.ALLOC_AMOUNT_VALIDATE_ERROR", result["over"]!.GetValue<string>());

        // The queries on their v3 GET routes, the answers' signatures checked by curl().
        Assert.Equal((200, "10.00", "35.00"), (result["v3QueryStatus"]!.GetValue<int>(), result["v3QueryAmount"]!.GetValue<string>(), result["v3Unsettled"]!.GetValue<string>()));
    }
}
