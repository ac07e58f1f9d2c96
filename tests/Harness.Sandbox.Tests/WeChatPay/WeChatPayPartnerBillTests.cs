using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayBillTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPartnerTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 申请交易账单 in 服务商 mode: <c>sub_mchid</c> asks for one sub-merchant's bill, with 特约商户号 filled; without it the
/// bill covers every sub-merchant's orders and the merchant's own; the fund-flow bill stays the merchant's own account.
/// </summary>
public sealed class WeChatPayPartnerBillTests
{
    /// <summary>
    /// On 2026-11-23 from 09:00: the merchant's own order 100.00 (bill_own), sub-merchant 1900000110's 50.00 (bill_p1),
    /// 1900000111's 20.00 (bill_p2), five minutes apart, then bill_p1 refunded 10.00; the clock left at 10:00 the next day.
    /// </summary>
    private static async Task<(TestSandbox Sandbox, WeChatPayWire Wire)> DayAsync()
    {
        var sandbox = await TestSandbox.StartAsync(Morning);
        var wire = await WeChatPayTests.WireAsync(sandbox);
        await sandbox.ActAsync(await WeChatPayTests.PlaceAsync(sandbox, wire, WeChatPayTests.Order(wire, "bill_own", "https://merchant.example/notify", 10000, attach: null)), "pay");
        foreach (var (outTradeNo, subMchid, total) in new[] { ("bill_p1", SubMchid, 5000L), ("bill_p2", OtherSubMchid, 2000L) })
        {
            await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
            var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", PartnerOrder(wire, outTradeNo, "https://merchant.example/notify", subMchid, total));
            await sandbox.ActAsync(paymentId, "pay");
        }

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
        var (status, body, _) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
        {
            ["sub_mchid"] = SubMchid, ["out_trade_no"] = "bill_p1", ["out_refund_no"] = "refund_p1",
            ["amount"] = new JsonObject { ["refund"] = 1000, ["total"] = 5000, ["currency"] = "CNY" },
        }));
        Assert.True(status == HttpStatusCode.OK, body);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(25) - TimeSpan.FromMinutes(15));
        return (sandbox, wire);
    }

    [Fact]
    public async Task A_sub_merchants_trade_bill_lists_its_orders_with_its_number_and_the_full_bill_lists_every_order()
    {
        var (sandbox, wire) = await DayAsync();
        await using var _ = sandbox;
        using var __ = wire;

        var own = Lines(await DownloadAsync(wire, await ApplyAsync(wire, $"/v3/bill/tradebill?bill_date=2026-11-23&sub_mchid={SubMchid}")));
        Assert.Equal(AllHeader, own[0]);
        Assert.Equal(5, own.Length);
        Assert.Equal(["2026-11-23 09:05:00", wire.Appid, wire.Mchid, SubMchid, "", "bill_p1"], [.. Cells(own[1])[..5], Cells(own[1])[6]]);
        Assert.Equal(["REFUND", SubMchid, "refund_p1", "10.00"], [Cells(own[2])[9], Cells(own[2])[3], Cells(own[2])[15], Cells(own[2])[16]]);
        Assert.Equal("`2,`50.00,`10.00,`0.00,`0.24000,`50.00,`10.00", own[^1]);

        // Without sub_mchid: every sub-merchant's orders and the merchant's own (特约商户号 0), in time order.
        var all = Lines(await DownloadAsync(wire, await ApplyAsync(wire, "/v3/bill/tradebill?bill_date=2026-11-23")));
        Assert.Equal(7, all.Length);
        Assert.Equal([("0", "bill_own", "SUCCESS"), (SubMchid, "bill_p1", "SUCCESS"), (OtherSubMchid, "bill_p2", "SUCCESS"), (SubMchid, "bill_p1", "REFUND")],
            all[1..5].Select(Cells).Select(c => (c[3], c[6], c[9])));
        Assert.Equal("`4,`170.00,`10.00,`0.00,`0.96000,`170.00,`10.00", all[^1]);

        // The other sub-merchant refunded nothing that day.
        var (none, _, noRefunds) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/bill/tradebill?bill_date=2026-11-23&bill_type=REFUND&sub_mchid={OtherSubMchid}"));
        Assert.Equal((HttpStatusCode.BadRequest, "NO_STATEMENT_EXIST"), (none, noRefunds!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_fund_flow_bill_stays_the_merchants_own_and_an_unbound_or_empty_sub_mchid_is_refused()
    {
        var (sandbox, wire) = await DayAsync();
        await using var _ = sandbox;
        using var __ = wire;

        var flows = Lines(await DownloadAsync(wire, await ApplyAsync(wire, "/v3/bill/fundflowbill?bill_date=2026-11-23")));
        Assert.Equal(5, flows.Length);
        Assert.All(flows[1..3], l => Assert.Equal("bill_own", Cells(l)[10]));
        Assert.Equal("`2,`1,`100.00,`1,`0.60", flows[^1]);

        var (unbound, _, noAuth) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/bill/tradebill?bill_date=2026-11-23&sub_mchid=1900009998"));
        Assert.Equal((HttpStatusCode.Forbidden, "NO_AUTH"), (unbound, noAuth!["code"]!.GetValue<string>()));
        var (empty, _, malformed) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/bill/tradebill?bill_date=2026-11-23&sub_mchid="));
        Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_mchid"), (empty, malformed!["code"]!.GetValue<string>(), malformed["detail"]!["field"]!.GetValue<string>()));
    }
}
