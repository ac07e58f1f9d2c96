using System.Net;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Alipay.AlipayAccountTests;
using static Harness.Sandbox.Tests.Alipay.AlipayTests;
using static Harness.Sandbox.Tests.Alipay.AlipayTransferTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// 交易分账 on the v2 gateway: the 分账关系集 (bind, unbind, batchquery), the ratio, trades frozen for 分账 by
/// <c>extend_params.royalty_freeze</c>, <c>alipay.trade.order.settle</c> in steps up to the ratio and then finished,
/// its queries, and its refusals.
/// </summary>
public sealed class AlipayRoyaltyTests
{
    internal const string Bind = "alipay.trade.royalty.relation.bind";
    internal const string Settle = "alipay.trade.order.settle";
    internal const string ReceiverA = "2088102177100001";
    internal const string ReceiverB = "2088102177100002";

    /// <summary>A trade paid at once by a payment code, its money frozen for 分账 unless <paramref name="frozen"/> is false; its trade_no.</summary>
    internal static async Task<string> PaidAsync(AlipayClient alipay, string outTradeNo, string amount, bool frozen = true)
    {
        var extra = frozen
            ? (object)new { scene = "bar_code", auth_code = "283456789012345678", extend_params = new { royalty_freeze = "true" } }
            : new { scene = "bar_code", auth_code = "283456789012345678" };
        var paid = await alipay.CallAsync("alipay.trade.pay", Order(outTradeNo, amount, extra));
        Assert.True(paid.Code == "10000", paid.Body);
        return paid.Field("trade_no");
    }

    internal static async Task BindAsync(AlipayClient alipay, params string[] userIds)
    {
        var receivers = userIds.Select(id => new { type = "userId", account = id, memo = "平台佣金" }).ToArray();
        var bound = await alipay.CallAsync(Bind, new { out_request_no = "BIND_" + string.Join('_', userIds), receiver_list = receivers });
        Assert.True(bound.Field("result_code") == "SUCCESS" && bound.SignatureValid, bound.Body);
    }

    internal static object Royalty(string tradeNo, string requestNo, IEnumerable<(string TransIn, string Amount)> shares, object? extendParams = null, string? mode = null)
    {
        var settle = new Dictionary<string, object>
        {
            ["out_request_no"] = requestNo,
            ["trade_no"] = tradeNo,
            ["royalty_parameters"] = shares.Select(s => new { royalty_type = "transfer", trans_in_type = "userId", trans_in = s.TransIn, amount = s.Amount, desc = "分账" }).ToArray(),
        };
        if (extendParams is not null)
        {
            settle["extend_params"] = extendParams;
        }

        if (mode is not null)
        {
            settle["royalty_mode"] = mode;
        }

        return settle;
    }

    private static async Task<string> UnsettledAsync(AlipayClient alipay, string tradeNo) =>
        (await alipay.CallAsync("alipay.trade.order.onsettle.query", new { trade_no = tradeNo, out_request_no = "ONSETTLE" })).Field("unsettled_amount");

    [Fact]
    public async Task Receivers_are_bound_listed_page_by_page_and_unbound()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var bound = await alipay.CallAsync(Bind, new
        {
            out_request_no = "BIND_1",
            receiver_list = new object[]
            {
                new { type = "userId", account = ReceiverA, memo = "门店佣金" },
                new { type = "loginName", account = "partner@example.com", name = "张三", login_name = "partner@example.com", bind_login_name = "partner@example.com" },
                new { type = "openId", account = "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5" },
            },
        });
        Assert.True(bound.Code == "10000" && bound.SignatureValid, bound.Body);
        Assert.Equal("SUCCESS", bound.Field("result_code"));

        var first = await alipay.CallAsync("alipay.trade.royalty.relation.batchquery", new { out_request_no = "Q1", page_num = 1, page_size = 2 });
        Assert.Equal(("SUCCESS", 3, 2, 1, 2), (first.Field("result_code"), (int)first.Response["total_record_num"]!, (int)first.Response["total_page_num"]!, (int)first.Response["current_page_num"]!, (int)first.Response["current_page_size"]!));
        var listed = first.Response["receiver_list"]!.AsArray();
        Assert.Equal(("userId", ReceiverA, "门店佣金"), (listed[0]!["type"]!.GetValue<string>(), listed[0]!["account"]!.GetValue<string>(), listed[0]!["memo"]!.GetValue<string>()));
        Assert.Equal(("loginName", "张三", "partner@example.com"), (listed[1]!["type"]!.GetValue<string>(), listed[1]!["name"]!.GetValue<string>(), listed[1]!["bind_login_name"]!.GetValue<string>()));
        var second = await alipay.CallAsync("alipay.trade.royalty.relation.batchquery", new { out_request_no = "Q2", page_num = "2", page_size = "2" });
        Assert.Equal("openId", Assert.Single(second.Response["receiver_list"]!.AsArray())!["type"]!.GetValue<string>());

        var unbound = await alipay.CallAsync("alipay.trade.royalty.relation.unbind", new { out_request_no = "UNBIND_1", receiver_list = new[] { new { type = "userId", account = ReceiverA } } });
        Assert.Equal("SUCCESS", unbound.Field("result_code"));
        var after = await alipay.CallAsync("alipay.trade.royalty.relation.batchquery", new { out_request_no = "Q3" });
        Assert.Equal(2, (int)after.Response["total_record_num"]!);
        Assert.DoesNotContain(after.Response["receiver_list"]!.AsArray(), r => r!["account"]!.GetValue<string>() == ReceiverA);

        // The merchant's ratio: 30% unless set.
        var rate = await alipay.CallAsync("alipay.trade.royalty.rate.query", new { out_request_no = "RATE_1" });
        Assert.Equal(("2088102177000001", 30), (rate.Field("user_id"), (int)rate.Response["max_ratio"]!));
        (await sandbox.PutSettingsAsync("alipay", new { royalty_max_ratio = "80" })).EnsureSuccessStatusCode();
        Assert.Equal(80, (int)(await alipay.CallAsync("alipay.trade.royalty.rate.query", new { out_request_no = "RATE_2" })).Response["max_ratio"]!);
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.PutSettingsAsync("alipay", new { royalty_max_ratio = "101" })).StatusCode);
    }

    [Theory]
    [InlineData("""{"out_request_no":"B1","receiver_list":[{"type":"loginName","account":"a@example.com"}]}""")]
    [InlineData("""{"out_request_no":"B1","receiver_list":[{"type":"cardAliasNo","account":"x"}]}""")]
    [InlineData("""{"out_request_no":"B1","receiver_list":[{"type":"userId","account":"1234"}]}""")]
    [InlineData("""{"out_request_no":"B1","receiver_list":[]}""")]
    [InlineData("""{"receiver_list":[{"type":"userId","account":"2088102177100001"}]}""")]
    [InlineData("""{"out_request_no":"B1","receiver_list":["2088102177100001"]}""")]
    public async Task A_receiver_list_Alipay_would_refuse_is_an_invalid_parameter(string biz)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var refused = await alipay.CallAsync(Bind, biz);
        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), (refused.Code, refused.SubCode));
        Assert.True(refused.SignatureValid, refused.Body);
    }

    [Fact]
    public async Task A_frozen_trade_is_settled_in_two_steps_within_the_ratio_then_finished_and_the_rest_unfrozen()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        await BindAsync(alipay, ReceiverA, ReceiverB);
        var tradeNo = await PaidAsync(alipay, "ROYALTY_1", "100.00");
        Assert.Equal(("0.00", "100.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("100.00", await UnsettledAsync(alipay, tradeNo));

        var first = await alipay.CallAsync(Settle, Royalty(tradeNo, "S1", [(ReceiverA, "10.00")]));
        Assert.True(first.Code == "10000" && first.SignatureValid, first.Body);
        Assert.Equal(tradeNo, first.Field("trade_no"));
        Assert.Matches("^[0-9]{32}$", first.Field("settle_no"));
        var second = await alipay.CallAsync(Settle, Royalty(tradeNo, "S2", [(ReceiverA, "5.00"), (ReceiverB, "10.00")]));
        Assert.Equal("10000", second.Code);
        Assert.Equal(("0.00", "75.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("75.00", await UnsettledAsync(alipay, tradeNo));

        // 30% of 100.00 may be settled: 25.00 are, so 5.01 more is refused and nothing moves.
        var over = await alipay.CallAsync(Settle, Royalty(tradeNo, "S3", [(ReceiverB, "5.01")]));
        Assert.Equal(("40004", "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR"), (over.Code, over.SubCode));
        Assert.Equal(("0.00", "75.00"), await BalanceAsync(alipay, serials));

        // The query by settle_no and by out_request_no with trade_no reads the same details.
        var bySettleNo = await alipay.CallAsync("alipay.trade.order.settle.query", new { settle_no = second.Field("settle_no") });
        var byRequest = await alipay.CallAsync("alipay.trade.order.settle.query", new { out_request_no = "S2", trade_no = tradeNo });
        Assert.Equal(bySettleNo.Response["royalty_detail_list"]!.ToJsonString(), byRequest.Response["royalty_detail_list"]!.ToJsonString());
        Assert.Equal("S2", bySettleNo.Field("out_request_no"));
        var details = bySettleNo.Response["royalty_detail_list"]!.AsArray();
        Assert.Equal(2, details.Count);
        Assert.Equal(("transfer", "2088102177000001", ReceiverA, "userId", "5.00", "SUCCESS"),
            (details[0]!["operation_type"]!.GetValue<string>(), details[0]!["trans_out"]!.GetValue<string>(), details[0]!["trans_in"]!.GetValue<string>(), details[0]!["trans_in_type"]!.GetValue<string>(), details[0]!["amount"]!.GetValue<string>(), details[0]!["state"]!.GetValue<string>()));
        Assert.Equal("10.00", details[1]!["amount"]!.GetValue<string>());
        Assert.Equal(("40004", "ACQ.TRADE_NOT_EXIST"), await CodesAsync(alipay.CallAsync("alipay.trade.order.settle.query", new { out_request_no = "S9", trade_no = tradeNo })));

        // royalty_finish with 5.00 more: the last share goes, and the 70.00 left is unfrozen into the available balance.
        var finished = await alipay.CallAsync(Settle, Royalty(tradeNo, "S3", [(ReceiverB, "5.00")], new { royalty_finish = "true" }));
        Assert.True(finished.Code == "10000", finished.Body);
        Assert.Equal(("70.00", "0.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("0.00", await UnsettledAsync(alipay, tradeNo));
        Assert.Equal(("40004", "ACQ.TRADE_SETTLE_ERROR"), await CodesAsync(alipay.CallAsync(Settle, Royalty(tradeNo, "S4", [(ReceiverB, "0.01")]))));
    }

    [Fact]
    public async Task A_trade_without_royalty_freeze_settles_from_the_available_balance_and_an_empty_finish_unfreezes_all()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0", royalty_max_ratio = "100" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        await BindAsync(alipay, ReceiverA);

        var open = await PaidAsync(alipay, "PLAIN_1", "20.00", frozen: false);
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(open, "P1", [(ReceiverA, "20.00")]))).Code);
        Assert.Equal(("0.00", "0.00"), await BalanceAsync(alipay, serials));

        var frozen = await PaidAsync(alipay, "FROZEN_1", "30.00");
        Assert.Equal(("0.00", "30.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("10000", (await alipay.CallAsync(Settle, Royalty(frozen, "F1", [], new { royalty_finish = true }))).Code);
        Assert.Equal(("30.00", "0.00"), await BalanceAsync(alipay, serials));
    }

    [Fact]
    public async Task Settles_Alipay_would_refuse_are_refused_in_its_shape_and_move_nothing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        await BindAsync(alipay, ReceiverA);
        var tradeNo = await PaidAsync(alipay, "REFUSED_1", "10.00");

        Assert.Equal(("40004", "ACQ.ROYALTY_RECEIVER_INVALID"), await CodesAsync(alipay.CallAsync(Settle, Royalty(tradeNo, "R1", [(ReceiverB, "1.00")]))));
        Assert.Equal(("40004", "ACQ.TRADE_NOT_EXIST"), await CodesAsync(alipay.CallAsync(Settle, Royalty("2026120722001234567890123456", "R1", [(ReceiverA, "1.00")]))));
        var unpaid = await PrecreateAsync(alipay, "UNPAID_1", "https://merchant.example/notify", "5.00");
        await ScanAsync(sandbox, unpaid);
        Assert.Equal(("40004", "ACQ.TRADE_STATUS_ERROR"), await CodesAsync(alipay.CallAsync(Settle, Royalty(unpaid, "R1", [(ReceiverA, "1.00")]))));
        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), await CodesAsync(alipay.CallAsync(Settle, new { out_request_no = "R1", trade_no = tradeNo, royalty_parameters = new[] { new { royalty_type = "replenish", trans_in = ReceiverA, amount = "1.00" } } })));
        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), await CodesAsync(alipay.CallAsync(Settle, new { out_request_no = "R1", trade_no = tradeNo, royalty_parameters = new[] { new { trans_in_type = "cardAliasNo", trans_in = "x", amount = "1.00" } } })));
        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), await CodesAsync(alipay.CallAsync(Settle, new { out_request_no = "R1", trade_no = tradeNo, royalty_parameters = new[] { new { trans_out = ReceiverB, trans_in = ReceiverA, amount = "1.00" } } })));
        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), await CodesAsync(alipay.CallAsync(Settle, new { out_request_no = "R1", trade_no = tradeNo, royalty_parameters = Array.Empty<object>() })));
        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), await CodesAsync(alipay.CallAsync(Settle, Royalty(tradeNo, "R1", Enumerable.Repeat((ReceiverA, "0.01"), 6)))));
        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), await CodesAsync(alipay.CallAsync(Settle, Royalty(tradeNo, "R1", [(ReceiverA, "0.001")]))));
        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), await CodesAsync(alipay.CallAsync(Settle, Royalty(tradeNo, "R1", [(ReceiverA, "1.00")], mode: "later"))));
        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), await CodesAsync(alipay.CallAsync(Settle, Royalty(tradeNo, "R1", [(ReceiverA, "1.00")], new { royalty_finish = "yes" }))));
        Assert.Equal(("40004", "ACQ.INVALID_PARAMETER"), await CodesAsync(alipay.CallAsync("alipay.trade.pay", Order("BAD_FREEZE", "1.00", new { scene = "bar_code", auth_code = "283456789012345678", extend_params = new { royalty_freeze = "yes" } }))));
        Assert.Equal(("0.00", "10.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("10.00", await UnsettledAsync(alipay, tradeNo));
    }

    [Fact]
    public async Task The_same_out_request_no_answers_the_same_settle_once_and_a_different_one_is_a_discordant_repeat()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        await BindAsync(alipay, ReceiverA);
        var tradeNo = await PaidAsync(alipay, "REPEAT_1", "10.00");

        var first = await alipay.CallAsync(Settle, Royalty(tradeNo, "SAME", [(ReceiverA, "2.00")]));
        var again = await alipay.CallAsync(Settle, Royalty(tradeNo, "SAME", [(ReceiverA, "2.00")]));
        Assert.Equal(first.Field("settle_no"), again.Field("settle_no"));
        Assert.Equal(("0.00", "8.00"), await BalanceAsync(alipay, serials));
        Assert.Equal(("40004", "ACQ.DISCORDANT_REPEAT_REQUEST"), await CodesAsync(alipay.CallAsync(Settle, Royalty(tradeNo, "SAME", [(ReceiverA, "3.00")]))));
        Assert.Equal(("0.00", "8.00"), await BalanceAsync(alipay, serials));
    }

    [Fact]
    public async Task Receivers_settles_and_frozen_money_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        string tradeNo, settleNo;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            (await first.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
            using var alipay = await AlipayClient.ConnectAsync(first);
            await BindAsync(alipay, ReceiverA);
            tradeNo = await PaidAsync(alipay, "RESTART_1", "40.00");
            settleNo = (await alipay.CallAsync(Settle, Royalty(tradeNo, "BEFORE", [(ReceiverA, "4.00")]))).Field("settle_no");
        }

        await using var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data);
        using var again = await AlipayClient.ConnectAsync(second);
        Assert.Equal(("0.00", "36.00"), await BalanceAsync(again, await SerialsAsync(second)));
        Assert.Equal(ReceiverA, (await again.CallAsync("alipay.trade.royalty.relation.batchquery", new { out_request_no = "Q" })).Response["receiver_list"]![0]!["account"]!.GetValue<string>());
        Assert.Equal(settleNo, (await again.CallAsync(Settle, Royalty(tradeNo, "BEFORE", [(ReceiverA, "4.00")]))).Field("settle_no"));
        Assert.Equal("4.00", (await again.CallAsync("alipay.trade.order.settle.query", new { settle_no = settleNo })).Response["royalty_detail_list"]![0]!["amount"]!.GetValue<string>());
        Assert.Equal("36.00", await UnsettledAsync(again, tradeNo));
    }

    internal static async Task<(string Code, string? SubCode)> CodesAsync(Task<GatewayReply> call)
    {
        var reply = await call;
        Assert.True(reply.SignatureValid, reply.Body);
        return (reply.Code, reply.SubCode);
    }
}
