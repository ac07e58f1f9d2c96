using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Epay;

/// <summary>
/// A V2 merchant as 彩虹易支付's docs and go-epay's V2 client behave: the published merchant key signs (SHA256WithRSA
/// over the sorted non-empty parameters but sign and sign_type), the published platform key verifies answers and notifies.
/// </summary>
internal sealed class EpayV2Client(TestSandbox sandbox, JsonObject credentials) : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private readonly HttpClient _http = new() { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };

    public string MerchantPrivateKey => credentials["merchant_private_key"]!.GetValue<string>();

    public string PlatformPublicKey => credentials["platform_public_key"]!.GetValue<string>();

    public static async Task<EpayV2Client> StartAsync(TestSandbox sandbox) =>
        new(sandbox, (JsonObject)(await sandbox.GetJsonAsync("/control/providers/epay"))["credentials"]!);

    public static string Content(IEnumerable<KeyValuePair<string, string>> parameters) => string.Join('&', parameters
        .Where(p => p.Value.Length > 0 && p.Key != "sign" && p.Key != "sign_type")
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => p.Key + "=" + p.Value));

    public static string Now(TimeSpan? offset = null) =>
        (DateTimeOffset.UtcNow + (offset ?? TimeSpan.Zero)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Adds pid, timestamp (unless given), sign_type and the signature made with <paramref name="privateKey"/> (the merchant's unless given).</summary>
    public Dictionary<string, string> Sign(Dictionary<string, string> parameters, string? privateKey = null)
    {
        parameters.TryAdd("pid", "1000");
        parameters.TryAdd("timestamp", Now());
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Convert.FromBase64String(privateKey ?? MerchantPrivateKey), out _);
        parameters["sign"] = Convert.ToBase64String(rsa.SignData(Encoding.UTF8.GetBytes(Content(parameters)), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        parameters["sign_type"] = "RSA";
        return parameters;
    }

    public static Dictionary<string, string> Order(string notifyUrl, string outTradeNo, string money = "12.50", string method = "jump") => new()
    {
        ["method"] = method,
        ["type"] = "alipay",
        ["out_trade_no"] = outTradeNo,
        ["notify_url"] = notifyUrl,
        ["return_url"] = "https://merchant.example/return",
        ["name"] = "VIP",
        ["money"] = money,
        ["clientip"] = "192.0.2.10",
    };

    /// <summary>Posts the parameters as they are (signed or not) and answers the JSON, after checking the HTTP status is 200.</summary>
    public async Task<JsonObject> PostAsync(string path, Dictionary<string, string> parameters)
    {
        using var response = await _http.PostAsync(path, new FormUrlEncodedContent(parameters), Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
    }

    /// <summary>Signs and posts, then checks the answer succeeded and carries a valid platform signature and a fresh timestamp.</summary>
    public async Task<JsonObject> CallAsync(string path, Dictionary<string, string> parameters)
    {
        var answer = await PostAsync(path, Sign(parameters));
        Assert.True(answer["code"]!.GetValue<int>() == 0, answer.ToJsonString());
        Assert.Equal("RSA", answer["sign_type"]!.GetValue<string>());
        // Arrays are not part of the signing string (Epay's signing rule).
        Assert.True(Verify(answer.Where(f => f.Value is not JsonArray).Select(f => new KeyValuePair<string, string>(f.Key, Text(f.Value))), answer["sign"]!.GetValue<string>()), "the answer's signature");
        Assert.InRange(long.Parse(answer["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
        return answer;
    }

    /// <summary>True when the platform public key verifies the signature over the parameters' signing string.</summary>
    public bool Verify(IEnumerable<KeyValuePair<string, string>> parameters, string sign)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(PlatformPublicKey), out _);
        return rsa.VerifyData(Encoding.UTF8.GetBytes(Content(parameters)), Convert.FromBase64String(sign), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    public void Dispose() => _http.Dispose();

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString() ?? "";
}
