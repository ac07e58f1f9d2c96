using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// WeChat Pay's JSAPI, APP and H5 orders and the buyer's client step each needs: the pay parameters a mini-program hands
/// <c>wx.requestPayment</c>, checked at the sandbox's <c>POST /sandbox/request-payment</c>, and the H5 cashier behind an
/// <c>h5_url</c>. The merchant's client and signed calls are <see cref="WeChatPaySteps"/>'.
/// </summary>
[Steps]
public sealed partial class WeChatPayClientSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private readonly WeChatPaySteps _merchant = context.Get<WeChatPaySteps>();
    private string? _prepayId;
    private string? _h5Url;

    private WeChatPayWire Wire => _merchant.Wire;

    [When("the merchant places a JSAPI order of {int} fen as {string} for the openid {string}")]
    public async Task PlaceJsapi(int fen, string outTradeNo, string openId)
    {
        var order = _merchant.Order(outTradeNo, fen, attach: null);
        order["payer"] = new JsonObject { ["openid"] = openId };
        await PlaceAsync("jsapi", order);
    }

    [Given("a JSAPI order of {int} fen placed as {string}")]
    public async Task PlacedJsapi(int fen, string outTradeNo)
    {
        await PlaceJsapi(fen, outTradeNo, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"placing {outTradeNo} ({_world.Last.Body})");
    }

    [When("the merchant places an APP order of {int} fen as {string}")]
    public Task PlaceApp(int fen, string outTradeNo) => PlaceAsync("app", _merchant.Order(outTradeNo, fen, attach: null));

    [When("the merchant places an H5 order of {int} fen as {string} from {string}")]
    public async Task PlaceH5(int fen, string outTradeNo, string clientIp)
    {
        var order = _merchant.Order(outTradeNo, fen, attach: null);
        order["scene_info"] = new JsonObject { ["payer_client_ip"] = clientIp, ["h5_info"] = new JsonObject { ["type"] = "Wap" } };
        await PlaceAsync("h5", order);
    }

    [When("^the merchant places an? (JSAPI|H5) order without (\\S+)$")]
    public Task PlaceWithout(string type, string field)
    {
        var order = _merchant.Order("wx_conf_without", 100, attach: null);
        order["payer"] = new JsonObject { ["openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" };
        order["scene_info"] = new JsonObject { ["payer_client_ip"] = "203.0.113.7", ["h5_info"] = new JsonObject { ["type"] = "Wap" } };
        var path = field.Split('.');
        var parent = path[..^1].Aggregate((JsonObject)order, (node, step) => (JsonObject)node[step]!);
        parent.Remove(path[^1]);
        return PlaceAsync(type.ToLowerInvariant(), order);
    }

    [Then("the answer is 200 with a prepay_id of the form \"wx\", 14 digits of China time and 20 hex characters")]
    public void PrepayIdAnswer()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        var prepayId = ApiReply.Text(ApiReply.Field(_world.Last.Json, "prepay_id"));
        Check.That(PrepayId().IsMatch(prepayId), $"prepay_id {prepayId} is not wx, 14 digits and 20 hex characters");
        Check.That(prepayId.Length < 16 || DateTime.TryParseExact(prepayId[2..16], "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            $"the prepay_id's digits {prepayId[2..16]} are no date and time");
    }

    [Then("the answer is 200 with an h5_url to the sandbox's H5 cashier carrying the prepay_id and a package")]
    public void H5UrlAnswer()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        var h5Url = ApiReply.Text(ApiReply.Field(_world.Last.Json, "h5_url"));
        Check.That(H5Url().IsMatch(h5Url), $"h5_url {h5Url} is not …/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx…&package=<10 digits>");
    }

    [When("the buyer's WeChat is handed wx.requestPayment's parameters signed with the merchant key")]
    public Task RequestPayment() => RequestPaymentAsync(Wire.JsapiPayParameters(ThePrepayId));

    [When("the buyer's WeChat is handed wx.requestPayment's parameters with the timeStamp changed after signing")]
    public Task RequestPaymentTampered()
    {
        var parameters = Wire.JsapiPayParameters(ThePrepayId);
        var signed = long.Parse(parameters["timeStamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        parameters["timeStamp"] = (signed - 1).ToString(CultureInfo.InvariantCulture);
        return RequestPaymentAsync(parameters);
    }

    [When("the buyer's WeChat is handed wx.requestPayment's parameters signed for the appid {string}")]
    public Task RequestPaymentOtherApp(string appid) => RequestPaymentAsync(Wire.JsapiPayParameters(ThePrepayId, appid: appid));

    [Then("the pay sheet opens at the order's hosted pay page")]
    public void PaySheetOpens()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(_world.PayPageUrl(_world.ThePayment), ApiReply.Text(ApiReply.Field(_world.Last.Json, "pay_url")), "pay_url");
    }

    [Then("the answer is {int} with code {string} and errMsg {string}")]
    public void ClientRefusal(int status, string code, string errMsg)
    {
        Check.Equal((HttpStatusCode)status, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(code, ApiReply.Text(ApiReply.Field(_world.Last.Json, "code")), "code");
        Check.Equal(errMsg, ApiReply.Text(ApiReply.Field(_world.Last.Json, "errMsg")), "errMsg");
    }

    [When("the buyer opens the h5_url with redirect_url {string}")]
    public async Task OpenH5Url(string redirectUrl)
    {
        var h5Url = _h5Url ?? throw new AssertionException("no H5 order has been placed");
        _world.LastReply = _merchant.SignedAnswer(await _world.SendAsync(HttpMethod.Get, h5Url + "&redirect_url=" + Uri.EscapeDataString(redirectUrl)));
    }

    [Then("the cashier sends the buyer to the order's hosted pay page")]
    public void CashierRedirects()
    {
        Check.Equal(HttpStatusCode.Redirect, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(_world.PayPageUrl(_world.ThePayment), _world.Last.Location, "the cashier's redirect");
    }

    [Then("the notify URL receives a {string} POST whose resource decrypts to trade_type {string}")]
    public async Task NotifiedTradeType(string eventType, string tradeType) => await ResourceAsync(eventType, tradeType);

    [Then("the notify URL receives a {string} POST whose resource decrypts to trade_type {string} and payer.openid {string}")]
    public async Task NotifiedPayer(string eventType, string tradeType, string openId) =>
        Check.Equal(openId, (string?)(await ResourceAsync(eventType, tradeType))["payer"]?["openid"], "payer.openid");

    [Then("querying {string} by out_trade_no shows trade_type {string}")]
    public async Task QueriedTradeType(string outTradeNo, string tradeType)
    {
        var reply = await _merchant.CallAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{outTradeNo}?mchid={Wire.Mchid}");
        Check.Equal(HttpStatusCode.OK, reply.Status, $"querying {outTradeNo} ({reply.Body})");
        Check.Equal(tradeType, ApiReply.Text(ApiReply.Field(reply.Json, "trade_type")), "trade_type");
    }

    private string ThePrepayId => _prepayId ?? throw new AssertionException("no JSAPI or APP order has been placed");

    /// <summary>Places an order; when it is accepted, it becomes the scenario's payment.</summary>
    private async Task PlaceAsync(string path, JsonObject order)
    {
        _world.LastReply = await _merchant.CallAsync(HttpMethod.Post, "/v3/pay/transactions/" + path, order);
        if (_world.Last.Status == HttpStatusCode.OK)
        {
            _prepayId = path is "jsapi" or "app" ? ApiReply.Text(ApiReply.Field(_world.Last.Json, "prepay_id")) : _prepayId;
            _h5Url = path == "h5" ? ApiReply.Text(ApiReply.Field(_world.Last.Json, "h5_url")) : _h5Url;
            _world.PaymentId = await _merchant.PaymentOfAsync((string)order["out_trade_no"]!);
        }
    }

    /// <summary>What the client does with the parameters: no merchant Authorization, but the answer is signed as every answer is.</summary>
    private async Task RequestPaymentAsync(JsonObject parameters) =>
        _world.LastReply = _merchant.SignedAnswer(await _world.SendAsync(
            HttpMethod.Post, Wire.BaseUrl + "/sandbox/request-payment", new StringContent(parameters.ToJsonString(), Encoding.UTF8, "application/json")));

    private async Task<JsonObject> ResourceAsync(string eventType, string tradeType)
    {
        var notice = await _world.EventAsync(eventType);
        Check.That(Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature"), notice.Header("Wechatpay-Serial")),
            "the notification does not verify with the key its Wechatpay-Serial names");
        var transaction = Wire.Resource(notice.Body);
        Check.Equal(tradeType, (string?)transaction["trade_type"], "trade_type");
        return transaction;
    }

    [GeneratedRegex("^wx[0-9]{14}[0-9a-f]{20}$")]
    private static partial Regex PrepayId();

    [GeneratedRegex("^https?://[^/]+/cgi-bin/mmpayweb-bin/checkmweb\\?prepay_id=wx[0-9]{14}[0-9a-f]{20}&package=[0-9]{10}$")]
    private static partial Regex H5Url();
}
