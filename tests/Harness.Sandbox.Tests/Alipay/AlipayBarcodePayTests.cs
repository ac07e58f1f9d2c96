using System.Net;
using Harness.Sandbox.Alipay;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Alipay.AlipayTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// <c>alipay.trade.pay</c>: the cashier scans the buyer's payment code. Paid as the call answers (10000), or, for the
/// sandbox's password code, answered 10003 and left waiting for the buyer, to be polled and cancelled as Alipay advises.
/// </summary>
public sealed class AlipayBarcodePayTests
{
    private const string Pay = AlipayProvider.BarcodePay;
    private const string Query = "alipay.trade.query";
    private const string PaidCode = "283456789012345678";
    private const string PasswordCode = "28345678901234" + AlipayProvider.PasswordCodeSuffix;

    private static object Scan(string outTradeNo, string code, string amount = "36.50") =>
        Order(outTradeNo, amount, new { scene = "bar_code", auth_code = code });

    [Fact]
    public async Task A_scanned_code_pays_as_the_call_answers_with_the_paid_fields_and_a_notify()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var paid = await alipay.CallAsync(Pay, Scan("BAR_1", PaidCode), new Dictionary<string, string> { ["notify_url"] = receiver.Url });

        Assert.True(paid.SignatureValid, paid.Body);
        Assert.Equal(("10000", "Success", "BAR_1", "36.50", "36.50"), (paid.Code, paid.Field("msg"), paid.Field("out_trade_no"), paid.Field("total_amount"), paid.Field("receipt_amount")));
        var query = await alipay.CallAsync(Query, new { out_trade_no = "BAR_1" });
        Assert.Equal(("TRADE_SUCCESS", paid.Field("trade_no"), query.Field("send_pay_date"), query.Field("buyer_user_id")),
            (query.Field("trade_status"), query.Field("trade_no"), paid.Field("gmt_payment"), paid.Field("buyer_user_id")));
        var notify = await receiver.NextAsync();
        Assert.True(alipay.Verifies(notify.Form));
        Assert.Equal(("TRADE_SUCCESS", "BAR_1", "36.50"), (notify.Form["trade_status"], notify.Form["out_trade_no"], notify.Form["total_amount"]));

        // Scanning again for the same order does not pay twice; the trade refunds like any other.
        Assert.Equal("ACQ.TRADE_HAS_SUCCESS", (await alipay.CallAsync(Pay, Scan("BAR_1", PaidCode))).SubCode);
        Assert.Equal("10000", (await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = "BAR_1", refund_amount = "6.50", out_request_no = "R1" })).Code);
    }

    [Fact]
    public async Task The_password_code_answers_10003_and_the_trade_waits_until_the_buyer_pays_or_the_merchant_cancels()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var notifyTo = new Dictionary<string, string> { ["notify_url"] = receiver.Url };

        var waiting = await alipay.CallAsync(Pay, Scan("BAR_2", PasswordCode), notifyTo);

        Assert.True(waiting.SignatureValid, waiting.Body);
        Assert.Equal(("10003", "BAR_2"), (waiting.Code, waiting.Field("out_trade_no")));
        Assert.Null(waiting.Response["gmt_payment"]);
        var tradeNo = waiting.Field("trade_no");
        Assert.Equal("WAIT_BUYER_PAY", (await alipay.CallAsync(Query, new { out_trade_no = "BAR_2" })).Field("trade_status"));

        // Scanning again while the buyer enters the password still waits, even with a code that would pay at once.
        var again = await alipay.CallAsync(Pay, Scan("BAR_2", PaidCode), notifyTo);
        Assert.Equal(("10003", tradeNo), (again.Code, again.Field("trade_no")));

        Assert.Null(await sandbox.ActAsync(tradeNo, "pay"));
        Assert.Equal("TRADE_SUCCESS", (await receiver.NextAsync()).Form["trade_status"]);
        Assert.Equal("TRADE_SUCCESS", (await alipay.CallAsync(Query, new { trade_no = tradeNo })).Field("trade_status"));

        // The buyer who never enters the password: the merchant's cancel closes the trade, and it can no longer be paid.
        var abandoned = (await alipay.CallAsync(Pay, Scan("BAR_3", PasswordCode), notifyTo)).Field("trade_no");
        Assert.Equal("close", (await alipay.CallAsync("alipay.trade.cancel", new { out_trade_no = "BAR_3" })).Field("action"));
        Assert.Equal("TRADE_CLOSED", (await receiver.NextAsync()).Form["trade_status"]);
        Assert.Equal("canceled", (await sandbox.PostJsonAsync($"/control/payments/{abandoned}/pay"))["payment"]!["status"]!.GetValue<string>());
        Assert.Equal("ACQ.TRADE_HAS_CLOSE", (await alipay.CallAsync(Pay, Scan("BAR_3", PaidCode))).SubCode);
    }

    [Theory]
    [InlineData("""{"out_trade_no":"BAR_R","total_amount":"1.00","subject":"s","auth_code":"283456789012345678"}""", "ACQ.INVALID_PARAMETER")]
    [InlineData("""{"out_trade_no":"BAR_R","total_amount":"1.00","subject":"s","scene":"wave_code","auth_code":"283456789012345678"}""", "ACQ.INVALID_PARAMETER")]
    [InlineData("""{"out_trade_no":"BAR_R","total_amount":"1.00","subject":"s","scene":"bar_code"}""", "ACQ.PAYMENT_AUTH_CODE_INVALID")]
    [InlineData("""{"out_trade_no":"BAR_R","total_amount":"1.00","subject":"s","scene":"bar_code","auth_code":"283456789012345"}""", "ACQ.PAYMENT_AUTH_CODE_INVALID")]
    [InlineData("""{"out_trade_no":"BAR_R","total_amount":"1.00","subject":"s","scene":"bar_code","auth_code":"243456789012345678"}""", "ACQ.PAYMENT_AUTH_CODE_INVALID")]
    [InlineData("""{"out_trade_no":"BAR_R","total_amount":"1.00","subject":"s","scene":"bar_code","auth_code":"28345678901234567a"}""", "ACQ.PAYMENT_AUTH_CODE_INVALID")]
    [InlineData("""{"out_trade_no":"BAR_R","total_amount":"1.00","scene":"bar_code","auth_code":"283456789012345678"}""", "ACQ.INVALID_PARAMETER")]
    [InlineData("""{"out_trade_no":"BAR_R","total_amount":"1.00","subject":"s","scene":"bar_code","auth_code":"283456789012345678","product_code":"QUICK_MSECURITY_PAY"}""", "ACQ.PRODUCT_CODE_ERROR")]
    public async Task A_bad_scan_is_refused_and_creates_no_trade(string bizContent, string subCode)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var refused = await alipay.CallAsync(Pay, bizContent);

        Assert.True(refused.SignatureValid, refused.Body);
        Assert.Equal(("40004", subCode), (refused.Code, refused.SubCode));
        Assert.Equal("ACQ.TRADE_NOT_EXIST", (await alipay.CallAsync(Query, new { out_trade_no = "BAR_R" })).SubCode);
    }

    [Fact]
    public async Task An_out_trade_no_another_method_placed_is_not_paid_by_a_scan()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var precreated = await PrecreateAsync(alipay, "BAR_4", "http://127.0.0.1:1/notify", "36.50");

        var refused = await alipay.CallAsync(Pay, Scan("BAR_4", PaidCode));

        Assert.Equal("ACQ.CONTEXT_INCONSISTENT", refused.SubCode);
        Assert.Equal("open", (await sandbox.GetJsonAsync($"/control/payments/{precreated}"))["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("283456789012342222", "ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足")]
    [InlineData("283456789012343333", "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH", "用户银行卡余额不足")]
    [InlineData("283456789012344444", "ACQ.PAYMENT_FAIL", "支付失败")]
    [InlineData("283456789012345555", "ACQ.PAYMENT_REQUEST_HAS_RISK", "支付有风险")]
    public async Task A_refused_scan_leaves_the_trade_waiting_for_a_fresh_scan_or_a_cancel(string code, string subCode, string subMsg)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var notifyTo = new Dictionary<string, string> { ["notify_url"] = receiver.Url };

        var refused = await alipay.CallAsync(Pay, Scan("BAR_5", code), notifyTo);

        Assert.True(refused.SignatureValid, refused.Body);
        Assert.Equal(("40004", "Business Failed", subCode, subMsg), (refused.Code, refused.Field("msg"), refused.SubCode, refused.Field("sub_msg")));
        Assert.Equal(("BAR_5", "0.00", "0.00"), (refused.Field("out_trade_no"), refused.Field("buyer_pay_amount"), refused.Field("receipt_amount")));
        Assert.Equal("WAIT_BUYER_PAY", (await alipay.CallAsync(Query, new { out_trade_no = "BAR_5" })).Field("trade_status"));
        Assert.Empty(receiver.All);

        // The buyer sorts it out and shows a fresh code: the same order pays.
        var paid = await alipay.CallAsync(Pay, Scan("BAR_5", PaidCode), notifyTo);
        Assert.Equal("10000", paid.Code);
        Assert.Equal("TRADE_SUCCESS", (await receiver.NextAsync()).Form["trade_status"]);

        // One the merchant gives up on is cancelled: closed, and never paid.
        Assert.Equal(subCode, (await alipay.CallAsync(Pay, Scan("BAR_6", code))).SubCode);
        Assert.Equal("close", (await alipay.CallAsync("alipay.trade.cancel", new { out_trade_no = "BAR_6" })).Field("action"));
        Assert.Equal("ACQ.TRADE_HAS_CLOSE", (await alipay.CallAsync(Pay, Scan("BAR_6", PaidCode))).SubCode);
    }

    [Fact]
    public async Task A_paid_trade_is_cancelled_only_on_the_day_it_was_paid_and_refunded_after()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        Assert.Equal("10000", (await alipay.CallAsync(Pay, Scan("BAR_7", PaidCode))).Code);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));

        var late = await alipay.CallAsync("alipay.trade.cancel", new { out_trade_no = "BAR_7" });
        Assert.Equal(("40004", "ACQ.TRADE_CANCEL_TIME_OUT"), (late.Code, late.SubCode));
        Assert.Equal("TRADE_SUCCESS", (await alipay.CallAsync(Query, new { out_trade_no = "BAR_7" })).Field("trade_status"));
        Assert.Equal("10000", (await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = "BAR_7", refund_amount = "36.50", out_request_no = "R1" })).Code);

        // An unpaid trade has no such limit: a cancel closes it whenever.
        Assert.Equal("10003", (await alipay.CallAsync(Pay, Scan("BAR_8", PasswordCode))).Code);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal("close", (await alipay.CallAsync("alipay.trade.cancel", new { out_trade_no = "BAR_8" })).Field("action"));
    }

    [Fact]
    public async Task The_v3_route_pays_by_code_and_refuses_in_the_v3_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var (status, body) = await AlipayTradeCreateTests.V3Async(sandbox, "/v3/alipay/trade/pay", $$"""{"out_trade_no":"BAR_V3","total_amount":"9.90","subject":"v3","scene":"bar_code","auth_code":"{{PaidCode}}"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("10000", "BAR_V3", "9.90"), (body["code"]!.GetValue<string>(), body["out_trade_no"]!.GetValue<string>(), body["receipt_amount"]!.GetValue<string>()));
        Assert.NotNull(body["gmt_payment"]);
        Assert.Equal("TRADE_SUCCESS", (await alipay.CallAsync(Query, new { out_trade_no = "BAR_V3" })).Field("trade_status"));

        var (waiting, password) = await AlipayTradeCreateTests.V3Async(sandbox, "/v3/alipay/trade/pay", $$"""{"out_trade_no":"BAR_V3B","total_amount":"9.90","subject":"v3","scene":"bar_code","auth_code":"{{PasswordCode}}"}""");
        Assert.Equal((HttpStatusCode.OK, "10003"), (waiting, password["code"]!.GetValue<string>()));

        var (refused, refusal) = await AlipayTradeCreateTests.V3Async(sandbox, "/v3/alipay/trade/pay", """{"out_trade_no":"BAR_V3C","total_amount":"9.90","subject":"v3","scene":"bar_code","auth_code":"283456789012342222"}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal(("BUYER_BALANCE_NOT_ENOUGH", "买家余额不足"), (refusal["code"]!.GetValue<string>(), refusal["message"]!.GetValue<string>()));
    }
}
