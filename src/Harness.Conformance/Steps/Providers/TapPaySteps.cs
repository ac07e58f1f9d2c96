using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// The TapPay sandbox as a merchant back end calls it (providers.md §7): JSON POSTs with <c>x-api-key</c> and
/// <c>partner_key</c>, every answer HTTP 200 with <c>status</c> and <c>msg</c>; primes from the simulated front end.
/// </summary>
[Steps]
public sealed partial class TapPaySteps(ScenarioContext context)
{
    /// <summary>TapPay's published Direct Pay test prime (§7.6).</summary>
    public const string TestPrime = "test_3a2fb2b7e892b914a03c95dd4dd5dc7970c908df67a49527c0a648b2bc9";

    private const string FrontendRedirect = "https://merchant.example/tappay/done";

    /// <summary>The e-payments' published test primes (§7.6): the wallet's prefix and one shared suffix.</summary>
    private static readonly Dictionary<string, string> EPaymentPrefixes = new(StringComparer.Ordinal)
    {
        ["LINE Pay"] = "ln_test_", ["JKOPAY"] = "jk_test_", ["Easy Wallet"] = "ew_test_", ["Atome"] = "at_test_", ["Pi Wallet"] = "pi_test_",
    };

    private const string WalletPrimeSuffix = "utigjeyfutj5867uyjhuty47rythfjru485768tigjfheufhtu5i6ojk";

    private readonly SandboxWorld _world = context.Get<SandboxWorld>();

    /// <summary>The feature's order numbers, made unique per run so a shared sandbox's older trades do not match.</summary>
    private readonly Dictionary<string, string> _orderNumbers = new(StringComparer.Ordinal);
    private string? _prime;
    private JsonElement? _payment;
    private JsonElement? _remembered;
    private string? _refundId;

    [Given("the TapPay sandbox")]
    [Needs(Need.Sandbox)]
    public Task Sandbox() => _world.BaseUrlAsync("tappay");

    [Given("a prime for the card {string}")]
    public async Task Prime(string card)
    {
        var body = new JsonObject { ["app_id"] = await _world.CredentialAsync("tappay", "app_id"), ["card_number"] = card, ["card_expiry"] = "12/39", ["card_ccv"] = "123" };
        var reply = await PostAsync("/sandbox/get-prime", body.ToJsonString(), await _world.CredentialAsync("tappay", "app_key"));
        Check.Equal(0, Status(reply), $"getting a prime ({reply.Body})");
        _prime = ApiReply.Text(ApiReply.Field(reply.Json, "prime"));
    }

    [When("the merchant pays {int} with the test prime and order number {string}")]
    public async Task PayTestPrime(int amount, string orderNumber)
    {
        var body = await PaymentAsync(TestPrime, amount);
        body["order_number"] = _orderNumbers[orderNumber] = orderNumber + "-" + Guid.NewGuid().ToString("N")[..8];
        await PayAsync(body);
    }

    [When("the merchant pays {int} with that prime")]
    public async Task PayThatPrime(int amount) => await PayAsync(await PaymentAsync(ThePrime, amount));

    [When("the merchant pays {int} with that prime and remember true")]
    public async Task PayAndRemember(int amount)
    {
        var body = await PaymentAsync(ThePrime, amount);
        body["remember"] = true;
        await PayAsync(body);
        _remembered = _world.Last.Json;
    }

    [When("the merchant pays {int} with that prime through 3-D Secure with order number {string}")]
    public async Task PayThreeDSecure(int amount, string orderNumber)
    {
        var body = await PaymentAsync(ThePrime, amount);
        body["order_number"] = orderNumber;
        body["three_domain_secure"] = true;
        body["result_url"] = new JsonObject { ["frontend_redirect_url"] = FrontendRedirect, ["backend_notify_url"] = _world.Receiver.Url };
        await PayAsync(body);
        _world.PaymentId = RecTradeId;
    }

    [When("the merchant pays {int} with the {string} test prime and result URLs, with order number {string}")]
    public async Task PayEPayment(int amount, string wallet, string orderNumber)
    {
        var body = await PaymentAsync(EPaymentPrime(wallet), amount);
        body["order_number"] = orderNumber;
        body["result_url"] = new JsonObject { ["frontend_redirect_url"] = FrontendRedirect, ["backend_notify_url"] = _world.Receiver.Url };
        await PayAsync(body);
        _world.PaymentId = RecTradeId;
    }

    [When("the merchant pays {int} with the {string} test prime and no result URLs")]
    public async Task PayEPaymentWithoutUrls(int amount, string wallet) => await PayAsync(await PaymentAsync(EPaymentPrime(wallet), amount));

    [When("^the merchant pays with the test prime, (.+)$")]
    public async Task PayWithChange(string change)
    {
        var body = await PaymentAsync(TestPrime, 100);
        var apiKey = await _world.CredentialAsync("tappay", "partner_key");
        switch (change)
        {
            case "without the x-api-key header": apiKey = null; break;
            case "with another x-api-key": apiKey = "partner_not_the_one"; break;
            case "without partner_key in the body": body.Remove("partner_key"); break;
            case "with an unknown partner_key": body["partner_key"] = "partner_not_the_one"; break;
            case "without merchant_id": body.Remove("merchant_id"); break;
            case "with an unknown merchant_id": body["merchant_id"] = "Nobody_Merchant"; break;
            case "with the merchant group instead of merchant_id":
                body.Remove("merchant_id");
                body["merchant_group_id"] = await _world.CredentialAsync("tappay", "merchant_group_id");
                break;
            case "with an unknown merchant_group_id instead of merchant_id":
                body.Remove("merchant_id");
                body["merchant_group_id"] = "Nobody_Group";
                break;
            default: throw new AssertionException($"unknown change \"{change}\"");
        }

        await PostAsync("/tpc/payment/pay-by-prime", body.ToJsonString(), apiKey);
    }

    [When("the merchant pays with the test prime and the body field {string} set to {}")]
    public async Task PayWithField(string field, string json)
    {
        var body = await PaymentAsync(TestPrime, 100);
        if (field == "body")
        {
            await PostAsync("/tpc/payment/pay-by-prime", "{\"partner_key\":", await _world.CredentialAsync("tappay", "partner_key"));
            return;
        }

        var (owner, name) = field.StartsWith("cardholder.", StringComparison.Ordinal) ? ((JsonObject)body["cardholder"]!, field["cardholder.".Length..]) : (body, field);
        if (json == "absent")
        {
            owner.Remove(name);
        }
        else
        {
            owner[name] = JsonNode.Parse(json);
        }

        await PayAsync(body);
    }

    [When("the merchant pays {int} by card token")]
    public Task PayByToken(int amount) => TokenAsync(amount, ApiReply.Text(ApiReply.Path(TheRemembered, "card_secret.card_token")));

    [When("the merchant pays {int} by card token with another card_token")]
    public Task PayByOtherToken(int amount) => TokenAsync(amount, new string('0', 64));

    [When("the merchant pays {int} by card token without a currency")]
    public Task PayByTokenWithoutCurrency(int amount) => TokenAsync(amount, ApiReply.Text(ApiReply.Path(TheRemembered, "card_secret.card_token")), withCurrency: false);

    [When("the merchant refunds {int} of it")]
    public Task Refund(int amount) => RefundAsync(amount);

    [When("the merchant refunds the rest of it")]
    public Task RefundRest() => RefundAsync(null);

    [Then("the answer is HTTP 200 with status {int} and msg {string}")]
    public void StatusAndMsg(int status, string msg)
    {
        StatusIs(status);
        Check.Equal(msg, ApiReply.Text(ApiReply.Field(_world.Last.Json, "msg")), "msg");
    }

    [Then("the answer is HTTP 200 with status {int}")]
    public void StatusIs(int status)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(status, Status(_world.Last), $"status ({_world.Last.Body})");
        Check.That(ApiReply.Text(ApiReply.Field(_world.Last.Json, "msg")).Length > 0, "msg is empty");
    }

    [Then("the answer has a rec_trade_id, bank_transaction_id, auth_code, card_info, transaction_time_millis and bank_transaction_time")]
    public void PaymentFields()
    {
        foreach (var field in new[] { "rec_trade_id", "bank_transaction_id", "auth_code" })
        {
            Check.That(ApiReply.Text(ApiReply.Field(ThePayment, field)).Length > 0, $"{field} is empty");
        }

        Check.Equal("4242", ApiReply.Text(ApiReply.Path(ThePayment, "card_info.last_four")), "card_info.last_four");
        Check.That(ApiReply.Field(ThePayment, "transaction_time_millis").GetInt64() > 1_000_000_000_000, "transaction_time_millis is not in milliseconds");
        ApiReply.Path(ThePayment, "bank_transaction_time.start_time_millis");
    }

    [Then("the answer has amount {int}, currency {string} and order number {string}")]
    public void AmountAndOrder(int amount, string currency, string orderNumber)
    {
        Check.Equal(amount, ApiReply.Field(ThePayment, "amount").GetInt32(), "amount");
        Check.Equal(currency, ApiReply.Text(ApiReply.Field(ThePayment, "currency")), "currency");
        Check.That(ApiReply.Text(ApiReply.Field(ThePayment, "order_number")).StartsWith(orderNumber, StringComparison.Ordinal), "order_number");
    }

    [Then("the answer has no card_secret")]
    public void NoCardSecret() => Check.That(!ThePayment.TryGetProperty("card_secret", out _), "card_secret without remember");

    [Then("the answer has a card_secret with card_key and card_token")]
    public void CardSecret()
    {
        Check.That(ApiReply.Text(ApiReply.Path(TheRemembered, "card_secret.card_key")).Length > 0, "card_key is empty");
        Check.That(ApiReply.Text(ApiReply.Path(TheRemembered, "card_secret.card_token")).Length > 0, "card_token is empty");
    }

    [Then("the renewal charged the same card under a new rec_trade_id")]
    public void SameCard()
    {
        Check.That(RecTradeId != ApiReply.Text(ApiReply.Field(TheRemembered, "rec_trade_id")), "the renewal has the first payment's rec_trade_id");
        Check.Equal(ApiReply.Text(ApiReply.Field(TheRemembered, "card_identifier")), ApiReply.Text(ApiReply.Field(ThePayment, "card_identifier")), "card_identifier");
    }

    [Then("the bank result code is {string}")]
    public void BankResult(string code) => Check.Equal(code, ApiReply.Text(ApiReply.Field(ThePayment, "bank_result_code")), "bank_result_code");

    private JsonElement ThePayment => _payment ?? throw new AssertionException("no payment was made");

    private JsonElement TheRemembered => _remembered ?? throw new AssertionException("no card was remembered");

    private string ThePrime => _prime ?? throw new AssertionException("no prime was taken");

    private static string EPaymentPrime(string wallet) =>
        (EPaymentPrefixes.TryGetValue(wallet, out var prefix) ? prefix : throw new AssertionException($"no e-payment \"{wallet}\"")) + WalletPrimeSuffix;

    private string RecTradeId => ApiReply.Text(ApiReply.Field(ThePayment, "rec_trade_id"));

    private static int Status(WireReply reply) => ApiReply.Field(reply.Json, "status").GetInt32();

    /// <summary>A valid Pay by Prime body; order numbers are unique per scenario, so a shared sandbox keeps them apart.</summary>
    private async Task<JsonObject> PaymentAsync(string prime, int amount) => new()
    {
        ["prime"] = prime,
        ["partner_key"] = await _world.CredentialAsync("tappay", "partner_key"),
        ["merchant_id"] = await _world.CredentialAsync("tappay", "merchant_id"),
        ["amount"] = amount,
        ["currency"] = "TWD",
        ["details"] = "Harness conformance",
        ["cardholder"] = new JsonObject { ["phone_number"] = "+886923456789", ["name"] = "王小明", ["email"] = "buyer@example.com" },
    };

    private async Task PayAsync(JsonObject body)
    {
        var reply = await PostAsync("/tpc/payment/pay-by-prime", body.ToJsonString());
        if (reply.Json.ValueKind == JsonValueKind.Object && reply.Json.TryGetProperty("rec_trade_id", out _))
        {
            _payment = reply.Json;
        }
    }

    private async Task TokenAsync(int amount, string token, bool withCurrency = true)
    {
        var body = await PaymentAsync("", amount);
        body.Remove("prime");
        body.Remove("cardholder");
        if (!withCurrency)
        {
            body.Remove("currency");
        }

        body["card_key"] = ApiReply.Text(ApiReply.Path(TheRemembered, "card_secret.card_key"));
        body["card_token"] = token;
        var reply = await PostAsync("/tpc/payment/pay-by-token", body.ToJsonString());
        if (Status(reply) == 0)
        {
            _payment = reply.Json;
        }
    }

    private async Task RefundAsync(int? amount)
    {
        var body = new JsonObject { ["rec_trade_id"] = RecTradeId };
        if (amount is not null)
        {
            body["amount"] = amount;
        }

        var reply = await PostAsync("/tpc/transaction/refund", await BodyAsync(body));
        if (Status(reply) == 0)
        {
            _refundId = ApiReply.Text(ApiReply.Field(reply.Json, "refund_id"));
        }
    }

    private async Task<JsonElement> RecordAsync()
    {
        var records = await QueryAsync(new JsonObject { ["filters"] = new JsonObject { ["rec_trade_id"] = RecTradeId } });
        Check.Equal(1, records.Count, "records with the rec_trade_id");
        return records[0];
    }

    private async Task<List<JsonElement>> QueryAsync(JsonObject body)
    {
        var reply = await PostAsync("/tpc/transaction/query", await BodyAsync(body));
        Check.Equal(HttpStatusCode.OK, reply.Status, $"record query ({reply.Body})");
        return [.. ApiReply.Field(reply.Json, "trade_records").EnumerateArray()];
    }

    private async Task<string> BodyAsync(JsonObject body)
    {
        body["partner_key"] = await _world.CredentialAsync("tappay", "partner_key");
        return body.ToJsonString();
    }

    private async Task<WireReply> PostAsync(string path, string json, string? apiKey = "")
    {
        apiKey = apiKey == "" ? await _world.CredentialAsync("tappay", "partner_key") : apiKey;
        var headers = apiKey is null ? [] : new[] { new KeyValuePair<string, string>("x-api-key", apiKey) };
        return _world.LastReply = await _world.SendAsync(HttpMethod.Post, await _world.BaseUrlAsync("tappay") + path, new StringContent(json, Encoding.UTF8, "application/json"), headers);
    }
}
