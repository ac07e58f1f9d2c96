using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayProfitSharingTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 分账回退 (returns from a merchant receiver), refunds of an order still frozen for 分账, and sharing records
/// across a restart.
/// </summary>
public sealed class WeChatPayProfitSharingReturnTests
{
    private static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> ReturnAsync(SharedOrder shared, string outReturnNo, long amount, string returnMchid = Partner, string? outOrderNo = "share_r", string? orderId = null) =>
        shared.PostAsync("/v3/profitsharing/return-orders", new JsonObject
        {
            ["order_id"] = orderId,
            ["out_order_no"] = outOrderNo,
            ["out_return_no"] = outReturnNo,
            ["return_mchid"] = returnMchid,
            ["amount"] = amount,
            ["description"] = "用户退款",
        }, withSerial: false);

    private static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> RefundAsync(SharedOrder shared, string outRefundNo, long amount) =>
        CallAsync(shared.Wire, shared.Wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
        {
            ["transaction_id"] = shared.TransactionId,
            ["out_refund_no"] = outRefundNo,
            ["amount"] = new JsonObject { ["refund"] = amount, ["total"] = Total, ["currency"] = "CNY" },
        }));

    [Fact]
    public async Task A_merchant_receivers_share_is_returned_up_to_what_it_received_and_queried()
    {
        await using var shared = await SharedOrder.StartAsync();
        var (_, _, accepted) = await shared.ShareAsync("share_r", false, SharedOrder.Line("MERCHANT_ID", Partner, 200), SharedOrder.Line("PERSONAL_OPENID", Person, 50));
        var orderId = accepted!["order_id"]!.GetValue<string>();

        var (status, body, returned) = await ReturnAsync(shared, "return_1", 150);
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(("SUCCESS", orderId, "share_r", "return_1", Partner, 150L),
            (returned!["result"]!.GetValue<string>(), returned["order_id"]!.GetValue<string>(), returned["out_order_no"]!.GetValue<string>(),
             returned["out_return_no"]!.GetValue<string>(), returned["return_mchid"]!.GetValue<string>(), returned["amount"]!.GetValue<long>()));
        Assert.Equal("2026-11-23T20:00:00+08:00", returned["finish_time"]!.GetValue<string>());

        // 50 of the 200 is left to return; by order_id too. A repeat is the same return, not a second one.
        Refused(await ReturnAsync(shared, "return_2", 51, outOrderNo: null, orderId: orderId), HttpStatusCode.BadRequest, "INVALID_REQUEST", "剩余可回退的金额不足");
        var (repeat, _, same) = await ReturnAsync(shared, "return_1", 150);
        Assert.Equal((HttpStatusCode.OK, returned["return_id"]!.GetValue<string>()), (repeat, same!["return_id"]!.GetValue<string>()));
        Refused(await ReturnAsync(shared, "return_1", 10), HttpStatusCode.BadRequest, "INVALID_REQUEST", "商户回退单号已存在");
        Assert.Equal(HttpStatusCode.OK, (await ReturnAsync(shared, "return_3", 50, outOrderNo: null, orderId: orderId)).Status);
        Refused(await ReturnAsync(shared, "return_4", 1), HttpStatusCode.BadRequest, "INVALID_REQUEST", "剩余可回退的金额不足");

        // Only a merchant receiver's successful share can be returned; the share must exist.
        Refused(await ReturnAsync(shared, "return_person", 10, returnMchid: Person), HttpStatusCode.BadRequest, "INVALID_REQUEST", "只能对原分账请求中成功分给商户接收方");
        Refused(await ReturnAsync(shared, "return_none", 10, outOrderNo: "share_none"), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS", "分账指令不存在");
        Refused(await ReturnAsync(shared, "return_neither", 10, outOrderNo: null), HttpStatusCode.BadRequest, "PARAM_ERROR", "out_order_no");

        var (queried, _, found) = await CallAsync(shared.Wire, shared.Wire.Request(HttpMethod.Get, "/v3/profitsharing/return-orders/return_1?out_order_no=share_r"));
        Assert.Equal((HttpStatusCode.OK, "SUCCESS", 150L), (queried, found!["result"]!.GetValue<string>(), found["amount"]!.GetValue<long>()));
        Refused(await CallAsync(shared.Wire, shared.Wire.Request(HttpMethod.Get, "/v3/profitsharing/return-orders/return_1?out_order_no=share_other")), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS", "记录不存在");
        Refused(await CallAsync(shared.Wire, shared.Wire.Request(HttpMethod.Get, "/v3/profitsharing/return-orders/return_1")), HttpStatusCode.BadRequest, "PARAM_ERROR", "out_order_no");

        // Returned money goes to the merchant's balance, not back to the frozen amount.
        Assert.Equal(750, await shared.UnsplitAsync());
    }

    [Fact]
    public async Task A_share_can_be_returned_for_180_days()
    {
        await using var shared = await SharedOrder.StartAsync();
        await shared.ShareAsync("share_r", false, SharedOrder.Line("MERCHANT_ID", Partner, 200));
        await shared.Sandbox.AdvanceAsync(TimeSpan.FromDays(180));
        Refused(await ReturnAsync(shared, "return_late", 10), HttpStatusCode.BadRequest, "INVALID_REQUEST", "180天");
    }

    [Fact]
    public async Task A_refund_of_a_frozen_order_takes_no_more_than_the_unsplit_amount_until_it_is_unfrozen()
    {
        await using var shared = await SharedOrder.StartAsync();
        await shared.ShareAsync("share_r", false, SharedOrder.Line("MERCHANT_ID", Partner, 300));
        Refused(await RefundAsync(shared, "refund_over", 701), HttpStatusCode.Forbidden, "RULE_LIMIT", "申请退款金额大于剩余未分账金额");
        Assert.Equal(HttpStatusCode.OK, (await RefundAsync(shared, "refund_frozen", 500)).Status);
        Assert.Equal(200, await shared.UnsplitAsync());

        // What was refunded is no longer there to unfreeze; once unfrozen, refunds no longer wait for sharing.
        await shared.UnfreezeAsync("unfreeze_r");
        Assert.Equal(200L, (await shared.QueryAsync("unfreeze_r"))["receivers"]![0]!["amount"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await RefundAsync(shared, "refund_after", 500)).Status);
    }

    [Fact]
    public async Task Receivers_shares_and_returns_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-wechat-sharing-" + Guid.NewGuid().ToString("N"));
        string transactionId;
        await using (var first = await SharedOrder.StartAsync(sandbox: await TestSandbox.StartAsync(configure: o => o.DataDirectory = data)))
        {
            transactionId = first.TransactionId;
            await first.ShareAsync("share_r", false, SharedOrder.Line("MERCHANT_ID", Partner, 250));
            Assert.Equal(HttpStatusCode.OK, (await ReturnAsync(first, "return_before", 100)).Status);
            await first.Sandbox.RunDueAsync();
        }

        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
            var shared = new SharedOrder { Sandbox = second, Wire = await WireAsync(second), Receiver = receiver, TransactionId = transactionId };
            Assert.Equal("FINISHED", (await shared.QueryAsync("share_r"))["state"]!.GetValue<string>());
            Assert.Equal(750, await shared.UnsplitAsync());
            Refused(await ReturnAsync(shared, "return_after", 151), HttpStatusCode.BadRequest, "INVALID_REQUEST", "剩余可回退的金额不足");
            Assert.Equal(HttpStatusCode.OK, (await ReturnAsync(shared, "return_after", 150)).Status);
            Assert.Equal(HttpStatusCode.OK, (await shared.ShareAsync("share_more", false, SharedOrder.Line("PERSONAL_OPENID", Person, 50))).Status);
            Refused(await shared.ShareAsync("share_over", false, SharedOrder.Line("PERSONAL_OPENID", Person, 1)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额超出最大分账比例");
            shared.Wire.Dispose();
        }

        Directory.Delete(data, recursive: true);
    }
}
