using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Alipay.AlipayTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// <c>alipay.trade.create</c> (JSAPI / mini-program payments): the merchant names the buyer, the trade exists at once, and
/// the buyer pays it in the mini program (the hosted pay page); on the gateway and at <c>POST /v3/alipay/trade/create</c>.
/// </summary>
public sealed class AlipayTradeCreateTests
{
    private const string Create = "alipay.trade.create";
    private const string Query = "alipay.trade.query";
    private const string BuyerId = "2088102177003412";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static object Jsapi(string outTradeNo, string amount = "25.00", object? buyer = null) =>
        Order(outTradeNo, amount, buyer ?? new { product_code = "JSAPI_PAY", buyer_id = BuyerId, op_app_id = "2021000000000002" });

    /// <summary>A v3 call signed as alipay-sdk's curl() signs it (a POST with <paramref name="body"/>, or a GET when it is null); the status and the JSON answer.</summary>
    internal static async Task<(HttpStatusCode Status, JsonObject Body)> V3Async(TestSandbox sandbox, string path, string? body)
    {
        var credentials = (JsonObject)(await sandbox.GetJsonAsync("/control/providers/alipay"))["credentials"]!;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, sandbox.BaseUrl("alipay") + path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        request.Headers.TryAddWithoutValidation("authorization", ProviderSignatures.AlipayV3Authorization(credentials["app_id"]!.GetValue<string>(), credentials["app_private_key"]!.GetValue<string>(), request.Method.Method, path, body ?? ""));
        using var response = await http.SendAsync(request, Ct);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!);
    }

    [Fact]
    public async Task A_created_trade_exists_at_once_with_its_buyer_and_the_mini_program_payment_notifies()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var created = await alipay.CallAsync(Create, Jsapi("JSAPI_1"), new Dictionary<string, string> { ["notify_url"] = receiver.Url });

        Assert.True(created.SignatureValid, created.Body);
        Assert.Equal(("10000", "JSAPI_1"), (created.Code, created.Field("out_trade_no")));
        var tradeNo = created.Field("trade_no");
        Assert.Matches("^[0-9]{28}$", tradeNo);
        var waiting = await alipay.CallAsync(Query, new { out_trade_no = "JSAPI_1" });
        Assert.Equal(("WAIT_BUYER_PAY", tradeNo, BuyerId), (waiting.Field("trade_status"), waiting.Field("trade_no"), waiting.Field("buyer_user_id")));

        // The same order again is the same trade; another amount or another buyer is refused.
        Assert.Equal(tradeNo, (await alipay.CallAsync(Create, Jsapi("JSAPI_1"))).Field("trade_no"));
        Assert.Equal("ACQ.CONTEXT_INCONSISTENT", (await alipay.CallAsync(Create, Jsapi("JSAPI_1", "26.00"))).SubCode);
        Assert.Equal("ACQ.TRADE_BUYER_NOT_MATCH", (await alipay.CallAsync(Create, Jsapi("JSAPI_1", buyer: new { buyer_id = "2088102177009999" }))).SubCode);

        // my.tradePay({ tradeNO }): the buyer pays in the mini program.
        Assert.Null(await sandbox.ActAsync(tradeNo, "pay"));
        var notify = await receiver.NextAsync();
        Assert.True(alipay.Verifies(notify.Form));
        Assert.Equal(("TRADE_SUCCESS", tradeNo, BuyerId, "25.00"), (notify.Form["trade_status"], notify.Form["trade_no"], notify.Form["buyer_id"], notify.Form["total_amount"]));
        Assert.Equal("ACQ.TRADE_HAS_SUCCESS", (await alipay.CallAsync(Create, Jsapi("JSAPI_1"))).SubCode);

        // Refunds and cancels work on it as on any trade.
        Assert.Equal("10000", (await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = "JSAPI_1", refund_amount = "5.00", out_request_no = "R1" })).Code);
        Assert.Equal("refund", (await alipay.CallAsync("alipay.trade.cancel", new { trade_no = tradeNo })).Field("action"));
    }

    [Fact]
    public async Task A_buyer_named_by_open_id_is_shown_by_query_and_notify_and_an_unpaid_trade_closes()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        const string openId = "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5";

        var created = await alipay.CallAsync(Create, Jsapi("JSAPI_2", "3.00", new { product_code = "FACE_TO_FACE_PAYMENT", buyer_open_id = openId }), new Dictionary<string, string> { ["notify_url"] = receiver.Url });

        Assert.Equal("10000", created.Code);
        Assert.Equal(openId, (await alipay.CallAsync(Query, new { trade_no = created.Field("trade_no") })).Field("buyer_open_id"));
        Assert.Equal("10000", (await alipay.CallAsync("alipay.trade.close", new { out_trade_no = "JSAPI_2" })).Code);
        var closed = await receiver.NextAsync();
        Assert.Equal(("TRADE_CLOSED", openId), (closed.Form["trade_status"], closed.Form["buyer_open_id"]));
        Assert.Equal("ACQ.TRADE_HAS_CLOSE", (await alipay.CallAsync(Create, Jsapi("JSAPI_2", "3.00", new { buyer_open_id = openId }))).SubCode);
    }

    [Theory]
    [InlineData("""{"out_trade_no":"JSAPI_R","total_amount":"1.00","subject":"s","product_code":"JSAPI_PAY"}""", "ACQ.INVALID_PARAMETER")]
    [InlineData("""{"out_trade_no":"JSAPI_R","total_amount":"1.00","subject":"s","buyer_id":"1088102177003412"}""", "ACQ.INVALID_PARAMETER")]
    [InlineData("""{"out_trade_no":"JSAPI_R","total_amount":"1.00","subject":"s","buyer_open_id":""}""", "ACQ.INVALID_PARAMETER")]
    [InlineData("""{"out_trade_no":"JSAPI_R","total_amount":"1.00","subject":"s","buyer_id":"2088102177003412","op_app_id":"app-1"}""", "ACQ.INVALID_PARAMETER")]
    [InlineData("""{"out_trade_no":"JSAPI_R","total_amount":"1.001","subject":"s","buyer_id":"2088102177003412"}""", "ACQ.INVALID_PARAMETER")]
    [InlineData("""{"out_trade_no":"JSAPI_R","total_amount":"1.00","subject":"s","buyer_id":"2088102177003412","product_code":"QUICK_MSECURITY_PAY"}""", "ACQ.PRODUCT_CODE_ERROR")]
    public async Task A_create_without_a_proper_buyer_or_order_is_refused_and_makes_no_trade(string bizContent, string subCode)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var refused = await alipay.CallAsync(Create, bizContent);

        Assert.True(refused.SignatureValid, refused.Body);
        Assert.Equal(("40004", subCode), (refused.Code, refused.SubCode));
        Assert.Equal("ACQ.TRADE_NOT_EXIST", (await alipay.CallAsync(Query, new { out_trade_no = "JSAPI_R" })).SubCode);
    }

    [Fact]
    public async Task The_v3_route_creates_the_same_trade_and_refuses_in_the_v3_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var order = $$"""{"out_trade_no":"JSAPI_V3","total_amount":"8.80","subject":"v3","product_code":"JSAPI_PAY","buyer_id":"{{BuyerId}}"}""";

        var (status, body) = await V3Async(sandbox, "/v3/alipay/trade/create", order);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("JSAPI_V3", body["out_trade_no"]!.GetValue<string>());
        Assert.Null(body["code"]);
        var query = await alipay.CallAsync(Query, new { out_trade_no = "JSAPI_V3" });
        Assert.Equal((body["trade_no"]!.GetValue<string>(), "WAIT_BUYER_PAY"), (query.Field("trade_no"), query.Field("trade_status")));
        Assert.Equal(body["trade_no"]!.GetValue<string>(), (await V3Async(sandbox, "/v3/alipay/trade/create", order)).Body["trade_no"]!.GetValue<string>());

        var (refused, refusal) = await V3Async(sandbox, "/v3/alipay/trade/create", """{"out_trade_no":"JSAPI_V3B","total_amount":"8.80","subject":"v3"}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("INVALID_PARAMETER", refusal["code"]!.GetValue<string>());
    }
}
