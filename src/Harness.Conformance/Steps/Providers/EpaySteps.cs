using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>The Epay sandbox as go-epay and a PHP merchant use it: signed orders, the query API with the plain key, and MD5-signed notifies.</summary>
[Steps]
public sealed class EpaySteps(ScenarioContext context)
{
    private const string ReturnUrl = StripeSteps.MerchantSite + "/return";

    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private Dictionary<string, string>? _order;

    /// <summary>The merchant's own pid and key once registered; the published ones until then.</summary>
    private (string Pid, string Key)? _own;

    [Given("the Epay sandbox and merchant pid {string} with the published key")]
    [Needs(Need.Sandbox)]
    public async Task Sandbox(string pid)
    {
        await UseAsync();
        Check.Equal(pid, await _world.CredentialAsync("epay", "pid"), "the published pid");
    }

    /// <summary>Makes Epay the scenario's provider: notifies by GET to the receiver, which acknowledges with "success".</summary>
    public async Task UseAsync()
    {
        _world.NewPayment = () => SubmitAsync("12.50");
        _world.Receiver.Default = (200, "success");
        await _world.ConfigureAsync("epay", new Dictionary<string, string?> { ["notify_method"] = "GET" });
    }

    [Given("the merchant registers a pid and key of its own")]
    public async Task RegisterOwnCredentials()
    {
        var own = (Pid: "8" + RandomNumberGenerator.GetInt32(10_000_000, 100_000_000).ToString(CultureInfo.InvariantCulture),
            Key: Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        await _world.ConfigureAsync("epay", new Dictionary<string, string?> { ["pid"] = own.Pid, ["key"] = own.Key });
        context.Masker.Add(own.Key);
        _own = own;
    }

    [Then("the notify names the merchant's own pid")]
    public async Task NotifyNamesOwnPid() => Check.Equal(await PidAsync(), (await TheNotifyAsync("GET")).Parameters.GetValueOrDefault("pid"), "the notify's pid");

    [When("the merchant's page sends a signed order with device {string} to submit.php by GET")]
    public Task SubmitByGet(string device) => SubmitByGetAsync("12.50", device);

    [When("the merchant's page posts a signed order to submit.php")]
    public async Task SubmitByPost() =>
        _world.LastReply = await _world.SendAsync(HttpMethod.Post, await _world.BaseUrlAsync("epay") + "/submit.php", new FormUrlEncodedContent(await OrderAsync("12.50")));

    [Given("an order of {string} placed through submit.php")]
    public Task OrderPlaced(string money) => SubmitAsync(money);

    [Given("the merchant answers {string}, then {string}, then {string}")]
    public void MerchantAnswers(string first, string second, string third) => _world.Receiver.Script((200, first), (200, second), (200, third));

    [Given("the Epay notify method is {string}")]
    public Task NotifyMethod(string method) => _world.ConfigureAsync("epay", new Dictionary<string, string?> { ["notify_method"] = method });

    [Given("the Epay mapi.php answer form is {string}")]
    public Task MapiAnswer(string form) => _world.ConfigureAsync("epay", new Dictionary<string, string?> { ["mapi_answer"] = form });

    [When("the merchant posts a signed order to mapi.php")]
    public async Task Mapi() => await MapiAsync(await OrderAsync("3.00"));

    /// <summary>Orders that are wrong in one way each; the others are signed correctly after the change.</summary>
    [When("^the merchant posts an order to mapi\\.php with (.+)$")]
    public async Task MapiWith(string problem)
    {
        var order = await OrderAsync("3.00");
        switch (problem)
        {
            case "a wrong sign":
                order["sign"] = new string('0', 32);
                break;
            case "an uppercase sign":
                order["sign"] = order["sign"].ToUpperInvariant(); // the sign is compared exactly, lowercase hex
                break;
            case "an unknown pid":
                order["pid"] = "999";
                await ResignAsync(order);
                break;
            case var money when money.StartsWith("money \"", StringComparison.Ordinal):
                order["money"] = money[7..^1];
                await ResignAsync(order);
                break;
            case "no out_trade_no":
                order.Remove("out_trade_no");
                await ResignAsync(order);
                break;
            case var url when url.StartsWith("notify_url \"", StringComparison.Ordinal) || url.StartsWith("return_url \"", StringComparison.Ordinal):
                order[url[..url.IndexOf(' ', StringComparison.Ordinal)]] = url[(url.IndexOf('"', StringComparison.Ordinal) + 1)..^1];
                await ResignAsync(order);
                break;
            default:
                throw new FormatException($"Unknown order problem \"{problem}\".");
        }

        await MapiAsync(order);
    }

    [When("the sandbox clock advances through the Epay retry schedule")]
    public async Task ThroughRetrySchedule()
    {
        var delays = ApiReply.Field(await _world.DeliveryAsync(), "retry_delays_seconds").EnumerateArray().Select(d => d.GetInt64()).ToList();
        foreach (var delay in delays)
        {
            if (ApiReply.Text(ApiReply.Field(await _world.DeliveryAsync(), "status")) != "pending")
            {
                break;
            }

            await _world.AdvanceAsync(TimeSpan.FromSeconds(delay));
        }
    }

    [When("api.php?act=order is called with a wrong key")]
    public async Task QueryWithWrongKey() =>
        _world.LastReply = await _world.SendAsync(HttpMethod.Get, $"{await _world.BaseUrlAsync("epay")}/api.php?act=order&pid={await PidAsync()}&key=wrong&trade_no=1");

    [When("the merchant refunds {string} of it through api.php?act=refund with the plain key")]
    public async Task Refund(string money) => await RefundAsync(money, await KeyAsync());

    [When("the merchant refunds {string} of it through api.php?act=refund with a wrong key")]
    public Task RefundWithWrongKey(string money) => RefundAsync(money, "wrong");

    [Then("the browser is redirected to the sandbox's hosted pay page")]
    [Then("the browser is redirected to the sandbox's hosted pay page for a new trade_no")]
    public async Task RedirectedToCashier()
    {
        var location = _world.Last.Location ?? throw new AssertionException($"submit.php answered HTTP {(int)_world.Last.Status}, not a redirect: {_world.Last.Body}");
        var prefix = _world.ControlUrl + "/pay/";
        Check.That(location.StartsWith(prefix, StringComparison.Ordinal), $"the redirect {location} is not to the hosted pay page {prefix}…");
        _world.PaymentId = Uri.UnescapeDataString(location[prefix.Length..]);
        var payment = await _world.PaymentAsync(_world.ThePayment);
        Check.Equal("epay", ApiReply.Text(ApiReply.Field(payment, "provider")), "the payment's provider");
        Check.Equal(Order["out_trade_no"], ApiReply.Text(ApiReply.Field(payment, "merchant_reference")), "the payment's merchant reference");
    }

    [Then("the payment is listed with amount {int} fen and the merchant's out_trade_no")]
    public async Task Listed(int fen)
    {
        var listed = (await _world.ControlAsync(HttpMethod.Get, "/control/payments?provider=epay")).EnumerateArray()
            .SingleOrDefault(p => ApiReply.Text(ApiReply.Field(p, "id")) == _world.ThePayment);
        Check.That(listed.ValueKind == System.Text.Json.JsonValueKind.Object, $"GET /control/payments?provider=epay does not list {_world.ThePayment}");
        Check.Equal(fen, ApiReply.Field(listed, "amount").GetInt64(), "amount (fen)");
        Check.Equal(Order["out_trade_no"], ApiReply.Text(ApiReply.Field(listed, "merchant_reference")), "merchant_reference");
    }

    [Then("the notify URL receives a GET whose query has trade_status {string}, money {string} and a valid sign")]
    public async Task NotifyByGet(string tradeStatus, string money)
    {
        var notify = await TheNotifyAsync("GET");
        await NotifyVerifies(notify);
        Check.Equal(tradeStatus, notify.Parameters["trade_status"], "trade_status");
        Check.Equal(money, notify.Parameters["money"], "money");
        Check.Equal(_world.ThePayment, notify.Parameters["trade_no"], "trade_no");
        Check.Equal(Order["out_trade_no"], notify.Parameters["out_trade_no"], "out_trade_no");
    }

    [Then("the buyer is redirected to the return URL with the same signed parameters")]
    public async Task ReturnRedirect()
    {
        var location = _world.PayPage?.Location ?? throw new AssertionException("the pay page did not redirect the buyer");
        Check.That(location.StartsWith(ReturnUrl + "?", StringComparison.Ordinal), $"the redirect {location} is not to the return URL {ReturnUrl}");
        var returned = FormText.QueryOf(location);
        await SignVerifies(returned);
        var notified = (await TheNotifyAsync("GET")).Parameters;
        foreach (var name in notified.Keys.Where(k => k is not ("sign" or "timestamp")))
        {
            Check.Equal(notified[name], returned.GetValueOrDefault(name), $"{name} of the return redirect");
        }
    }

    [Then("the delivery log shows three attempts and only the last one acknowledged")]
    public async Task OnlyLastAcknowledged()
    {
        var attempts = SandboxWorld.Attempts(await _world.DeliveryAsync());
        Check.Equal("false, false, true", string.Join(", ", attempts.Select(a => ApiReply.Text(ApiReply.Field(a, "acknowledged")))), "acknowledged, per attempt");
        Check.Equal("ok, SUCCESS, success", string.Join(", ", attempts.Select(a => ApiReply.Text(ApiReply.Field(a, "response_body")))), "the merchant's answers");
    }

    [Then("the notify URL receives a form POST whose fields carry a valid sign")]
    public async Task NotifyByPost()
    {
        var notify = await TheNotifyAsync("POST");
        Check.That(notify.Header("Content-Type").StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal), $"Content-Type {notify.Header("Content-Type")}");
        await NotifyVerifies(notify);
        Check.Equal(_world.ThePayment, notify.Parameters["trade_no"], "trade_no");
    }

    [Then("the answer has code 1, a trade_no and a payurl to the hosted pay page")]
    public void MapiCreated()
    {
        CodeIs(1);
        _world.PaymentId = ApiReply.Text(ApiReply.Field(_world.Last.Json, "trade_no"));
        Check.Equal(_world.PayPageUrl(_world.ThePayment), ApiReply.Text(ApiReply.Field(_world.Last.Json, "payurl")), "payurl");
    }

    [Then("the answer has code 1, a trade_no and a qrcode the hosted pay page draws, and no payurl")]
    public async Task MapiQrcode()
    {
        CodeIs(1);
        _world.PaymentId = ApiReply.Text(ApiReply.Field(_world.Last.Json, "trade_no"));
        var qrcode = ApiReply.Text(ApiReply.Field(_world.Last.Json, "qrcode"));
        Check.Equal(_world.PayPageUrl(_world.ThePayment), qrcode, "qrcode");
        Check.That(!_world.Last.Json.TryGetProperty("payurl", out _), "the answer has a payurl beside its qrcode");
        var page = await _world.SendAsync(HttpMethod.Get, qrcode);
        Check.That(page.Body.Contains("<svg", StringComparison.Ordinal), "the pay page draws no QR code (no <svg>)");
    }

    [Then("the answer has code 1, a trade_no and a WeChat mini-program urlscheme the hosted pay page shows, and no payurl")]
    public async Task MapiUrlScheme()
    {
        CodeIs(1);
        _world.PaymentId = ApiReply.Text(ApiReply.Field(_world.Last.Json, "trade_no"));
        var urlscheme = ApiReply.Text(ApiReply.Field(_world.Last.Json, "urlscheme"));
        Check.That(urlscheme.StartsWith("weixin://dl/business/?t=", StringComparison.Ordinal), $"the urlscheme {urlscheme} is no WeChat mini-program link");
        Check.That(!_world.Last.Json.TryGetProperty("payurl", out _), "the answer has a payurl beside its urlscheme");
        var page = await _world.SendAsync(HttpMethod.Get, _world.PayPageUrl(_world.ThePayment));
        Check.That(page.Body.Contains(WebUtility.HtmlEncode(urlscheme), StringComparison.Ordinal), "the pay page does not show the urlscheme");
    }

    [Then("api.php?act=order with the plain key reports status {int}")]
    public async Task QueryReports(int status)
    {
        var reply = await QueryAsync();
        Check.Equal(1, ApiReply.Field(reply.Json, "code").GetInt32(), $"code ({reply.Body})");
        Check.Equal(status, ApiReply.Field(reply.Json, "status").GetInt32(), "status");
        Check.Equal(_world.ThePayment, ApiReply.Text(ApiReply.Field(reply.Json, "trade_no")), "trade_no");
    }

    [Then("after the buyer pays, api.php?act=order reports status {int} and the money {string}")]
    public async Task QueryAfterPaying(int status, string money)
    {
        await _world.ClickAsync("pay");
        await QueryReports(status);
        Check.Equal(money, ApiReply.Text(ApiReply.Field(_world.Last.Json, "money")), "money");
    }

    [Then("api.php?act=order reports the refunded money {string}")]
    public async Task QueryReportsRefund(string money)
    {
        var reply = await QueryAsync();
        Check.Equal(money, ApiReply.Text(ApiReply.Field(reply.Json, "refundmoney")), "refundmoney");
    }

    [Then("the answer has code {int} and msg {string}")]
    public void CodeAndMessage(int code, string message)
    {
        CodeIs(code);
        Check.Equal(message, ApiReply.Text(ApiReply.Field(_world.Last.Json, "msg")), "msg");
    }

    /// <summary>Epay answers errors with HTTP 200 and a code; clients read only the code.</summary>
    [Then("the answer has code {int}")]
    public void CodeIs(int code)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(code, ApiReply.Field(_world.Last.Json, "code").GetInt32(), $"code ({_world.Last.Body})");
    }

    /// <summary>A notify or return as go-epay's Verify checks it: the MD5 sign over every non-empty parameter, and sign_type MD5.</summary>
    public async Task NotifyVerifies(ReceivedRequest notify) => await SignVerifies(notify.Parameters);

    private async Task<string> PidAsync() => _own?.Pid ?? await _world.CredentialAsync("epay", "pid");

    private async Task<string> KeyAsync() => _own?.Key ?? await _world.CredentialAsync("epay", "key");

    private Dictionary<string, string> Order => _order ?? throw new AssertionException("the merchant has not placed an order");

    private async Task SignVerifies(Dictionary<string, string> parameters)
    {
        Check.Equal("MD5", parameters.GetValueOrDefault("sign_type"), "sign_type");
        Check.Equal(ProviderSignatures.EpayMd5(parameters, await KeyAsync()), parameters.GetValueOrDefault("sign"), "sign (MD5 of the sorted parameters and the key)");
    }

    private async Task<ReceivedRequest> TheNotifyAsync(string method)
    {
        var notify = await _world.FirstReceivedAsync();
        Check.Equal(method, notify.Method, "the notify's method");
        return notify;
    }

    /// <summary>A go-epay order (device included), signed with the published key; it becomes the scenario's order.</summary>
    private async Task<Dictionary<string, string>> OrderAsync(string money, string device = "pc")
    {
        var order = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pid"] = await PidAsync(),
            ["type"] = "alipay",
            ["out_trade_no"] = "HARNESS" + context.RunId,
            ["notify_url"] = _world.Receiver.Url,
            ["return_url"] = ReturnUrl,
            ["name"] = "Harness credits",
            ["money"] = money,
            ["device"] = device,
            ["sign_type"] = "MD5",
        };
        await ResignAsync(order);
        return _order = order;
    }

    private async Task ResignAsync(Dictionary<string, string> order) =>
        order["sign"] = ProviderSignatures.EpayMd5(order, await KeyAsync());

    /// <summary>Places an order the browser way and makes its trade_no the scenario's payment.</summary>
    private async Task<string> SubmitAsync(string money)
    {
        await SubmitByGetAsync(money);
        await RedirectedToCashier();
        return _world.ThePayment;
    }

    private async Task SubmitByGetAsync(string money, string device = "pc") =>
        _world.LastReply = await _world.SendAsync(HttpMethod.Get, await _world.BaseUrlAsync("epay") + "/submit.php?" + FormText.Encode(await OrderAsync(money, device)));

    private async Task MapiAsync(Dictionary<string, string> order) =>
        _world.LastReply = await _world.SendAsync(HttpMethod.Post, await _world.BaseUrlAsync("epay") + "/mapi.php", new FormUrlEncodedContent(order));

    private async Task<WireReply> QueryAsync() =>
        _world.LastReply = await _world.SendAsync(
            HttpMethod.Get,
            $"{await _world.BaseUrlAsync("epay")}/api.php?act=order&pid={await PidAsync()}&key={Uri.EscapeDataString(await KeyAsync())}&trade_no={_world.ThePayment}");

    private async Task RefundAsync(string money, string key) =>
        _world.LastReply = await _world.SendAsync(HttpMethod.Post, await _world.BaseUrlAsync("epay") + "/api.php?act=refund", new FormUrlEncodedContent(
        [
            new("pid", await PidAsync()),
            new("key", key),
            new("trade_no", _world.ThePayment),
            new("money", money),
        ]));
}
