using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Finance.Payments.Channels;
using Harness.Security;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Harness.Tests.Finance.Channels;

/// <summary>
/// Plays the WeChat Pay platform with the sandbox's published platform key and APIv3 key (its data folder's
/// <c>keys/wechatpay/</c>): notifications built and signed as the sandbox builds them, or spoiled on purpose.
/// </summary>
internal sealed class WeChatPayForge : IDisposable
{
    public const string TransactionId = "4200000985202611231441826014";

    public WeChatPayForge(string dataDirectory)
    {
        var folder = Path.Combine(dataDirectory, "keys", "wechatpay");
        PlatformKey = RsaKeys.ImportPrivate(File.ReadAllText(Path.Combine(folder, "platform_key.pem")));
        PlatformCertificatePem = File.ReadAllText(Path.Combine(folder, "platform_cert.pem"));
        using var certificate = X509Certificate2.CreateFromPem(PlatformCertificatePem);
        PlatformSerial = certificate.SerialNumber;
        ApiV3Key = File.ReadAllText(Path.Combine(folder, "apiv3_key.txt")).Trim();
    }

    public RSA PlatformKey { get; }

    public string PlatformCertificatePem { get; }

    public string PlatformSerial { get; }

    public string ApiV3Key { get; }

    /// <summary>A paid Transaction object (§2.2) for the sandbox merchant.</summary>
    public static JsonObject Transaction(string outTradeNo, string state = "SUCCESS", long total = 100) => new()
    {
        ["appid"] = ChannelSettings.WeChatSandboxAppid,
        ["mchid"] = ChannelSettings.WeChatSandboxMchid,
        ["out_trade_no"] = outTradeNo,
        ["transaction_id"] = TransactionId,
        ["trade_type"] = "NATIVE",
        ["trade_state"] = state,
        ["trade_state_desc"] = "支付成功",
        ["bank_type"] = "OTHERS",
        ["success_time"] = "2026-11-23T20:00:05+08:00",
        ["payer"] = new JsonObject { ["openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
        ["amount"] = new JsonObject { ["total"] = total, ["payer_total"] = total, ["currency"] = "CNY", ["payer_currency"] = "CNY" },
    };

    /// <summary>The notification envelope (§2.5) around <paramref name="resource"/>, encrypted under the APIv3 key (or another).</summary>
    public string Envelope(JsonNode resource, string? apiV3Key = null, string eventType = "TRANSACTION.SUCCESS", string originalType = "transaction")
    {
        var (ciphertext, nonce) = AesGcmText.Encrypt(apiV3Key ?? ApiV3Key, originalType, resource.ToJsonString());
        return new JsonObject
        {
            ["id"] = "EV-2026112320000512345678",
            ["create_time"] = "2026-11-23T20:00:05+08:00",
            ["resource_type"] = "encrypt-resource",
            ["event_type"] = eventType,
            ["summary"] = "支付成功",
            ["resource"] = new JsonObject
            {
                ["original_type"] = originalType,
                ["algorithm"] = "AEAD_AES_256_GCM",
                ["ciphertext"] = ciphertext,
                ["associated_data"] = originalType,
                ["nonce"] = nonce,
            },
        }.ToJsonString();
    }

    /// <summary>The four <c>Wechatpay-*</c> headers over <c>timestamp\nnonce\nbody\n</c>, by the platform key unless another is given.</summary>
    public Dictionary<string, string> Headers(string body, DateTimeOffset? at = null, RSA? key = null, string? serial = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Secrets.RandomHex(16);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Wechatpay-Timestamp"] = timestamp,
            ["Wechatpay-Nonce"] = nonce,
            ["Wechatpay-Signature"] = RsaSignature.Sign(key ?? PlatformKey, $"{timestamp}\n{nonce}\n{body}\n"),
            ["Wechatpay-Serial"] = serial ?? PlatformSerial,
        };
    }

    /// <summary>A notification request as ASP.NET hands it to the channel: <paramref name="body"/> with the given headers.</summary>
    public static HttpRequest Request(string body, IReadOnlyDictionary<string, string> headers)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context.Request;
    }

    /// <summary>A signed notification request as the platform would send it now (or at <paramref name="at"/>).</summary>
    public HttpRequest Signed(string body, DateTimeOffset? at = null) => Request(body, Headers(body, at));

    public void Dispose() => PlatformKey.Dispose();
}

/// <summary>How <see cref="FakeWeChatPay"/> signs its order answer.</summary>
public enum AnswerSigning
{
    Genuine,
    OtherKey,
    NoSignature,
    TenMinutesOld,
}

/// <summary>
/// A stand-in for WeChat Pay's API that serves the genuine platform certificate download but answers orders signed
/// as told: only the signing differs between a trusted and an untrusted answer.
/// </summary>
internal sealed class FakeWeChatPay : IAsyncDisposable
{
    public const string CodeUrl = "weixin://wxpay/bizpayurl?pr=Forged1";

    private readonly WebApplication _app;

    private FakeWeChatPay(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<FakeWeChatPay> StartAsync(WeChatPayForge forge, AnswerSigning signing)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/v3/certificates", (HttpContext http) =>
        {
            var (ciphertext, nonce) = AesGcmText.Encrypt(forge.ApiV3Key, "certificate", forge.PlatformCertificatePem);
            var body = new JsonObject
            {
                ["data"] = new JsonArray(new JsonObject
                {
                    ["serial_no"] = forge.PlatformSerial,
                    ["encrypt_certificate"] = new JsonObject { ["algorithm"] = "AEAD_AES_256_GCM", ["nonce"] = nonce, ["associated_data"] = "certificate", ["ciphertext"] = ciphertext },
                }),
            }.ToJsonString();
            return AnswerAsync(http, body, forge.Headers(body));
        });
        app.MapPost("/v3/pay/transactions/native", (HttpContext http) =>
        {
            var body = new JsonObject { ["code_url"] = CodeUrl }.ToJsonString();
            using var otherKey = RsaKeys.Create();
            var headers = signing switch
            {
                AnswerSigning.Genuine => forge.Headers(body),
                AnswerSigning.OtherKey => forge.Headers(body, key: otherKey),
                AnswerSigning.TenMinutesOld => forge.Headers(body, DateTimeOffset.UtcNow.AddMinutes(-10)),
                _ => [],
            };
            return AnswerAsync(http, body, headers);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new FakeWeChatPay(app)
        {
            BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/'),
        };
    }

    private static Task AnswerAsync(HttpContext http, string body, Dictionary<string, string> headers)
    {
        foreach (var (name, value) in headers)
        {
            http.Response.Headers[name] = value;
        }

        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
