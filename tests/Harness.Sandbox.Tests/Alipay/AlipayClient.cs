using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>One v2 gateway answer: the raw body, the inner response object and whether its signature verified.</summary>
public sealed record GatewayReply(int Status, string Body, JsonObject Response, bool SignatureValid)
{
    public string Code => Response["code"]!.GetValue<string>();

    public string? SubCode => Response["sub_code"]?.GetValue<string>();

    public string Field(string name) => Response[name]!.GetValue<string>();
}

/// <summary>
/// A merchant's Alipay client written from providers.md §3 (signatures from the conformance runner's own
/// <see cref="ProviderSignatures"/>, never the sandbox's): credentials from the control API, RSA2-signed gateway calls
/// and verification of answers and notifies with the published Alipay public key.
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
    }

    public string Gateway { get; }

    public string AppId { get; }

    public string AppPrivateKey { get; set; }

    public string AlipayPublicKey { get; }

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
            ["sign_type"] = "RSA2",
            ["timestamp"] = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["version"] = "1.0",
            ["biz_content"] = biz as string ?? System.Text.Json.JsonSerializer.Serialize(biz),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            parameters[key] = value;
        }

        return Resign(parameters);
    }

    public Dictionary<string, string> Resign(Dictionary<string, string> parameters)
    {
        parameters.Remove("sign");
        parameters["sign"] = ProviderSignatures.AlipayRsa2Sign(AppPrivateKey, ProviderSignatures.AlipayContent(parameters, withSignType: true));
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
        var content = ProviderSignatures.AlipayResponseContent(body, key);
        var valid = content is not null && ProviderSignatures.AlipayRsa2Verify(AlipayPublicKey, content, json["sign"]?.GetValue<string>());
        return new GatewayReply((int)response.StatusCode, body, (JsonObject)json[key]!, valid);
    }

    /// <summary>A browser GET of a signed cashier URL (what alipay-sdk's pageExec builds); the answer is not followed.</summary>
    public async Task<HttpResponseMessage> BrowseAsync(string method, object biz, IReadOnlyDictionary<string, string> extra)
    {
        var query = string.Join('&', SignedParams(method, biz, extra).Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        return await _http.GetAsync(Gateway + "?" + query, Ct);
    }

    /// <summary>A notify or return as a merchant checks it: RSA2 over the sorted parameters without sign and sign_type.</summary>
    public bool Verifies(IReadOnlyDictionary<string, string> parameters) =>
        ProviderSignatures.AlipayRsa2Verify(AlipayPublicKey, ProviderSignatures.AlipayContent(parameters, withSignType: false), parameters.GetValueOrDefault("sign"));

    public void Dispose() => _http.Dispose();
}
