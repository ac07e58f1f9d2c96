using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;
using Harness.Conformance.Steps.Providers;

namespace Harness.Conformance.Steps.NewApi;

/// <summary>
/// Top-up through Stripe and Creem (new-api.md §5.10–5.13), the suite playing the provider: a user places an order at
/// the target (which opens a checkout at its Stripe or Creem), and the suite sends the target's webhook what the provider
/// would, signed with the profile's secret — Stripe's <c>Stripe-Signature</c> (<c>t=…,v1=</c>HMAC-SHA256 of
/// <c>"t.body"</c>, 300 s tolerance), Creem's <c>creem-signature</c> (hex HMAC-SHA256 of the body) — and also repeated,
/// concurrent, reordered, tampered, stale and unsigned ones.
/// </summary>
[Steps]
public sealed class CardTopUpSteps(ScenarioContext context)
{
    private readonly NewApiWorld _world = context.Get<NewApiWorld>();
    private string? _lastEvent;
    private string? _lastProvider;
    private HttpStatusCode[] _answers = [];
    private long _productQuota;

    [Given("the user has placed a Stripe order of {long}")]
    [Needs(Need.NewApiStripe)]
    public async Task PlaceStripe(long amount)
    {
        var reply = await SendAsUser("/api/user/stripe/pay", new { amount, payment_method = "stripe" });
        var link = ApiReply.Text(ApiReply.Field(reply.Data, "pay_link"));
        var placed = await NewestPendingAsync("stripe");
        _world.Orders["user"] = new NewApiTopUpOrder(ApiReply.Text(ApiReply.Field(placed, "trade_no")), ApiReply.Text(ApiReply.Field(placed, "money")), amount, "stripe", link);
    }

    /// <summary>The first product of the target's <c>creem_products</c> (GET /api/user/topup/info), bought by the user.</summary>
    [Given("the user has placed a Creem order")]
    [Needs(Need.NewApiCreem)]
    public async Task PlaceCreem()
    {
        var info = await _world.MustAsync(new NewApiCall(HttpMethod.Get, "/api/user/topup/info", null, NewApiWorld.TokenOf(_world.User("user"))), "reading the top-up info");
        var products = JsonNode.Parse(ApiReply.Text(ApiReply.Field(info, "creem_products"))) as JsonArray;
        var product = products?.FirstOrDefault() as JsonObject
            ?? throw new AssertionException("the target's creem_products (GET /api/user/topup/info) lists no product: configure one to run the Creem scenarios");
        var productId = product["productId"]?.GetValue<string>() ?? throw new AssertionException($"a Creem product without productId: {product.ToJsonString()}");
        _productQuota = product["quota"]?.GetValue<long>() ?? throw new AssertionException($"a Creem product without quota: {product.ToJsonString()}");
        var reply = await SendAsUser("/api/user/creem/pay", new { product_id = productId, payment_method = "creem" });
        var tradeNo = ApiReply.Text(ApiReply.Field(reply.Data, "order_id"));
        var price = product["price"]?.GetValue<decimal>() ?? 0;
        _world.Orders["user"] = new NewApiTopUpOrder(tradeNo, price.ToString("0.00", CultureInfo.InvariantCulture), _productQuota, "creem", ApiReply.Text(ApiReply.Field(reply.Data, "checkout_url")));
    }

    [Then("the user's quota has gone up by the product's quota")]
    [Needs(Need.NewApi)]
    public async Task UpByProductQuota()
    {
        var user = _world.User("user");
        Check.Equal(user.StartingQuota + _productQuota, await _world.QuotaOfAsync(user), $"the user's quota (it had {user.StartingQuota}; the product is {_productQuota})");
    }

    [When("Stripe sends {string} for the order")]
    [Needs(Need.NewApiStripe)]
    public Task StripeSends(string type) => StripeSendsWith(type, type == "checkout.session.expired" ? "unpaid" : "paid");

    [When("Stripe sends {string} for the order with payment_status {string}")]
    [Needs(Need.NewApiStripe)]
    public async Task StripeSendsWith(string type, string paymentStatus)
    {
        _lastEvent = StripeEvent(type, _world.Order("user"), paymentStatus);
        _answers = [await StripeAsync(_lastEvent, StripeHeader(_lastEvent))];
    }

    /// <summary>Stripe retries with the same event (same id and body) and a new signature timestamp.</summary>
    [When("Stripe sends the same event again")]
    [Needs(Need.NewApiStripe)]
    public async Task StripeAgain() => _answers = [await StripeAsync(LastEvent(), StripeHeader(LastEvent()))];

    [When("Stripe sends {string} for the order {int} times at once")]
    [Needs(Need.NewApiStripe)]
    public async Task StripeFirstAtOnce(string type, int copies)
    {
        _lastEvent = StripeEvent(type, _world.Order("user"), "paid");
        await StripeAtOnce(copies);
    }

    [When("Stripe sends the same event {int} times at once")]
    [Needs(Need.NewApiStripe)]
    public async Task StripeAtOnce(int copies) =>
        _answers = await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => StripeAsync(LastEvent(), StripeHeader(LastEvent()))));

    /// <summary>Signed as unpaid, then the body altered to paid: a target that skips the signature would credit it.</summary>
    [When("Stripe sends {string} for the order, signed as unpaid and then altered to paid")]
    [Needs(Need.NewApiStripe)]
    public async Task StripeTampered(string type)
    {
        var signed = StripeEvent(type, _world.Order("user"), "unpaid");
        var altered = signed.Replace("\"payment_status\":\"unpaid\"", "\"payment_status\":\"paid\"", StringComparison.Ordinal);
        Check.That(altered != signed, "the event has no payment_status to alter");
        _answers = [await StripeAsync(altered, StripeHeader(signed))];
    }

    [When("Stripe sends {string} for the order, signed {int} minutes ago")]
    [Needs(Need.NewApiStripe)]
    public async Task StripeStale(string type, int minutes)
    {
        _lastEvent = StripeEvent(type, _world.Order("user"), "paid");
        _answers = [await StripeAsync(_lastEvent, StripeHeader(_lastEvent, DateTimeOffset.UtcNow.AddMinutes(-minutes)))];
    }

    [When("Stripe sends {string} for the order, signed with another secret")]
    [Needs(Need.NewApiStripe)]
    public async Task StripeOtherSecret(string type)
    {
        _lastEvent = StripeEvent(type, _world.Order("user"), "paid");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _answers = [await StripeAsync(_lastEvent, $"t={timestamp},v1={ProviderSignatures.StripeV1("whsec_NotTheTargetsSecret000000000000", timestamp, _lastEvent)}")];
    }

    [When("Stripe sends {string} for the order without a signature")]
    [Needs(Need.NewApiStripe)]
    public async Task StripeUnsigned(string type)
    {
        _lastEvent = StripeEvent(type, _world.Order("user"), "paid");
        _answers = [await StripeAsync(_lastEvent, null)];
    }

    [When("Creem sends {string} for the order")]
    [Needs(Need.NewApiCreem)]
    public Task CreemSends(string type) => CreemSendsWith(type, "paid", "onetime");

    [When("Creem sends {string} for the order with order status {string} and type {string}")]
    [Needs(Need.NewApiCreem)]
    public async Task CreemSendsWith(string type, string status, string orderType)
    {
        _lastEvent = CreemEvent(type, _world.Order("user").TradeNo, status, orderType);
        _answers = [await CreemAsync(_lastEvent, Secret("creem"))];
    }

    [When("Creem sends {string} for an order the target never placed")]
    [Needs(Need.NewApiCreem)]
    public async Task CreemUnknown(string type)
    {
        _lastEvent = CreemEvent(type, "ref_" + Guid.NewGuid().ToString("N"), "paid", "onetime");
        _answers = [await CreemAsync(_lastEvent, Secret("creem"))];
    }

    [When("Creem sends the same webhook again")]
    [Needs(Need.NewApiCreem)]
    public async Task CreemAgain() => _answers = [await CreemAsync(LastEvent(), Secret("creem"))];

    [When("Creem sends {string} for the order {int} times at once")]
    [Needs(Need.NewApiCreem)]
    public async Task CreemFirstAtOnce(string type, int copies)
    {
        _lastEvent = CreemEvent(type, _world.Order("user").TradeNo, "paid", "onetime");
        await CreemAtOnce(copies);
    }

    [When("Creem sends the same webhook {int} times at once")]
    [Needs(Need.NewApiCreem)]
    public async Task CreemAtOnce(int copies) =>
        _answers = await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => CreemAsync(LastEvent(), Secret("creem"))));

    /// <summary>Signed with the order pending, then the body altered to paid: a target that skips the signature would credit it.</summary>
    [When("Creem sends {string} for the order, signed as pending and then altered to paid")]
    [Needs(Need.NewApiCreem)]
    public async Task CreemTampered(string type)
    {
        var signed = CreemEvent(type, _world.Order("user").TradeNo, "pending", "onetime");
        var altered = signed.Replace("\"status\":\"pending\"", "\"status\":\"paid\"", StringComparison.Ordinal);
        Check.That(altered != signed, "the webhook has no order status to alter");
        _answers = [await CreemAsync(altered, Secret("creem"), signature: ProviderSignatures.Creem(Secret("creem"), signed))];
    }

    [When("Creem sends {string} for the order, signed with another secret")]
    [Needs(Need.NewApiCreem)]
    public async Task CreemOtherSecret(string type)
    {
        _lastEvent = CreemEvent(type, _world.Order("user").TradeNo, "paid", "onetime");
        _answers = [await CreemAsync(_lastEvent, "whsec_NotTheTargetsSecret0000")];
    }

    [When("Creem sends {string} for the order without a signature")]
    [Needs(Need.NewApiCreem)]
    public async Task CreemUnsigned(string type)
    {
        _lastEvent = CreemEvent(type, _world.Order("user").TradeNo, "paid", "onetime");
        _answers = [await CreemAsync(_lastEvent, null)];
    }

    [Then("the webhook is answered HTTP {int}")]
    public void Answered(int status)
    {
        Check.Equal(1, _answers.Length, "webhooks sent");
        Check.Equal(status, (int)_answers[0], $"{_lastProvider}'s webhook: the HTTP status");
    }

    [Then("each webhook is answered HTTP {int}")]
    public void EachAnswered(int status)
    {
        Check.That(_answers.Length > 0, "no webhook was sent");
        Check.That(_answers.All(a => (int)a == status), $"the webhooks were answered {string.Join(", ", _answers.Select(a => (int)a))}");
    }

    private async Task<ApiReply> SendAsUser(string path, object body)
    {
        var reply = await _world.SendAsync(new NewApiCall(HttpMethod.Post, path, NewApiWorld.Body(body), NewApiWorld.TokenOf(_world.User("user"))));
        Check.That(reply.Status == HttpStatusCode.OK && reply.Message == "success", $"POST {path} answered HTTP {(int)reply.Status}: {reply.Body}");
        return reply;
    }

    /// <summary>The user's newest pending order of the provider: Stripe's answer carries only the checkout link.</summary>
    private async Task<JsonElement> NewestPendingAsync(string provider)
    {
        var page = await _world.MustAsync(new NewApiCall(HttpMethod.Get, "/api/user/topup/self?p=1&page_size=100", null, NewApiWorld.TokenOf(_world.User("user"))), "the user's own orders");
        var known = _world.Orders.Values.Select(o => o.TradeNo).ToHashSet(StringComparer.Ordinal);
        return ApiReply.Field(page, "items").EnumerateArray()
            .Where(i => ApiReply.Text(ApiReply.Field(i, "status")) == "pending" && ApiReply.Text(ApiReply.Field(i, "payment_method")) == provider)
            .Where(i => !known.Contains(ApiReply.Text(ApiReply.Field(i, "trade_no"))))
            .OrderByDescending(i => ApiReply.Field(i, "create_time").GetInt64())
            .FirstOrDefault() is { ValueKind: JsonValueKind.Object } order
            ? order
            : throw new AssertionException($"the user's own orders list no pending {provider} order after POST /api/user/{provider}/pay");
    }

    private string LastEvent() => _lastEvent ?? throw new AssertionException("no webhook has been sent in this scenario");

    private string Secret(string provider) => (provider == "stripe" ? context.Profile.NewApiStripeWebhookSecret : context.Profile.NewApiCreemWebhookSecret)
        ?? throw new AssertionException($"the profile has no New-API {provider} webhook secret");

    private string StripeHeader(string body, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return $"t={timestamp},v1={ProviderSignatures.StripeV1(Secret("stripe"), timestamp, body)}";
    }

    /// <summary>
    /// A Checkout Session event as Stripe sends it: the session of the order (its id from the checkout link when it is one
    /// of Stripe's), <c>client_reference_id</c> the trade number, amount in cents of the order's money.
    /// </summary>
    private static string StripeEvent(string type, NewApiTopUpOrder order, string paymentStatus)
    {
        var session = order.PayUrl?.Split('?', '#')[0].Split('/')[^1] is { } last && last.StartsWith("cs_", StringComparison.Ordinal) ? last : "cs_test_" + Guid.NewGuid().ToString("N");
        var status = type == "checkout.session.expired" ? "expired" : "complete";
        var cents = (long)Math.Round(decimal.Parse(order.Money, CultureInfo.InvariantCulture) * 100);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["id"] = "evt_" + Guid.NewGuid().ToString("N")[..24],
            ["object"] = "event",
            ["api_version"] = "2025-06-30.basil",
            ["created"] = now,
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["type"] = type,
            ["data"] = new JsonObject
            {
                ["object"] = new JsonObject
                {
                    ["id"] = session,
                    ["object"] = "checkout.session",
                    ["client_reference_id"] = order.TradeNo,
                    ["mode"] = "payment",
                    ["status"] = status,
                    ["payment_status"] = paymentStatus,
                    ["amount_total"] = cents,
                    ["currency"] = "usd",
                    ["customer"] = "cus_" + Guid.NewGuid().ToString("N")[..14],
                    ["created"] = now,
                },
            },
        }.ToJsonString();
    }

    /// <summary>A Creem webhook: the checkout of <c>request_id</c> with its order (status, type, amount) and customer.</summary>
    private static string CreemEvent(string type, string requestId, string status, string orderType) => new JsonObject
    {
        ["id"] = "evt_" + Guid.NewGuid().ToString("N")[..24],
        ["eventType"] = type,
        ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        ["object"] = new JsonObject
        {
            ["id"] = "ch_" + Guid.NewGuid().ToString("N")[..20],
            ["object"] = "checkout",
            ["request_id"] = requestId,
            ["status"] = "completed",
            ["order"] = new JsonObject
            {
                ["id"] = "ord_" + Guid.NewGuid().ToString("N")[..20],
                ["status"] = status,
                ["type"] = orderType,
                ["amount_paid"] = 1000,
                ["currency"] = "USD",
            },
            ["customer"] = new JsonObject { ["id"] = "cust_" + Guid.NewGuid().ToString("N")[..12], ["email"] = "buyer@buyer.example", ["name"] = "Buyer" },
            ["product"] = new JsonObject { ["id"] = "prod_conformance", ["name"] = "Credits" },
        },
    }.ToJsonString();

    private Task<HttpStatusCode> StripeAsync(string body, string? signature) =>
        PostAsync("stripe", "/api/stripe/webhook", body, signature is null ? [] : [new("Stripe-Signature", signature)]);

    private Task<HttpStatusCode> CreemAsync(string body, string? secret, string? signature = null) =>
        PostAsync("creem", "/api/creem/webhook", body, secret is null ? [] : [new("creem-signature", signature ?? ProviderSignatures.Creem(secret, body))]);

    private async Task<HttpStatusCode> PostAsync(string provider, string path, string body, KeyValuePair<string, string>[] headers)
    {
        _lastProvider = provider;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_world.BaseUrl + path, UriKind.Absolute))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await context.Http.SendAsync(request, context.CancellationToken);
        return response.StatusCode;
    }
}
