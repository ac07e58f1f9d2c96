using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Alipay.AlipayAccountTests;
using static Harness.Sandbox.Tests.Alipay.AlipayRoyaltyRefundTests;
using static Harness.Sandbox.Tests.Alipay.AlipayRoyaltyTests;
using static Harness.Sandbox.Tests.Alipay.AlipayTradeCreateTests;
using static Harness.Sandbox.Tests.Alipay.AlipayTransferTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// What happens to 分账 after the call: async details to the test receivers that end PROCESSING then SUCCESS or FAIL on
/// the sandbox clock (a failed amount back with the merchant), the 30-day automatic unfreeze of a frozen trade, the 分账
/// queries on their v3 routes, and 交易分账 rows in the account bill.
/// </summary>
public sealed class AlipayRoyaltyOutcomeTests
{
    private const string Succeeds = "2088000000000502";
    private const string Fails = "2088000000000503";
    private const string SettleQuery = "alipay.trade.order.settle.query";

    private static async Task<string> UnsettledAsync(AlipayClient alipay, string tradeNo) =>
        (await alipay.CallAsync("alipay.trade.order.onsettle.query", new { trade_no = tradeNo, out_request_no = "ONSETTLE" })).Field("unsettled_amount");

    private static Dictionary<string, JsonNode> ByReceiver(JsonNode list) =>
        list.AsArray().ToDictionary(d => d!["trans_in"]!.GetValue<string>(), d => d!);

    [Fact]
    public async Task Async_details_to_the_test_receivers_process_then_succeed_or_fail_and_the_failed_amount_returns_frozen()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/gateway");
        receiver.Default = (200, "success");
        await sandbox.SetWebhookUrlAsync("alipay", receiver.Url);
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        await BindAsync(alipay, ReceiverA, Succeeds, Fails);
        var tradeNo = await PaidAsync(alipay, "OUTCOME_1", "100.00");
        var paidMessages = receiver.All.Count;

        var settled = await alipay.CallAsync(Settle, Royalty(tradeNo, "O1", [(ReceiverA, "5.00"), (Succeeds, "7.00"), (Fails, "9.00")], mode: "async"));

        Assert.True(settled.Code == "10000" && settled.SignatureValid, settled.Body);
        var settleNo = settled.Field("settle_no");
        var processing = ByReceiver((await alipay.CallAsync(SettleQuery, new { settle_no = settleNo })).Response["royalty_detail_list"]!);
        Assert.Equal(("SUCCESS", "PROCESSING", "PROCESSING"), (processing[ReceiverA]["state"]!.GetValue<string>(), processing[Succeeds]["state"]!.GetValue<string>(), processing[Fails]["state"]!.GetValue<string>()));
        Assert.Null(processing[Fails]["error_code"]);
        Assert.Equal(("0.00", "79.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("79.00", await UnsettledAsync(alipay, tradeNo));
        Assert.DoesNotContain(receiver.All.Skip(paidMessages), r => r.Form.ContainsKey("msg_method")); // announced once every detail has its outcome

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));

        var ended = ByReceiver((await alipay.CallAsync(SettleQuery, new { out_request_no = "O1", trade_no = tradeNo })).Response["royalty_detail_list"]!);
        Assert.Equal(("SUCCESS", "SUCCESS", "FAIL"), (ended[ReceiverA]["state"]!.GetValue<string>(), ended[Succeeds]["state"]!.GetValue<string>(), ended[Fails]["state"]!.GetValue<string>()));
        Assert.Equal(("TXN_RESULT_ACCOUNT_STATUS_NOT_VALID", "9.00"), (ended[Fails]["error_code"]!.GetValue<string>(), ended[Fails]["amount"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(ended[Fails]["error_desc"]!.GetValue<string>()));
        Assert.Null(ended[Succeeds]["error_code"]);
        Assert.Equal(("0.00", "88.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("88.00", await UnsettledAsync(alipay, tradeNo));

        var message = await NextMessageAsync(receiver);
        Assert.True(alipay.Verifies(message.Form), message.Body);
        var notified = ByReceiver(JsonNode.Parse(message.Form["biz_content"])!["royalty_detail_list"]!);
        Assert.Equal(("SUCCESS", "FAIL", "TXN_RESULT_ACCOUNT_STATUS_NOT_VALID"), (notified[Succeeds]["state"]!.GetValue<string>(), notified[Fails]["state"]!.GetValue<string>(), notified[Fails]["error_code"]!.GetValue<string>()));

        // Ended once: the clock moving on changes nothing and announces nothing more; the returned money can be settled again.
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Single(receiver.All, r => r.Form.ContainsKey("msg_method"));
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(tradeNo, "O2", [(ReceiverA, "9.00")], mode: "async"))).Code);
        Assert.Equal(("0.00", "79.00"), await BalanceAsync(alipay, serials));
    }

    [Fact]
    public async Task A_sync_settle_to_a_test_receiver_is_final_at_once_and_a_failure_after_royalty_finish_returns_to_the_available_balance()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        await BindAsync(alipay, Fails);

        var syncTrade = await PaidAsync(alipay, "OUTCOME_SYNC", "10.00");
        var sync = await alipay.CallAsync(Settle, Royalty(syncTrade, "S1", [(Fails, "1.00")]));
        Assert.Equal("SUCCESS", (await alipay.CallAsync(SettleQuery, new { settle_no = sync.Field("settle_no") })).Response["royalty_detail_list"]![0]!["state"]!.GetValue<string>());

        var asyncTrade = await PaidAsync(alipay, "OUTCOME_FINISH", "20.00");
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(asyncTrade, "F1", [(Fails, "2.00")], new { royalty_finish = "true" }, "async"))).Code);
        Assert.Equal(("18.00", "9.00"), await BalanceAsync(alipay, serials));
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(("20.00", "9.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("0.00", await UnsettledAsync(alipay, asyncTrade));
    }

    [Fact]
    public async Task A_frozen_trade_never_finished_unfreezes_thirty_days_after_payment_and_settles_on_from_the_available_balance()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        await BindAsync(alipay, ReceiverA);
        var frozen = await PaidAsync(alipay, "THAW_1", "50.00");
        var finished = await PaidAsync(alipay, "THAW_2", "10.00");
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(frozen, "T1", [(ReceiverA, "5.00")]))).Code);
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(finished, "T2", [], new { royalty_finish = true }))).Code);
        Assert.Equal(("10.00", "45.00"), await BalanceAsync(alipay, serials));

        await sandbox.AdvanceAsync(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(("10.00", "45.00"), await BalanceAsync(alipay, serials));
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(("55.00", "0.00"), await BalanceAsync(alipay, serials));

        // 分账 is not finished: what is left may still be settled, now from the available balance.
        Assert.Equal("45.00", await UnsettledAsync(alipay, frozen));
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(frozen, "T3", [(ReceiverA, "10.00")]))).Code);
        Assert.Equal(("45.00", "0.00"), await BalanceAsync(alipay, serials));
        await sandbox.AdvanceAsync(TimeSpan.FromDays(30));
        Assert.Equal(("45.00", "0.00"), await BalanceAsync(alipay, serials));
    }

    [Fact]
    public async Task The_royalty_queries_answer_on_their_v3_routes_and_refuse_in_the_v3_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        await BindAsync(alipay, ReceiverA);
        var tradeNo = await PaidAsync(alipay, "V3Q_1", "30.00");
        var settleNo = (await alipay.CallAsync(Settle, Royalty(tradeNo, "Q1", [(ReceiverA, "3.00")]))).Field("settle_no");

        var (found, settle) = await V3Async(sandbox, "/v3/alipay/trade/order/settle/query?settle_no=" + settleNo, null);
        Assert.True(found == HttpStatusCode.OK, settle.ToJsonString());
        Assert.Equal(("Q1", "3.00", "SUCCESS"), (settle["out_request_no"]!.GetValue<string>(), settle["royalty_detail_list"]![0]!["amount"]!.GetValue<string>(), settle["royalty_detail_list"]![0]!["state"]!.GetValue<string>()));
        var (byRequest, sameSettle) = await V3Async(sandbox, $"/v3/alipay/trade/order/settle/query?out_request_no=Q1&trade_no={tradeNo}", null);
        Assert.Equal((HttpStatusCode.OK, settle.ToJsonString()), (byRequest, sameSettle.ToJsonString()));
        var (left, unsettled) = await V3Async(sandbox, $"/v3/alipay/trade/order/onsettle/query?trade_no={tradeNo}&out_request_no=ON1", null);
        Assert.Equal((HttpStatusCode.OK, "27.00"), (left, unsettled["unsettled_amount"]!.GetValue<string>()));
        var (rated, rate) = await V3Async(sandbox, "/v3/alipay/trade/royalty/rate/query?out_request_no=R1", null);
        Assert.Equal((HttpStatusCode.OK, "2088102177000001", 30), (rated, rate["user_id"]!.GetValue<string>(), (int)rate["max_ratio"]!));
        var (listed, receivers) = await V3Async(sandbox, "/v3/alipay/trade/royalty/relation/batchquery", """{"out_request_no":"B1","page_num":1,"page_size":10}""");
        Assert.Equal((HttpStatusCode.OK, ReceiverA, 1), (listed, receivers["receiver_list"]![0]!["account"]!.GetValue<string>(), (int)receivers["total_record_num"]!));

        var (missing, missingBody) = await V3Async(sandbox, "/v3/alipay/trade/order/settle/query?settle_no=20261123002530000000000000000000", null);
        Assert.Equal((HttpStatusCode.NotFound, "TRADE_NOT_EXIST"), (missing, missingBody["code"]!.GetValue<string>()));
        var (unnamed, unnamedBody) = await V3Async(sandbox, "/v3/alipay/trade/order/onsettle/query", null);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_PARAMETER"), (unnamed, unnamedBody["code"]!.GetValue<string>()));
        var (badPage, badPageBody) = await V3Async(sandbox, "/v3/alipay/trade/royalty/relation/batchquery", """{"out_request_no":"B2","page_size":101}""");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_PARAMETER"), (badPage, badPageBody["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_account_bill_lists_each_successful_share_and_return_as_trade_royalty_and_the_trade_bill_does_not()
    {
        await using var sandbox = await TestSandbox.StartAsync(AlipayBillTests.Morning);
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        await BindAsync(alipay, ReceiverA, Fails);
        var tradeNo = await PaidAsync(alipay, "BILL_ROYALTY", "80.00", frozen: false);
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(tradeNo, "B1", [(ReceiverA, "8.00"), (Fails, "4.00")], mode: "async"))).Code);
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
        var refund = await alipay.CallAsync("alipay.trade.refund", new
        {
            trade_no = tradeNo,
            refund_amount = "70.00",
            out_request_no = "RF1",
            refund_royalty_parameters = new[] { new { royalty_type = "transfer", trans_out = ReceiverA, amount = "2.00" } },
        });
        Assert.True(refund.Code == "10000", refund.Body);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));

        var account = await AlipayBillTests.BillAsync(alipay, "signcustomer", "2026-11-23", "20261123");
        var rows = account["20881021770000010156_20261123_账务明细.csv"][5..^4].Select(r => r.Split(',')).ToList();
        const string buyer = "sbx***@sandbox.example\t";
        Assert.Equal(
        [
            [buyer, "80.00", "", "80.00", "在线支付"],
            [ReceiverA + "\t", "", "-8.00", "72.00", "交易分账"],
            [ReceiverA + "\t", "2.00", "", "74.00", "交易分账"],
            [buyer, "", "-70.00", "4.00", "交易退款"],
        ],
        rows.Select(r => new[] { r[5], r[6], r[7], r[8], r[10] }).ToArray());
        Assert.All(rows, r => Assert.Equal(tradeNo + "\t", r[1]));
        Assert.Equal("交易分账,1,2.00,1,-8.00", account["20881021770000010156_20261123_账务明细(汇总).csv"][^4]);

        var trade = await AlipayBillTests.BillAsync(alipay, "trade", "2026-11-23", "20261123");
        Assert.DoesNotContain(trade["20881021770000010156_20261123_业务明细.csv"], line => line.Contains("分账", StringComparison.Ordinal) && !line.StartsWith("支付宝交易号", StringComparison.Ordinal));
    }
}
