using System.Net;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Alipay.AlipayAgreementTests;
using static Harness.Sandbox.Tests.Alipay.AlipayPayAndSignTests;
using static Harness.Sandbox.Tests.Alipay.AlipayTradeCreateTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// 支付并签约 on <c>alipay.trade.create</c> (JSAPI, the mini program's <c>my.tradePay</c>): the created trade carries
/// <c>agreement_sign_params</c>, and paying it signs the agreement for its buyer with the trade notify and
/// <c>dut_user_sign</c>; on the gateway and at <c>POST /v3/alipay/trade/create</c>.
/// </summary>
public sealed class AlipayPayAndSignCreateTests
{
    private const string Create = "alipay.trade.create";
    private const string Query = "alipay.user.agreement.query";
    private const string BuyerId = "2088102177003412";

    private static Dictionary<string, object> FirstMonth(string outTradeNo, object? sign, string productCode = "JSAPI_PAY")
    {
        var biz = new Dictionary<string, object>
        {
            ["out_trade_no"] = outTradeNo,
            ["total_amount"] = "30.00",
            ["subject"] = "首月会员",
            ["product_code"] = productCode,
            ["buyer_id"] = BuyerId,
        };
        if (sign is not null)
        {
            biz["agreement_sign_params"] = sign;
        }

        return biz;
    }

    [Fact]
    public async Task Paying_a_created_trade_with_sign_params_signs_the_agreement_for_its_buyer_with_both_notifies()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var trades = await Receiver.StartAsync("/alipay/notify");
        await using var signs = await Receiver.StartAsync("/alipay/sign");
        trades.Default = (200, "success");
        signs.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var created = await alipay.CallAsync(Create, FirstMonth("JSAPI_PS", SignParams("SUB_JSAPI", signs.Url)), new Dictionary<string, string> { ["notify_url"] = trades.Url });

        Assert.True(created.Code == "10000" && created.SignatureValid, created.Body);
        var tradeNo = created.Field("trade_no");
        var pending = Assert.Single(await sandbox.GetArrayAsync("/control/alipay/agreements"))!;
        var agreementNo = pending["agreement_no"]!.GetValue<string>();
        Assert.Equal("TEMP", pending["status"]!.GetValue<string>());
        Assert.Equal("USER_AGREEMENT_NOT_EXIST", (await alipay.CallAsync(Query, new { agreement_no = agreementNo })).SubCode);
        Assert.Equal(tradeNo, (await alipay.CallAsync(Create, FirstMonth("JSAPI_PS", SignParams("SUB_JSAPI", signs.Url)))).Field("trade_no"));

        // my.tradePay({ tradeNO }): the buyer pays in the mini program and signs with that payment.
        Assert.Null(await sandbox.ActAsync(tradeNo, "pay"));

        var paid = await trades.NextAsync();
        Assert.True(alipay.Verifies(paid.Form));
        Assert.Equal(("TRADE_SUCCESS", "JSAPI_PS", BuyerId), (paid.Form["trade_status"], paid.Form["out_trade_no"], paid.Form["buyer_id"]));
        var signed = await signs.NextAsync();
        Assert.True(alipay.Verifies(signed.Form));
        Assert.Equal(("dut_user_sign", "NORMAL", agreementNo, BuyerId), (signed.Form["notify_type"], signed.Form["status"], signed.Form["agreement_no"], signed.Form["alipay_user_id"]));
        var agreement = await alipay.CallAsync(Query, new { agreement_no = agreementNo });
        Assert.Equal(("NORMAL", BuyerId, "2026-11-23"), (agreement.Field("status"), agreement.Field("principal_id"), agreement.Field("next_deduct_time")));
        var renewal = await alipay.CallAsync("alipay.trade.pay", Deduction("JSAPI_RENEW", agreementNo));
        Assert.Equal(("10000", BuyerId), (renewal.Code, renewal.Field("buyer_user_id")));
        Assert.Single(signs.All);
    }

    [Fact]
    public async Task Bad_sign_params_are_refused_with_nothing_made_and_a_plain_trades_number_cannot_sign()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var noRule = CycleSign("SUB_BAD");
        noRule.Remove("period_rule_params");
        var refused = await alipay.CallAsync(Create, FirstMonth("JSAPI_BAD", noRule));
        Assert.True(refused.SignatureValid, refused.Body);
        Assert.Equal(("40004", "INVALID_PARAMETER"), (refused.Code, refused.SubCode));
        Assert.Equal("INVALID_PARAMETER", (await alipay.CallAsync(Create, FirstMonth("JSAPI_BAD", "not an object"))).SubCode);
        Assert.Equal("ACQ.PRODUCT_CODE_ERROR", (await alipay.CallAsync(Create, FirstMonth("JSAPI_BAD", SignParams("SUB_BAD", "https://merchant.example/sign"), "QUICK_WAP_WAY"))).SubCode);
        Assert.Equal("ACQ.TRADE_NOT_EXIST", (await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "JSAPI_BAD" })).SubCode);
        Assert.Empty(await sandbox.GetArrayAsync("/control/alipay/agreements"));

        // The agreement's sale product is taken as the trade's product code, as merchants send it.
        Assert.Equal("10000", (await alipay.CallAsync(Create, FirstMonth("JSAPI_CYCLE", SignParams("SUB_CYCLE", "https://merchant.example/sign"), "CYCLE_PAY_AUTH"))).Code);

        Assert.Equal("10000", (await alipay.CallAsync(Create, FirstMonth("JSAPI_PLAIN", null))).Code);
        Assert.Equal("ACQ.CONTEXT_INCONSISTENT", (await alipay.CallAsync(Create, FirstMonth("JSAPI_PLAIN", SignParams("SUB_PLAIN", "https://merchant.example/sign")))).SubCode);
        Assert.Single(await sandbox.GetArrayAsync("/control/alipay/agreements"));
    }

    [Fact]
    public async Task The_v3_create_takes_sign_params_and_paying_signs_the_agreement()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        const string body = """{"out_trade_no":"JSAPI_V3","total_amount":"30.00","subject":"首月会员","product_code":"JSAPI_PAY","buyer_open_id":"074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5","agreement_sign_params":{"personal_product_code":"GENERAL_WITHHOLDING_P","sign_scene":"INDUSTRY|MEDICAL","external_agreement_no":"GEN_V3","access_params":{"channel":"ALIPAYAPP"}}}""";

        var (status, created) = await V3Async(sandbox, "/v3/alipay/trade/create", body);

        Assert.True(status == HttpStatusCode.OK, created.ToJsonString());
        var tradeNo = created["trade_no"]!.GetValue<string>();
        await sandbox.ActAsync(tradeNo, "pay");
        var agreement = Assert.Single(await sandbox.GetArrayAsync("/control/alipay/agreements"))!;
        Assert.Equal("NORMAL", agreement["status"]!.GetValue<string>());
        var queried = await alipay.CallAsync(Query, new { agreement_no = agreement["agreement_no"]!.GetValue<string>() });
        Assert.Equal(("GENERAL_WITHHOLDING_P", "GEN_V3"), (queried.Field("personal_product_code"), queried.Field("external_agreement_no")));
        Assert.Matches("^2088[0-9]{12}$", queried.Field("principal_id"));

        var (refusedStatus, refused) = await V3Async(sandbox, "/v3/alipay/trade/create", body.Replace("JSAPI_V3", "JSAPI_V3B", StringComparison.Ordinal).Replace("\"ALIPAYAPP\"", "\"FAX\"", StringComparison.Ordinal));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_PARAMETER"), (refusedStatus, refused["code"]!.GetValue<string>()));
    }
}
