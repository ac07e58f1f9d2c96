using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;
using Harness.Conformance.Steps.Providers;

namespace Harness.Conformance.Steps.NewApi;

/// <summary>
/// Top-up through Epay (new-api.md §5): a user places an order (<c>POST /api/user/pay</c>), and the suite plays the
/// gateway itself: it signs notifies with the profile's <c>newApiEpayKey</c> (§5.8: MD5 of the sorted non-empty
/// parameters without <c>sign</c>/<c>sign_type</c>, then the key) and sends them to <c>/api/user/epay/notify</c> — valid,
/// repeated, as a form, at once, tampered, for another amount, for an unknown order. The gateway is never called.
/// </summary>
[Steps]
public sealed class TopUpSteps(ScenarioContext context)
{
    private const string NotifyPath = "/api/user/epay/notify";
    private const string SubscriptionNotifyPath = "/api/subscription/epay/notify";

    private readonly NewApiWorld _world = context.Get<NewApiWorld>();
    private string[] _notifyAnswers = [];
    private string? _redirect;

    [ParameterType("topup-caller", "the admin|the user")]
    public static string Caller(string text) => text;

    /// <summary>The user's top-up order, or the subscription order it placed (notified at the subscription's own route).</summary>
    [ParameterType("epay-order", "order|subscription order")]
    public static string Kind(string text) => text;

    [Given("the user has placed an Epay order of {long}")]
    [When("the user places an Epay order of {long}")]
    [Needs(Need.NewApiEpay)]
    public Task Place(long amount) => PlaceAs("user", amount);

    [Given("the other user has placed an Epay order of {long}")]
    [Needs(Need.NewApiEpay)]
    public Task PlaceOther(long amount) => PlaceAs("other user", amount);

    [When("Epay notifies {word} for the {epay-order}")]
    [Needs(Need.NewApiEpay)]
    public async Task Notifies(string status, string kind) => _notifyAnswers = [await NotifyAsync(Signed(Parameters(Of(kind), status)), form: false, PathOf(kind))];

    [When("Epay notifies TRADE_SUCCESS for the {epay-order} again")]
    [Needs(Need.NewApiEpay)]
    public Task Again(string kind) => Notifies("TRADE_SUCCESS", kind);

    [When("Epay notifies TRADE_SUCCESS for the order as a form POST")]
    [Needs(Need.NewApiEpay)]
    public async Task AsForm() => _notifyAnswers = [await NotifyAsync(Signed(Parameters(Order("user"), "TRADE_SUCCESS")), form: true)];

    /// <summary>Upstream's subscription notify looks at subscription orders only: a top-up's number gets "fail".</summary>
    [When("Epay notifies TRADE_SUCCESS for the order at the subscription's notify route")]
    [Needs(Need.NewApiEpay)]
    public async Task AtSubscriptionRoute() =>
        _notifyAnswers = [await NotifyAsync(Signed(Parameters(Order("user"), "TRADE_SUCCESS")), form: false, SubscriptionNotifyPath)];

    [When("Epay notifies TRADE_SUCCESS for the {epay-order} {int} times at once")]
    [Needs(Need.NewApiEpay)]
    public async Task AtOnce(string kind, int copies)
    {
        var parameters = Signed(Parameters(Of(kind), "TRADE_SUCCESS"));
        _notifyAnswers = await Task.WhenAll(Enumerable.Range(0, copies).Select(i => NotifyAsync(parameters, form: i % 2 == 1, PathOf(kind))));
    }

    /// <summary>A valid notify whose <c>sign</c> then has its last character changed.</summary>
    [When("Epay notifies TRADE_SUCCESS for the {epay-order} with a tampered sign")]
    [Needs(Need.NewApiEpay)]
    public async Task Tampered(string kind)
    {
        var parameters = Signed(Parameters(Of(kind), "TRADE_SUCCESS"));
        var sign = parameters["sign"];
        parameters["sign"] = sign[..^1] + (sign[^1] == '0' ? '1' : '0');
        _notifyAnswers = [await NotifyAsync(parameters, form: false, PathOf(kind))];
    }

    [When("Epay notifies TRADE_SUCCESS for the order with money {string}, validly signed")]
    [Needs(Need.NewApiEpay)]
    public async Task OtherMoney(string money)
    {
        var parameters = Parameters(Order("user"), "TRADE_SUCCESS");
        Check.That(parameters["money"] != money, $"the order's money is {money} already");
        parameters["money"] = money;
        _notifyAnswers = [await NotifyAsync(Signed(parameters), form: false)];
    }

    [When("Epay notifies TRADE_SUCCESS for an order the target never placed")]
    [Needs(Need.NewApiEpay)]
    public async Task Unknown()
    {
        var tradeNo = $"USR{_world.User("user").Id}NOzz{context.RunId[..4]}{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}";
        _notifyAnswers = [await NotifyAsync(Signed(Parameters(new NewApiTopUpOrder(tradeNo, "7.30", 1, "epay"), "TRADE_SUCCESS")), form: false)];
    }

    /// <summary>The buyer's browser back from the gateway at the subscription's return route, with what the gateway appends (signed, or with the sign altered).</summary>
    [When("the browser returns from Epay for the subscription order with {word}, {word}")]
    [Needs(Need.NewApiEpay)]
    public async Task Returns(string status, string signing)
    {
        var parameters = Signed(Parameters(Of("subscription order"), status));
        if (signing == "tampered")
        {
            parameters["sign"] = new string('0', parameters["sign"].Length);
        }

        var query = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        using var response = await context.Http.GetAsync(new Uri($"{_world.BaseUrl}/api/subscription/epay/return?{query}", UriKind.Absolute), context.CancellationToken);
        Check.Equal(HttpStatusCode.Found, response.StatusCode, "the return's HTTP status (a redirect)");
        _redirect = response.Headers.Location?.ToString() ?? throw new AssertionException("the return's redirect has no Location");
    }

    [Then("the browser is sent to a URL ending in {string}")]
    public void SentTo(string ending) =>
        Check.That(_redirect?.EndsWith(ending, StringComparison.Ordinal) == true, $"the browser was sent to {_redirect}, not to a URL ending in {ending}");

    [Then("the notify is answered {string}")]
    public void Answered(string expected)
    {
        Check.Equal(1, _notifyAnswers.Length, "notifies sent");
        Check.Equal(expected, _notifyAnswers[0], "the notify's answer (plain text)");
    }

    [Then("each notify is answered {string}")]
    public void EachAnswered(string expected)
    {
        Check.That(_notifyAnswers.Length > 0, "no notify was sent");
        Check.That(_notifyAnswers.All(a => a == expected), $"the notifies were answered {string.Join(", ", _notifyAnswers.Select(a => $"\"{a}\""))}");
    }

    [Then("the user's order is {string} in its own list")]
    [Needs(Need.NewApi)]
    public async Task OrderStatus(string status)
    {
        var order = Order("user");
        var item = NewApiWorld.FindOrder(await _world.MustAsync(new NewApiCall(HttpMethod.Get, "/api/user/topup/self?page_size=100&keyword=" + order.TradeNo, null, NewApiWorld.TokenOf(_world.User("user"))), "the user's own orders"), order.TradeNo)
            ?? throw new AssertionException($"GET /api/user/topup/self does not list {order.TradeNo}");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(item, "status")), "the order's status");
        Check.Equal(NewApiWorld.Text(order.Amount), ApiReply.Text(ApiReply.Field(item, "amount")), "the order's amount");
        Check.Equal(_world.User("user").Id, ApiReply.Text(ApiReply.Field(item, "user_id")), "the order's user_id");
    }

    /// <summary>The legacy envelope's refusal whose text ends in the target's own figure (a cap upstream derives from its wallet type).</summary>
    [Then("the payment answer is {string} with data starting {string}")]
    public void PaymentAnswerStarting(string message, string start)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status (body {_world.Last.Body})");
        Check.Equal(message, _world.Last.Message, $"message (body {_world.Last.Body})");
        Check.That(ApiReply.Text(_world.Last.Data).StartsWith(start, StringComparison.Ordinal), $"data starts with \"{start}\" (body {_world.Last.Body})");
    }

    /// <summary>Upstream's legacy payment envelope: <c>{"message": …, "data": …}</c>, HTTP 200, <c>data</c> a string here.</summary>
    [Then("the payment answer is {string} with data {string}")]
    public void PaymentAnswer(string message, string data)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status (body {_world.Last.Body})");
        Check.Equal(message, _world.Last.Message, $"message (body {_world.Last.Body})");
        Check.Equal(data, ApiReply.Text(_world.Last.Data), $"data (body {_world.Last.Body})");
    }

    [When("{topup-caller} completes the user's order")]
    [Needs(Need.NewApiEpay)]
    public Task Complete(string caller) => _world.SendAsync(CompleteCall(caller, Order("user").TradeNo));

    [When("the admin completes an order the target never placed")]
    [Needs(Need.NewApi)]
    public Task CompleteUnknown() => _world.SendAsync(CompleteCall("the admin", $"USR{_world.AdminId}NOzz{context.RunId[..4]}0"));

    [When("the admin completes the user's order twice at the same time")]
    [Needs(Need.NewApiEpay)]
    public async Task CompleteTwice()
    {
        var call = CompleteCall("the admin", Order("user").TradeNo);
        _world.Concurrent = await Task.WhenAll(_world.AsideAsync(call), _world.AsideAsync(call));
    }

    [Then("each completion answers success")]
    public void EachCompleted()
    {
        Check.That(_world.Concurrent.Count > 0, "no completion was sent");
        foreach (var reply in _world.Concurrent)
        {
            Check.Equal(HttpStatusCode.OK, reply.Status, $"HTTP status (body {reply.Body})");
            Check.Equal(true, ApiReply.Field(reply.Json, "success").GetBoolean(), $"success (body {reply.Body})");
            Check.Equal("", reply.Message, $"message (body {reply.Body})");

            // Upstream answers its nil payload as "data": null (new-api.md §5.14).
            Check.That(reply.Json.TryGetProperty("data", out var data) && data.ValueKind == System.Text.Json.JsonValueKind.Null, $"\"data\": null (body {reply.Body})");
        }
    }

    /// <summary>The admin's list, newest first (100 a page): the user's order is among the orders whose trade number holds the keyword.</summary>
    [Then("the admin's list of orders with keyword {string} includes the user's order")]
    [Needs(Need.NewApi)]
    public async Task AdminList(string keyword)
    {
        var order = Order("user");
        var page = await _world.MustAsync(new NewApiCall(HttpMethod.Get, "/api/user/topup?p=1&page_size=100&keyword=" + Uri.EscapeDataString(keyword), null, _world.Admin), "the admin's list of orders");
        Check.That(NewApiWorld.FindOrder(page, order.TradeNo) is not null, $"GET /api/user/topup?keyword={keyword} does not list {order.TradeNo} among its newest 100");
        Check.That(ApiReply.Field(page, "items").EnumerateArray().All(i => ApiReply.Text(ApiReply.Field(i, "trade_no")).Contains(keyword, StringComparison.Ordinal)), $"GET /api/user/topup?keyword={keyword} lists an order without {keyword}");
    }

    [Then("the user's own list shows its order and not the other user's")]
    [Needs(Need.NewApi)]
    public async Task OwnList()
    {
        var user = _world.User("user");
        var page = await _world.MustAsync(new NewApiCall(HttpMethod.Get, "/api/user/topup/self?p=1&page_size=100", null, NewApiWorld.TokenOf(user)), "the user's own orders");
        Check.That(NewApiWorld.FindOrder(page, Order("user").TradeNo) is not null, "the user's own list does not show its order");
        Check.That(NewApiWorld.FindOrder(page, Order("other user").TradeNo) is null, "the user's own list shows the other user's order");
        var strangers = ApiReply.Field(page, "items").EnumerateArray().Where(i => ApiReply.Text(ApiReply.Field(i, "user_id")) != user.Id).ToList();
        Check.That(strangers.Count == 0, $"the user's own list shows orders of other users: {string.Join(", ", strangers.Select(i => ApiReply.Text(ApiReply.Field(i, "trade_no"))))}");
    }

    private async Task PlaceAs(string role, long amount)
    {
        var reply = await _world.SendAsync(new NewApiCall(HttpMethod.Post, "/api/user/pay", NewApiWorld.Body(new { amount, payment_method = "alipay" }), NewApiWorld.TokenOf(_world.User(role))));
        Check.That(reply.Status == HttpStatusCode.OK && reply.Message == "success", $"POST /api/user/pay answered HTTP {(int)reply.Status}: {reply.Body}");
        var tradeNo = ApiReply.Field(reply.Data, "out_trade_no").GetString() ?? throw new AssertionException($"POST /api/user/pay answered no out_trade_no: {reply.Body}");
        var money = ApiReply.Field(reply.Data, "money").GetString() ?? throw new AssertionException($"POST /api/user/pay answered no money: {reply.Body}");
        var form = reply.Data.EnumerateObject().ToDictionary(p => p.Name, p => ApiReply.Text(p.Value), StringComparer.Ordinal);
        var submit = reply.Json.TryGetProperty("url", out var url) ? url.GetString() : null;
        _world.Orders[role] = new NewApiTopUpOrder(tradeNo, money, amount, "epay", submit, form);
    }

    private NewApiTopUpOrder Order(string role) => _world.Order(role);

    private NewApiTopUpOrder Of(string kind) => _world.Order(kind == "order" ? "user" : "subscription");

    private static string PathOf(string kind) => kind == "order" ? NotifyPath : SubscriptionNotifyPath;

    private NewApiCall CompleteCall(string caller, string tradeNo) => new(
        HttpMethod.Post,
        "/api/user/topup/complete",
        NewApiWorld.Body(new { trade_no = tradeNo }),
        caller == "the admin" ? _world.Admin : NewApiWorld.TokenOf(_world.User("user")));

    /// <summary>What an Epay gateway sends for a paid order (providers.md §4): its own trade number, the order's, the method, the money, the status.</summary>
    private Dictionary<string, string> Parameters(NewApiTopUpOrder order, string status)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["trade_no"] = "2026" + Guid.NewGuid().ToString("N")[..16],
            ["out_trade_no"] = order.TradeNo,
            ["type"] = "alipay",
            ["name"] = "TUC" + NewApiWorld.Text(order.Amount),
            ["money"] = order.Money,
            ["trade_status"] = status,
        };
        if (context.Profile.NewApiEpayPid is { Length: > 0 } pid)
        {
            parameters["pid"] = pid;
        }

        return parameters;
    }

    private Dictionary<string, string> Signed(Dictionary<string, string> parameters)
    {
        var key = context.Profile.NewApiEpayKey ?? throw new AssertionException("the profile has no newApiEpayKey");
        parameters.Remove("sign");
        parameters["sign"] = ProviderSignatures.EpayMd5(parameters, key);
        parameters["sign_type"] = "MD5";
        return parameters;
    }

    /// <summary>The notify by GET (the query) or as a form POST; the plain-text answer, trimmed.</summary>
    private async Task<string> NotifyAsync(IReadOnlyDictionary<string, string> parameters, bool form, string path = NotifyPath)
    {
        var uri = _world.BaseUrl + path;
        using var request = form
            ? new HttpRequestMessage(HttpMethod.Post, new Uri(uri, UriKind.Absolute)) { Content = new FormUrlEncodedContent(parameters) }
            : new HttpRequestMessage(HttpMethod.Get, new Uri(uri + "?" + string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")), UriKind.Absolute));
        using var response = await context.Http.SendAsync(request, context.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(context.CancellationToken);
        Check.Equal(HttpStatusCode.OK, response.StatusCode, $"{request.Method} {path}: HTTP status (body {body})");
        return body.Trim();
    }
}
