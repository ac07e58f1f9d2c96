using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Alipay;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using static Harness.Sandbox.Tests.Alipay.AlipayAgreementTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// 支付并签约 (a cashier trade with <c>agreement_sign_params</c>: the buyer pays the first trade and signs with it on the
/// hosted pay page, driven over HTTP) and <c>alipay.user.agreement.transfer</c> (a 商家扣款 agreement moved to 周期扣款).
/// </summary>
public sealed class AlipayPayAndSignTests
{
    private const string PagePay = "alipay.trade.page.pay";
    private const string Query = "alipay.user.agreement.query";
    private const string Transfer = "alipay.user.agreement.transfer";
    private const string Pay = "alipay.trade.pay";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>The first month's trade of a 周期扣款 subscription, signing it with the payment (product_code the agreement's, as merchants send it).</summary>
    private static Dictionary<string, object> FirstMonth(string outTradeNo, object sign, string productCode = "CYCLE_PAY_AUTH") => new()
    {
        ["out_trade_no"] = outTradeNo,
        ["total_amount"] = "30.00",
        ["subject"] = "首月会员",
        ["product_code"] = productCode,
        ["agreement_sign_params"] = sign,
    };

    /// <summary>A 周期扣款 sign request as a trade's <c>agreement_sign_params</c> (no <c>product_code</c>: the trade names it).</summary>
    internal static Dictionary<string, object> SignParams(string external, string? signNotifyUrl = null)
    {
        var sign = CycleSign(external);
        sign.Remove("product_code");
        if (signNotifyUrl is not null)
        {
            sign["sign_notify_url"] = signNotifyUrl;
        }

        return sign;
    }

    /// <summary>The merchant's page sends the browser to the cashier; returns the trade_no of the pay page it lands on.</summary>
    private static async Task<string> CashierAsync(AlipayClient alipay, string method, object biz, IReadOnlyDictionary<string, string> extra)
    {
        using var cashier = await alipay.BrowseAsync(method, biz, extra);
        Assert.True(cashier.StatusCode == HttpStatusCode.Redirect, await cashier.Content.ReadAsStringAsync(Ct));
        var payPage = cashier.Headers.Location!.ToString();
        return payPage[(payPage.LastIndexOf('/') + 1)..];
    }

    /// <summary>The buyer opens the hosted pay page and presses Pay; returns where the page sends the browser (null: it stays).</summary>
    private static async Task<string?> PayOnPageAsync(TestSandbox sandbox, string tradeNo)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var page = $"{sandbox.Server.ControlBaseUrl}/pay/{tradeNo}";
        using var shown = await browser.GetAsync(page, Ct);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        using var paid = await browser.PostAsync(page, new FormUrlEncodedContent(new Dictionary<string, string> { ["action"] = "pay" }), Ct);
        return paid.StatusCode == HttpStatusCode.Redirect ? paid.Headers.Location!.ToString() : null;
    }

    [Fact]
    public async Task Paying_the_first_trade_on_the_cashier_signs_the_agreement_for_the_payer_with_both_notifies()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var trades = await Receiver.StartAsync("/alipay/notify");
        await using var signs = await Receiver.StartAsync("/alipay/sign");
        trades.Default = (200, "success");
        signs.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var tradeNo = await CashierAsync(alipay, PagePay, FirstMonth("FIRST_1", SignParams("SUB_PS", signs.Url)),
            new Dictionary<string, string> { ["notify_url"] = trades.Url, ["return_url"] = "https://merchant.example/return" });
        var pending = Assert.Single(await sandbox.GetArrayAsync("/control/alipay/agreements"))!;
        Assert.Equal(("TEMP", "SUB_PS"), (pending["status"]!.GetValue<string>(), pending["external_agreement_no"]!.GetValue<string>()));
        var agreementNo = pending["agreement_no"]!.GetValue<string>();
        Assert.Equal("USER_AGREEMENT_NOT_EXIST", (await alipay.CallAsync(Query, new { agreement_no = agreementNo })).SubCode);
        using (var browser = new HttpClient())
        using (var signPage = await browser.GetAsync(sandbox.BaseUrl("alipay") + AlipayProvider.SignPagePath + "/" + agreementNo, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, signPage.StatusCode); // the cashier signs it, not the sign page
        }

        var back = await PayOnPageAsync(sandbox, tradeNo);

        Assert.StartsWith("https://merchant.example/return?", back, StringComparison.Ordinal);
        Assert.Equal("alipay.trade.page.pay.return", QueryHelpers.ParseQuery(new Uri(back!).Query)["method"].ToString());
        var paid = await trades.NextAsync();
        Assert.True(alipay.Verifies(paid.Form));
        Assert.Equal(("trade_status_sync", "TRADE_SUCCESS", "FIRST_1", "30.00"), (paid.Form["notify_type"], paid.Form["trade_status"], paid.Form["out_trade_no"], paid.Form["total_amount"]));
        var signed = await signs.NextAsync();
        Assert.True(alipay.Verifies(signed.Form));
        Assert.Equal(("dut_user_sign", "NORMAL", agreementNo, "SUB_PS"), (signed.Form["notify_type"], signed.Form["status"], signed.Form["agreement_no"], signed.Form["external_agreement_no"]));
        Assert.Equal((paid.Form["buyer_id"], paid.Form["buyer_logon_id"]), (signed.Form["alipay_user_id"], signed.Form["alipay_logon_id"]));
        Assert.Single(trades.All);

        // The first month was the trade: the first deduction is still the agreed execute_time, and it goes through.
        var agreement = await alipay.CallAsync(Query, new { agreement_no = agreementNo });
        Assert.True(agreement.Code == "10000" && agreement.SignatureValid, agreement.Body);
        Assert.Equal(("NORMAL", paid.Form["buyer_id"], "2026-11-23", "CYCLE_PAY_AUTH_P"), (agreement.Field("status"), agreement.Field("principal_id"), agreement.Field("next_deduct_time"), agreement.Field("personal_product_code")));
        Assert.Equal("TRADE_SUCCESS", (await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "FIRST_1" })).Field("trade_status"));
        var renewal = await alipay.CallAsync(Pay, Deduction("RENEW_PS", agreementNo));
        Assert.Equal(("10000", paid.Form["buyer_id"]), (renewal.Code, renewal.Field("buyer_user_id")));
    }

    [Fact]
    public async Task Without_sign_notify_url_the_sign_notify_follows_the_trade_notify_on_wap_and_app_pay_too()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var notify = new Dictionary<string, string> { ["notify_url"] = receiver.Url };
        var general = new { personal_product_code = "GENERAL_WITHHOLDING_P", product_code = "GENERAL_WITHHOLDING", sign_scene = "INDUSTRY|MEDICAL", external_agreement_no = "GEN_WAP", access_params = new { channel = "ALIPAYAPP" } };

        var wapTrade = await CashierAsync(alipay, "alipay.trade.wap.pay", FirstMonth("WAP_1", general, "QUICK_WAP_WAY"), notify);
        Assert.Null(await PayOnPageAsync(sandbox, wapTrade));
        var forms = new[] { await receiver.NextAsync(), await receiver.NextAsync() }.ToDictionary(r => r.Form["notify_type"], r => r.Form);
        Assert.Equal(("TRADE_SUCCESS", "NORMAL", "GENERAL_WITHHOLDING_P"), (forms["trade_status_sync"]["trade_status"], forms["dut_user_sign"]["status"], forms["dut_user_sign"]["personal_product_code"]));
        Assert.All(forms.Values, form => Assert.True(alipay.Verifies(form)));

        // The Alipay app given an app.pay order string that signs: the same, once the buyer pays on the pay sheet.
        var order = alipay.SignedParams(AlipayProvider.AppPay, FirstMonth("APP_1", SignParams("SUB_APP")), notify);
        using var http = new HttpClient();
        using var shown = await http.PostAsync(sandbox.BaseUrl("alipay") + AlipayProvider.AppPayPath,
            new StringContent(string.Join('&', order.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value))), Encoding.UTF8, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        var appTrade = (await shown.Content.ReadFromJsonAsync<JsonObject>(Ct))!["trade_no"]!.GetValue<string>();
        Assert.Null(await PayOnPageAsync(sandbox, appTrade));
        var appForms = new[] { await receiver.NextAsync(), await receiver.NextAsync() }.ToDictionary(r => r.Form["notify_type"], r => r.Form);
        Assert.Equal(("APP_1", "SUB_APP"), (appForms["trade_status_sync"]["out_trade_no"], appForms["dut_user_sign"]["external_agreement_no"]));
        Assert.Equal(appForms["trade_status_sync"]["buyer_id"], appForms["dut_user_sign"]["alipay_user_id"]);
    }

    [Theory]
    [InlineData("""{"personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|EDU"}""", "CYCLE_PAY_AUTH", "40004 INVALID_PARAMETER:")]
    [InlineData("""{"personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|EDU","access_params":{"channel":"ALIPAYAPP"}}""", "CYCLE_PAY_AUTH", "40004 INVALID_PARAMETER:")]
    [InlineData("""{"personal_product_code":"GENERAL_WITHHOLDING_P","access_params":{"channel":"ALIPAYAPP"},"sign_notify_url":"ftp://merchant.example/sign"}""", "GENERAL_WITHHOLDING", "40004 INVALID_PARAMETER:")]
    [InlineData("""{"personal_product_code":"GENERAL_WITHHOLDING_P","product_code":"CYCLE_PAY_AUTH","access_params":{"channel":"ALIPAYAPP"}}""", "GENERAL_WITHHOLDING", "40004 PRODUCT_CODE_ERROR:")]
    [InlineData("""{"personal_product_code":"GENERAL_WITHHOLDING_P","access_params":{"channel":"ALIPAYAPP"}}""", "CYCLE_PAY_AUTH", "40004 ACQ.PRODUCT_CODE_ERROR:")]
    [InlineData("\"CYCLE_PAY_AUTH_P\"", "CYCLE_PAY_AUTH", "40004 INVALID_PARAMETER:")]
    public async Task A_malformed_agreement_sign_params_gets_the_cashier_error_page_and_leaves_nothing(string sign, string productCode, string refusal)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        using var page = await alipay.BrowseAsync(PagePay, FirstMonth("BAD_1", JsonNode.Parse(sign)!, productCode), new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains(refusal, await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(await sandbox.GetArrayAsync("/control/alipay/agreements"));
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=alipay"));
    }

    [Fact]
    public async Task An_unpaid_trade_signs_nothing_and_a_repeated_order_answers_the_same_trade()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var notify = new Dictionary<string, string> { ["notify_url"] = receiver.Url };

        var tradeNo = await CashierAsync(alipay, PagePay, FirstMonth("ONCE_1", SignParams("SUB_ONCE")), notify);
        Assert.Equal(tradeNo, await CashierAsync(alipay, PagePay, FirstMonth("ONCE_1", SignParams("SUB_ONCE")), notify));
        Assert.Single(await sandbox.GetArrayAsync("/control/alipay/agreements"));

        // An order paid without signing cannot be reused to sign, nor can the buyer sign again an agreement they hold.
        using (var plain = await alipay.BrowseAsync(PagePay, AlipayTests.Order("PLAIN_1", "30.00"), notify))
        {
            Assert.Equal(HttpStatusCode.Redirect, plain.StatusCode);
        }

        using (var reused = await alipay.BrowseAsync(PagePay, FirstMonth("PLAIN_1", SignParams("SUB_PLAIN")), notify))
        {
            Assert.Contains("ACQ.CONTEXT_INCONSISTENT", await reused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // The buyer opens the cashier and leaves; the merchant closes the trade: the agreement never comes to be.
        await AlipayTests.ScanAsync(sandbox, tradeNo);
        Assert.Equal("10000", (await alipay.CallAsync("alipay.trade.close", new { out_trade_no = "ONCE_1" })).Code);
        Assert.Equal("TRADE_CLOSED", (await receiver.NextAsync()).Form["trade_status"]);
        var agreementNo = (await sandbox.GetArrayAsync("/control/alipay/agreements")).Select(a => a!["agreement_no"]!.GetValue<string>()).First();
        Assert.Equal("USER_AGREEMENT_NOT_EXIST", (await alipay.CallAsync(Query, new { agreement_no = agreementNo })).SubCode);
        Assert.Equal("ACQ.AGREEMENT_NOT_EXIST", (await alipay.CallAsync(Pay, Deduction("AFTER_CLOSE", agreementNo))).SubCode);

        var signed = await SignAsync(await SignPageAsync(alipay, CycleSign("SUB_HELD")));
        Assert.Equal("NORMAL", (await alipay.CallAsync(Query, new { agreement_no = signed })).Field("status"));
        using var held = await alipay.BrowseAsync(PagePay, FirstMonth("HELD_1", SignParams("SUB_HELD")), notify);
        Assert.Equal(HttpStatusCode.BadRequest, held.StatusCode);
        Assert.Contains("AGREEMENT_HAS_EXISTED", await held.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Single(receiver.All);
    }

    [Fact]
    public async Task Transfer_moves_a_general_withholding_agreement_to_a_cycle_rule_that_deductions_then_keep()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var general = await SignAsync(await SignPageAsync(alipay, new { personal_product_code = "GENERAL_WITHHOLDING_P", sign_scene = "INDUSTRY|MEDICAL", external_agreement_no = "GEN_T", access_params = new { channel = "QRCODE" } }));
        Assert.Equal("10000", (await alipay.CallAsync(Pay, Deduction("GEN_T_1", general, "99.00"))).Code);
        var rule = new { period_type = "DAY", period = 7, execute_time = "2026-11-23", single_amount = "20.00", total_amount = "60.00", total_payments = 3 };

        var moved = await alipay.CallAsync(Transfer, new { agreement_no = general, target_product_code = "CYCLE_PAY_AUTH_P", period_rule_params = rule });

        Assert.True(moved.Code == "10000" && moved.SignatureValid, moved.Body);
        Assert.Contains("\"alipay_user_agreement_transfer_response\":", moved.Body, StringComparison.Ordinal);
        Assert.Equal(("2026-11-23", "DAY", "7", "20.00", "60.00", "3"),
            (moved.Field("execute_time"), moved.Field("period_type"), moved.Field("period"), moved.Field("amount"), moved.Field("total_amount"), moved.Field("total_payments")));
        var queried = await alipay.CallAsync(Query, new { agreement_no = general });
        Assert.Equal(("CYCLE_PAY_AUTH_P", "2026-11-23", "20.00", "NORMAL"), (queried.Field("personal_product_code"), queried.Field("next_deduct_time"), queried.Field("single_quota"), queried.Field("status")));
        Assert.Equal("ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED", (await alipay.CallAsync(Pay, Deduction("GEN_T_2", general, "20.01"))).SubCode);
        Assert.Equal("10000", (await alipay.CallAsync(Pay, Deduction("GEN_T_2", general, "20.00"))).Code);
        Assert.Equal("ACQ.CYCLE_PAY_DATE_NOT_MATCH", (await alipay.CallAsync(Pay, Deduction("GEN_T_3", general, "20.00"))).SubCode);

        async Task<string?> RefusedAsync(object biz)
        {
            var reply = await alipay.CallAsync(Transfer, biz);
            return reply.Code == "40004" && reply.SignatureValid ? reply.SubCode : $"not refused: {reply.Body}";
        }

        Assert.Equal("INVALID_PARAMETER", await RefusedAsync(new { agreement_no = general, target_product_code = "CYCLE_PAY_AUTH_P", period_rule_params = rule }));
        Assert.Equal("INVALID_PARAMETER", await RefusedAsync(new { agreement_no = general, target_product_code = "GENERAL_WITHHOLDING_P", period_rule_params = rule }));
        Assert.Equal("INVALID_PARAMETER", await RefusedAsync(new { target_product_code = "CYCLE_PAY_AUTH_P", period_rule_params = rule }));
        var other = await SignAsync(await SignPageAsync(alipay, new { personal_product_code = "GENERAL_WITHHOLDING_P", access_params = new { channel = "ALIPAYAPP" } }));
        Assert.Equal("INVALID_PARAMETER", await RefusedAsync(new { agreement_no = other, target_product_code = "CYCLE_PAY_AUTH_P", period_rule_params = new { period_type = "DAY", period = 3, execute_time = "2026-11-23", single_amount = "1.00" } }));
        Assert.Equal("USER_AGREEMENT_NOT_EXIST", await RefusedAsync(new { agreement_no = "20260000000000000404", target_product_code = "CYCLE_PAY_AUTH_P", period_rule_params = rule }));
        (await sandbox.Control.PostAsJsonAsync($"/control/alipay/agreements/{other}/status", new { status = "STOP" }, Ct)).EnsureSuccessStatusCode();
        Assert.Equal("AGREEMENT_STATUS_NOT_NORMAL", await RefusedAsync(new { agreement_no = other, target_product_code = "CYCLE_PAY_AUTH_P", period_rule_params = rule }));
    }

    [Fact]
    public async Task A_pending_pay_and_sign_and_a_transferred_rule_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-alipay-payandsign-" + Guid.NewGuid().ToString("N"));
        string tradeNo;
        string general;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(first);
            tradeNo = await CashierAsync(alipay, PagePay, FirstMonth("KEPT_PS", SignParams("SUB_KEPT_PS")), new Dictionary<string, string>());
            general = await SignAsync(await SignPageAsync(alipay, new { personal_product_code = "GENERAL_WITHHOLDING_P", access_params = new { channel = "ALIPAYAPP" } }));
            var rule = new { period_type = "MONTH", period = 1, execute_time = "2026-11-23", single_amount = "15.00" };
            Assert.Equal("10000", (await alipay.CallAsync(Transfer, new { agreement_no = general, target_product_code = "CYCLE_PAY_AUTH_P", period_rule_params = rule })).Code);
        }

        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(second);
            await PayOnPageAsync(second, tradeNo);
            var signed = await alipay.CallAsync(Query, new { external_agreement_no = "SUB_KEPT_PS", personal_product_code = "CYCLE_PAY_AUTH_P", sign_scene = "INDUSTRY|DIGITAL_MEDIA" });
            Assert.Equal(("10000", "NORMAL"), (signed.Code, signed.Field("status")));
            var kept = await alipay.CallAsync(Query, new { agreement_no = general });
            Assert.Equal(("CYCLE_PAY_AUTH_P", "15.00", "2026-11-23"), (kept.Field("personal_product_code"), kept.Field("single_quota"), kept.Field("next_deduct_time")));
        }
    }
}
