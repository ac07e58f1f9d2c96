using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Alipay;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Alipay.AlipayTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// <c>alipay.trade.app.pay</c> through <c>POST /sandbox/app-pay</c> (the Alipay app given the merchant's signed order
/// string) and <c>alipay.trade.cancel</c> on the gateway and the v3 route: close when unpaid, refund when paid.
/// </summary>
public sealed class AlipayAppPayTests
{
    private const string Query = "alipay.trade.query";
    private const string Cancel = "alipay.trade.cancel";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>The order string as alipay-sdk's sdkExecute builds it: every signed parameter, URL-encoded.</summary>
    private static string OrderString(IReadOnlyDictionary<string, string> parameters) =>
        string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    private static async Task<(HttpStatusCode Status, JsonObject Body)> AppPayAsync(TestSandbox sandbox, string orderString)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(sandbox.BaseUrl("alipay") + AlipayProvider.AppPayPath, new StringContent(orderString, Encoding.UTF8, "text/plain"), Ct);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!);
    }

    [Fact]
    public async Task The_Alipay_app_takes_a_signed_order_string_shows_the_trade_and_the_payment_notifies()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var order = alipay.SignedParams(AlipayProvider.AppPay, Order("APP_1", "25.00", new { product_code = "QUICK_MSECURITY_PAY" }), new Dictionary<string, string> { ["notify_url"] = receiver.Url });

        var (status, shown) = await AppPayAsync(sandbox, OrderString(order));

        Assert.Equal(HttpStatusCode.OK, status);
        var tradeNo = shown["trade_no"]!.GetValue<string>();
        Assert.Equal(("APP_1", "25.00", sandbox.Server.ControlBaseUrl + "/pay/" + tradeNo),
            (shown["out_trade_no"]!.GetValue<string>(), shown["total_amount"]!.GetValue<string>(), shown["pay_url"]!.GetValue<string>()));

        // The app showed it to the buyer, so it exists at once; the same order string again shows the same trade.
        var waiting = await alipay.CallAsync(Query, new { out_trade_no = "APP_1" });
        Assert.Equal(("10000", "WAIT_BUYER_PAY", tradeNo), (waiting.Code, waiting.Field("trade_status"), waiting.Field("trade_no")));
        Assert.Equal(tradeNo, (await AppPayAsync(sandbox, OrderString(order))).Body["trade_no"]!.GetValue<string>());

        Assert.Null(await sandbox.ActAsync(tradeNo, "pay"));
        var notify = await receiver.NextAsync();
        Assert.True(alipay.Verifies(notify.Form));
        Assert.Equal(("TRADE_SUCCESS", "APP_1", "25.00"), (notify.Form["trade_status"], notify.Form["out_trade_no"], notify.Form["total_amount"]));
        Assert.Equal("TRADE_SUCCESS", (await alipay.CallAsync(Query, new { trade_no = tradeNo })).Field("trade_status"));
    }

    [Fact]
    public async Task The_app_sdk_result_is_6001_until_the_buyer_pays_then_9000_with_a_signed_app_pay_response()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var order = alipay.SignedParams(AlipayProvider.AppPay, Order("APP_R", "12.30", new { product_code = "QUICK_MSECURITY_PAY" }));
        var tradeNo = (await AppPayAsync(sandbox, OrderString(order))).Body["trade_no"]!.GetValue<string>();

        var left = await AppPayResultAsync(sandbox, tradeNo);
        Assert.Equal((HttpStatusCode.OK, "6001", ""), (left.Status, left.Body["resultStatus"]!.GetValue<string>(), left.Body["result"]!.GetValue<string>()));

        Assert.Null(await sandbox.ActAsync(tradeNo, "pay"));
        var (status, paid) = await AppPayResultAsync(sandbox, tradeNo);

        Assert.Equal((HttpStatusCode.OK, "9000"), (status, paid["resultStatus"]!.GetValue<string>()));
        var result = paid["result"]!.GetValue<string>();
        const string Key = "alipay_trade_app_pay_response";
        var envelope = (JsonObject)JsonNode.Parse(result)!;
        Assert.Equal("RSA2", envelope["sign_type"]!.GetValue<string>());
        Assert.True(ProviderSignatures.AlipayVerify(alipay.AlipayPublicKey, ProviderSignatures.AlipayResponseContent(result, Key)!, envelope["sign"]!.GetValue<string>(), "RSA2"), result);
        var response = envelope[Key]!;
        Assert.Equal(("10000", "APP_R", "12.30", tradeNo, alipay.AppId),
            (response["code"]!.GetValue<string>(), response["out_trade_no"]!.GetValue<string>(), response["total_amount"]!.GetValue<string>(), response["trade_no"]!.GetValue<string>(), response["app_id"]!.GetValue<string>()));
        var query = await alipay.CallAsync(Query, new { trade_no = tradeNo });
        Assert.Equal((query.Field("send_pay_date"), AlipayProvider.SellerId), (response["timestamp"]!.GetValue<string>(), response["seller_id"]!.GetValue<string>()));

        // Only a trade the app showed has an app result.
        var precreated = await PrecreateAsync(alipay, "APP_QR", "http://127.0.0.1:1/notify");
        foreach (var other in new[] { precreated, "2099010122001400000000000000" })
        {
            var (refusedStatus, refused) = await AppPayResultAsync(sandbox, other);
            Assert.Equal((HttpStatusCode.BadRequest, "4000", "ACQ.TRADE_NOT_EXIST"), (refusedStatus, refused["resultStatus"]!.GetValue<string>(), refused["sub_code"]!.GetValue<string>()));
        }

        Assert.Equal("ACQ.INVALID_PARAMETER", (await AppPayResultAsync(sandbox, "")).Body["sub_code"]!.GetValue<string>());
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> AppPayResultAsync(TestSandbox sandbox, string tradeNo)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(sandbox.BaseUrl("alipay") + AlipayProvider.AppPayResultPath + "?trade_no=" + Uri.EscapeDataString(tradeNo), Ct);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!);
    }

    [Fact]
    public async Task An_order_string_that_does_not_check_is_refused_as_the_app_sdk_reports_it_and_the_gateway_refuses_app_pay()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var order = alipay.SignedParams(AlipayProvider.AppPay, Order("APP_2", "25.00"));

        var tampered = new Dictionary<string, string>(order) { ["biz_content"] = order["biz_content"].Replace("25.00", "0.01", StringComparison.Ordinal) };
        var (status, refusal) = await AppPayAsync(sandbox, OrderString(tampered));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(("4000", "40002", "isv.invalid-signature"),
            (refusal["resultStatus"]!.GetValue<string>(), refusal["code"]!.GetValue<string>(), refusal["sub_code"]!.GetValue<string>()));

        var precreate = alipay.SignedParams("alipay.trade.precreate", Order("APP_3"));
        Assert.Equal("isv.invalid-method", (await AppPayAsync(sandbox, OrderString(precreate))).Body["sub_code"]!.GetValue<string>());
        var noSubject = alipay.SignedParams(AlipayProvider.AppPay, new { out_trade_no = "APP_4", total_amount = "1.00" });
        Assert.Equal("ACQ.INVALID_PARAMETER", (await AppPayAsync(sandbox, OrderString(noSubject))).Body["sub_code"]!.GetValue<string>());
        var wrongProduct = alipay.SignedParams(AlipayProvider.AppPay, Order("APP_5", "1.00", new { product_code = "FACE_TO_FACE_PAYMENT" }));
        Assert.Equal("ACQ.PRODUCT_CODE_ERROR", (await AppPayAsync(sandbox, OrderString(wrongProduct))).Body["sub_code"]!.GetValue<string>());

        var atGateway = await alipay.PostAsync(order);
        Assert.Equal(("40002", "isv.invalid-method"), (atGateway.Code, atGateway.SubCode));
        Assert.Contains("App", atGateway.Response["sub_msg"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ACQ.TRADE_NOT_EXIST", (await alipay.CallAsync(Query, new { out_trade_no = "APP_2" })).SubCode);
    }

    [Fact]
    public async Task Cancel_closes_an_unpaid_trade_and_a_code_nobody_scanned_so_neither_can_be_paid()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var scanned = await PrecreateAsync(alipay, "CANCEL_1", receiver.Url);
        await ScanAsync(sandbox, scanned);
        var closed = await alipay.CallAsync(Cancel, new { out_trade_no = "CANCEL_1" });
        Assert.True(closed.SignatureValid, closed.Body);
        Assert.Equal(("10000", scanned, "N", "close"), (closed.Code, closed.Field("trade_no"), closed.Field("retry_flag"), closed.Field("action")));
        var closedNotify = await receiver.NextAsync();
        Assert.Equal(("TRADE_CLOSED", "CANCEL_1"), (closedNotify.Form["trade_status"], closedNotify.Form["out_trade_no"]));
        Assert.Equal("TRADE_CLOSED", (await alipay.CallAsync(Query, new { trade_no = scanned })).Field("trade_status"));
        Assert.Equal("close", (await alipay.CallAsync(Cancel, new { trade_no = scanned })).Field("action"));

        // A code nobody scanned: closed before it existed, so no notify, and the cashier no longer takes payment.
        var unscanned = await PrecreateAsync(alipay, "CANCEL_2", receiver.Url);
        Assert.Equal("close", (await alipay.CallAsync(Cancel, new { out_trade_no = "CANCEL_2" })).Field("action"));
        var pay = await sandbox.PostJsonAsync($"/control/payments/{unscanned}/pay");
        Assert.Equal("canceled", pay["payment"]!["status"]!.GetValue<string>());

        Assert.Equal("TRADE_CLOSED", (await alipay.CallAsync(Query, new { out_trade_no = "CANCEL_2" })).Field("trade_status"));
        await sandbox.RunDueAsync();
        Assert.Single(receiver.All);

        Assert.Equal("ACQ.TRADE_NOT_EXIST", (await alipay.CallAsync(Cancel, new { out_trade_no = "NO_SUCH_TRADE" })).SubCode);
        Assert.Equal("ACQ.INVALID_PARAMETER", (await alipay.CallAsync(Cancel, new { })).SubCode);
    }

    [Fact]
    public async Task Cancel_refunds_a_paid_trade_in_full_of_what_remains_on_the_gateway_and_the_v3_route()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var tradeNo = await PrecreateAsync(alipay, "CANCEL_3", receiver.Url, "10.00");
        await ScanAsync(sandbox, tradeNo);
        await sandbox.ActAsync(tradeNo, "pay");
        await receiver.NextAsync();
        Assert.Equal("10000", (await alipay.CallAsync("alipay.trade.refund", new { trade_no = tradeNo, refund_amount = "4.00", out_request_no = "R1" })).Code);
        await receiver.NextAsync();

        var refunded = await alipay.CallAsync(Cancel, new { trade_no = tradeNo });

        Assert.Equal(("10000", "N", "refund"), (refunded.Code, refunded.Field("retry_flag"), refunded.Field("action")));
        var notify = await receiver.NextAsync();
        Assert.True(alipay.Verifies(notify.Form));
        Assert.Equal(("TRADE_CLOSED", "10.00"), (notify.Form["trade_status"], notify.Form["refund_fee"]));
        var query = await alipay.CallAsync(Query, new { trade_no = tradeNo });
        Assert.Equal("TRADE_CLOSED", query.Field("trade_status"));
        Assert.Equal("ACQ.TRADE_STATUS_ERROR", (await alipay.CallAsync("alipay.trade.refund", new { trade_no = tradeNo, refund_amount = "0.01", out_request_no = "R2" })).SubCode);

        // The v3 route answers the same, again.
        var credentials = (JsonObject)(await sandbox.GetJsonAsync("/control/providers/alipay"))["credentials"]!;
        using var http = new HttpClient();
        var body = """{"out_trade_no":"CANCEL_3"}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, sandbox.BaseUrl("alipay") + "/v3/alipay/trade/cancel") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("authorization", ProviderSignatures.AlipayV3Authorization(credentials["app_id"]!.GetValue<string>(), credentials["app_private_key"]!.GetValue<string>(), "POST", "/v3/alipay/trade/cancel", body));
        using var v3 = await http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, v3.StatusCode);
        var answer = (await v3.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.Equal(("refund", "N"), (answer["action"]!.GetValue<string>(), answer["retry_flag"]!.GetValue<string>()));
    }
}
