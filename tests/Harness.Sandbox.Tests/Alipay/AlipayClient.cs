using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// One v2 gateway answer: the raw body, the inner response object (decrypted when it came encrypted), whether its
/// signature verified and whether it came encrypted.
/// </summary>
public sealed record GatewayReply(int Status, string Body, JsonObject Response, bool SignatureValid, bool Encrypted = false)
{
    public string Code => Response["code"]!.GetValue<string>();

    public string? SubCode => Response["sub_code"]?.GetValue<string>();

    public string Field(string name) => Response[name]!.GetValue<string>();
}

/// <summary>
/// A merchant's Alipay client written from providers.md §3 (signatures from the conformance runner's own
/// <see cref="ProviderSignatures"/> and <see cref="AlipayContentCipher"/>, never the sandbox's): credentials from the
/// control API, gateway calls signed RSA2 (or RSA, <see cref="SignType"/>), optionally with AES-encrypted content
/// (<see cref="Encrypt"/>), and verification of answers and notifies with the published Alipay public key.
/// </summary>
public sealed class AlipayClient : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });

    private AlipayClient(string gateway, JsonObject credentials)
    {
        Gateway = gateway;
        AppId = credentials["app_id"]!.GetValue<string>();
        AppPrivateKey = credentials["app_private_key"]!.GetValue<string>();
        AlipayPublicKey = credentials["alipay_public_key"]!.GetValue<string>();
        EncryptKey = credentials["encrypt_key"]!.GetValue<string>();
    }

    public string Gateway { get; }

    public string AppId { get; set; }

    public string AppPrivateKey { get; set; }

    public string AlipayPublicKey { get; set; }

    /// <summary>The app's AES key (alipay-sdk's <c>encryptKey</c>).</summary>
    public string EncryptKey { get; set; }

    /// <summary><c>RSA2</c> (the default) or <c>RSA</c>: how requests are signed and answers checked.</summary>
    public string SignType { get; set; } = "RSA2";

    /// <summary>The sign type answers are checked with, when it is not <see cref="SignType"/> (a request in the wrong one).</summary>
    public string? AnswerSignType { get; set; }

    /// <summary>When set, calls carry biz_content AES-encrypted with <c>encrypt_type=AES</c>, and answers are expected encrypted.</summary>
    public bool Encrypt { get; set; }

    public static async Task<AlipayClient> ConnectAsync(TestSandbox sandbox)
    {
        var provider = await sandbox.GetJsonAsync("/control/providers/alipay");
        var credentials = (JsonObject)provider["credentials"]!;
        return new AlipayClient(provider["base_url"]!.GetValue<string>() + credentials["gateway_path"]!.GetValue<string>(), credentials);
    }

    /// <summary>The common parameters and biz_content of one call, signed over everything but <c>sign</c>.</summary>
    public Dictionary<string, string> SignedParams(string method, object biz, IReadOnlyDictionary<string, string>? extra = null)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["app_id"] = AppId,
            ["method"] = method,
            ["charset"] = "utf-8",
            ["sign_type"] = SignType,
            ["timestamp"] = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["version"] = "1.0",
            ["biz_content"] = biz as string ?? System.Text.Json.JsonSerializer.Serialize(biz),
        };
        if (Encrypt)
        {
            parameters["encrypt_type"] = "AES";
            parameters["biz_content"] = AlipayContentCipher.Encrypt(EncryptKey, parameters["biz_content"]);
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            parameters[key] = value;
        }

        return Resign(parameters);
    }

    public Dictionary<string, string> Resign(Dictionary<string, string> parameters)
    {
        parameters.Remove("sign");
        parameters["sign"] = ProviderSignatures.AlipaySign(AppPrivateKey, ProviderSignatures.AlipayContent(parameters, withSignType: true), SignType);
        return parameters;
    }

    public Task<GatewayReply> CallAsync(string method, object biz, IReadOnlyDictionary<string, string>? extra = null) =>
        PostAsync(SignedParams(method, biz, extra));

    /// <summary>Posts the parameters as a form (the way alipay-sdk puts the common ones in the query is covered by the SDK test).</summary>
    public async Task<GatewayReply> PostAsync(Dictionary<string, string> parameters)
    {
        using var response = await _http.PostAsync(Gateway, new FormUrlEncodedContent(parameters), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var json = (JsonObject)JsonNode.Parse(body)!;
        var key = json.Select(p => p.Key).First(k => k != "sign");
        var encrypted = json[key] is JsonValue;
        var content = encrypted ? AlipayContentCipher.SignedContent(body, key) : ProviderSignatures.AlipayResponseContent(body, key);
        var valid = content is not null && ProviderSignatures.AlipayVerify(AlipayPublicKey, content, json["sign"]?.GetValue<string>(), AnswerSignType ?? SignType);
        var inner = encrypted ? (JsonObject)JsonNode.Parse(AlipayContentCipher.Decrypt(EncryptKey, json[key]!.GetValue<string>()))! : (JsonObject)json[key]!;
        return new GatewayReply((int)response.StatusCode, body, inner, valid, encrypted);
    }

    /// <summary>A browser GET of a signed cashier URL (what alipay-sdk's pageExec builds); the answer is not followed.</summary>
    public async Task<HttpResponseMessage> BrowseAsync(string method, object biz, IReadOnlyDictionary<string, string> extra)
    {
        var query = string.Join('&', SignedParams(method, biz, extra).Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        return await _http.GetAsync(Gateway + "?" + query, Ct);
    }

    /// <summary>A notify or return as a merchant checks it: its sign_type over the sorted parameters without sign and sign_type.</summary>
    public bool Verifies(IReadOnlyDictionary<string, string> parameters) =>
        ProviderSignatures.AlipayVerify(AlipayPublicKey, ProviderSignatures.AlipayContent(parameters, withSignType: false), parameters.GetValueOrDefault("sign"), parameters.GetValueOrDefault("sign_type") ?? "RSA2");

    public void Dispose() => _http.Dispose();
}
