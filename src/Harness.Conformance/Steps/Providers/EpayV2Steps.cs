using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Epay's V2 protocol (<c>/api/pay/*</c>) as its docs and go-epay's V2 client use it: requests signed SHA256WithRSA with
/// the published merchant private key and carrying a timestamp, answers and notifies verified with the platform public key.
/// </summary>
[Steps]
public sealed partial class EpayV2Steps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();

    [When("the merchant creates an order of {string} through \\/api\\/pay\\/create with method {string}")]
    public async Task Create(string money, string method) => await CallAsync("/api/pay/create", new()
    {
        ["method"] = method,
        ["type"] = "alipay",
        ["out_trade_no"] = "HARNESSV2" + context.RunId,
        ["notify_url"] = _world.Receiver.Url,
        ["return_url"] = StripeSteps.MerchantSite + "/return",
        ["name"] = "Harness credits",
        ["money"] = money,
        ["clientip"] = "192.0.2.10",
    });

    [When("the merchant refunds {string} of it through \\/api\\/pay\\/refund")]
    public Task Refund(string money) => CallAsync("/api/pay/refund", new() { ["trade_no"] = _world.ThePayment, ["money"] = money });

    [When("the merchant queries it through \\/api\\/pay\\/query with a request signed by another key")]
    public async Task QueryWithAnotherKey()
    {
        using var stranger = RSA.Create(2048);
        await CallAsync("/api/pay/query", new() { ["trade_no"] = _world.ThePayment }, Convert.ToBase64String(stranger.ExportPkcs8PrivateKey()));
    }

    [When("the merchant registers a public key of its own and queries it through \\/api\\/pay\\/query signed with that key")]
    public async Task QueryWithOwnKey()
    {
        using var own = RSA.Create(2048);
        await _world.ConfigureAsync("epay", new Dictionary<string, string?> { ["merchant_public_key"] = Convert.ToBase64String(own.ExportSubjectPublicKeyInfo()) });
        await CallAsync("/api/pay/query", new() { ["trade_no"] = _world.ThePayment }, Convert.ToBase64String(own.ExportPkcs8PrivateKey()));
    }

    [When("the merchant queries it through \\/api\\/pay\\/query with a timestamp {int} minutes old")]
    public Task QueryStale(int minutes) => CallAsync("/api/pay/query", new()
    {
        ["trade_no"] = _world.ThePayment,
        ["timestamp"] = DateTimeOffset.UtcNow.AddMinutes(-minutes).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    });

    [Then("the answer has code 0, pay_type {string} and the platform's signature")]
    public async Task Created(string payType)
    {
        await SignedAnswer();
        Check.Equal(payType, ApiReply.Text(ApiReply.Field(_world.Last.Json, "pay_type")), "pay_type");
        _world.PaymentId = ApiReply.Text(ApiReply.Field(_world.Last.Json, "trade_no"));
        Check.Equal(_world.PayPageUrl(_world.ThePayment), ApiReply.Text(ApiReply.Field(_world.Last.Json, "pay_info")), "pay_info");
    }

    [Then("the answer has code 0 and the platform's signature")]
    public async Task SignedAnswer()
    {
        var json = _world.Last.Json;
        Check.Equal(System.Net.HttpStatusCode.OK, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(0, ApiReply.Field(json, "code").GetInt32(), $"code ({_world.Last.Body})");
        Check.Equal("RSA", ApiReply.Text(ApiReply.Field(json, "sign_type")), "sign_type");
        // Arrays (the order list's data) are not part of the signing string (Epay's signing rule).
        var fields = json.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Array)
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
        Check.That(await VerifiesAsync(fields), $"the answer's sign does not verify with the platform public key: {_world.Last.Body}");
    }

    [Then("the notify URL receives a GET signed with the platform key, with trade_status {string} and money {string}")]
    public async Task Notified(string tradeStatus, string money)
    {
        var notify = await _world.FirstReceivedAsync();
        Check.Equal("GET", notify.Method, "the notify's method");
        Check.Equal("RSA", notify.Parameters.GetValueOrDefault("sign_type"), "sign_type");
        Check.That(await VerifiesAsync(notify.Parameters), "the notify's sign does not verify with the platform public key");
        Check.Equal(tradeStatus, notify.Parameters["trade_status"], "trade_status");
        Check.Equal(money, notify.Parameters["money"], "money");
        Check.Equal(_world.ThePayment, notify.Parameters["trade_no"], "trade_no");
    }

    [Then("\\/api\\/pay\\/query reports status {int} in a signed answer")]
    public async Task QueryReports(int status)
    {
        await CallAsync("/api/pay/query", new() { ["trade_no"] = _world.ThePayment });
        await SignedAnswer();
        Check.Equal(status, ApiReply.Field(_world.Last.Json, "status").GetInt32(), "status");
    }

    /// <summary>V2's signing string: the non-empty parameters but sign and sign_type, sorted by key, <c>k=v&amp;…</c>.</summary>
    private static string Content(IEnumerable<KeyValuePair<string, string>> parameters) => string.Join('&', parameters
        .Where(p => p.Value.Length > 0 && p.Key is not ("sign" or "sign_type"))
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => p.Key + "=" + p.Value));

    private async Task<bool> VerifiesAsync(Dictionary<string, string> parameters)
    {
        using var platform = RSA.Create();
        platform.ImportSubjectPublicKeyInfo(Convert.FromBase64String(await _world.CredentialAsync("epay", "platform_public_key")), out _);
        var sign = parameters.GetValueOrDefault("sign") ?? "";
        var bytes = new byte[sign.Length];
        return Convert.TryFromBase64String(sign, bytes, out var length)
            && platform.VerifyData(Encoding.UTF8.GetBytes(Content(parameters)), bytes.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>Adds pid and a current timestamp (unless given), signs with the merchant key (or <paramref name="privateKey"/>) and posts.</summary>
    private async Task CallAsync(string path, Dictionary<string, string> parameters, string? privateKey = null)
    {
        parameters["pid"] = await _world.CredentialAsync("epay", "pid");
        parameters.TryAdd("timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        using var merchant = RSA.Create();
        merchant.ImportPkcs8PrivateKey(Convert.FromBase64String(privateKey ?? await _world.CredentialAsync("epay", "merchant_private_key")), out _);
        parameters["sign"] = Convert.ToBase64String(merchant.SignData(Encoding.UTF8.GetBytes(Content(parameters)), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        parameters["sign_type"] = "RSA";
        _world.LastReply = await _world.SendAsync(HttpMethod.Post, await _world.BaseUrlAsync("epay") + path, new FormUrlEncodedContent(parameters));
    }
}
