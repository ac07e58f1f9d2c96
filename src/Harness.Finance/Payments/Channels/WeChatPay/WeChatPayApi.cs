using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Security;

namespace Harness.Finance.Payments.Channels.WeChatPay;

/// <summary>One answer of the API, as received: status, exact body bytes and the platform's signature headers.</summary>
internal sealed record WeChatPayAnswer(int Status, byte[] Body, string? Timestamp, string? Nonce, string? Signature, string? Serial)
{
    /// <summary>The APIv3 error (<c>{"code","message"}</c>) as "status CODE: message", for exceptions and logs.</summary>
    public string Describe()
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                return $"{Status} {WeChatPayJson.Text(root, "code") ?? "(no code)"}: {WeChatPayJson.Text(root, "message") ?? "(no message)"}";
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not the error shape; the status alone describes it.
        }

        return $"{Status} (no error body)";
    }

    public string? Code()
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            return WeChatPayJson.Text(document.RootElement, "code");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}

/// <summary>
/// The API on the wire: every request signed with the merchant key (providers.md §2.3), and every answer's platform
/// signature verified before anything in it is believed (§2.4); an answer that fails is a <see cref="ChannelException"/>.
/// </summary>
internal sealed class WeChatPayApi
{
    private const string UserAgent = "Harness-Finance/1.0 (WeChatPay-APIv3)";

    // Compact UTF-8 with literal non-ASCII: the bytes signed are the bytes sent, so any valid spelling would do.
    private static readonly JsonSerializerOptions BodyJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ChannelClock _clock;
    private readonly ChannelHttp _http;

    public WeChatPayApi(ChannelClock clock, ChannelHttp http)
    {
        _clock = clock;
        _http = http;
        Certificates = new WeChatPayCertificates(this, clock);
    }

    public WeChatPayCertificates Certificates { get; }

    /// <summary>Sends a signed request and returns the answer once its platform signature verifies.</summary>
    public async Task<WeChatPayAnswer> CallAsync(WeChatPaySettings settings, HttpMethod method, string pathAndQuery, JsonObject? body, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(settings, method, pathAndQuery, body, cancellationToken);
        if (answer.Timestamp is null || answer.Nonce is null || answer.Signature is null || answer.Serial is null)
        {
            throw Untrusted(answer, "it carries no Wechatpay-* signature headers");
        }

        if (WeChatPaySignatures.TimestampProblem(answer.Timestamp, _clock.Now) is { } stale)
        {
            throw Untrusted(answer, stale);
        }

        using var platformKey = await Certificates.KeyAsync(settings, answer.Serial, cancellationToken)
            ?? throw Untrusted(answer, $"it is signed with an unknown platform certificate {WeChatPayJson.Shown(answer.Serial)}");
        return WeChatPaySignatures.PlatformSigned(platformKey, answer.Timestamp, answer.Nonce, answer.Body, answer.Signature)
            ? answer
            : throw Untrusted(answer, "its signature does not verify with the platform certificate");
    }

    /// <summary>Sends a signed request; the answer is not verified (the certificate download verifies its own).</summary>
    public async Task<WeChatPayAnswer> SendAsync(WeChatPaySettings settings, HttpMethod method, string pathAndQuery, JsonObject? body, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(settings.BaseUrl.TrimEnd('/') + pathAndQuery, UriKind.Absolute, out var uri))
        {
            throw new ChannelException($"WeChat Pay's base URL {WeChatPayJson.Shown(settings.BaseUrl)} is not an absolute URL");
        }

        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body.ToJsonString(BodyJson));
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("Authorization", WeChatPaySignatures.Authorization(settings, MerchantKey(settings), method.Method, uri.PathAndQuery, bytes, _clock.Now));

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        try
        {
            using var response = await _http.Client.SendAsync(request, cancellationToken);
            var answerBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
            return new WeChatPayAnswer(
                (int)response.StatusCode, answerBody, Header("Wechatpay-Timestamp"), Header("Wechatpay-Nonce"), Header("Wechatpay-Signature"), Header("Wechatpay-Serial"));
        }
        catch (HttpRequestException e)
        {
            throw new ChannelException($"WeChat Pay could not be reached at {settings.BaseUrl}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChannelException($"WeChat Pay did not answer within {ChannelHttp.Timeout.TotalSeconds:0} s", e);
        }
    }

    private static RSA MerchantKey(WeChatPaySettings settings)
    {
        try
        {
            return RsaKeys.SharedPrivate(settings.PrivateKeyPem);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            throw new ChannelException("WECHAT_PAY_PRIVATE_KEY is not an RSA private key in PEM form", e);
        }
    }

    private static ChannelException Untrusted(WeChatPayAnswer answer, string why) =>
        new($"WeChat Pay's answer ({answer.Status}) is not trusted: {why}");
}
