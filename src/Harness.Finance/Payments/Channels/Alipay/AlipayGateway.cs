using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Security.Signing;

namespace Harness.Finance.Payments.Channels.Alipay;

/// <summary>
/// The v2 openapi gateway (providers.md §3.2, §3.3): one signed form POST per call, and an answer whose signature is
/// checked over the exact text of its <c>&lt;method&gt;_response</c> object before anything in it is believed; in
/// certificate mode with the key of the Alipay certificate the answer names, followed through a rotation.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The semaphore's wait handle is never asked for, so it holds nothing to dispose; the gateway lives as long as its channel.")]
internal sealed class AlipayGateway(ChannelClock clock, ChannelHttp http, AlipayCertificateTrust trust)
{
    /// <summary>How a certificate-mode client fetches an Alipay certificate it meets by SN and does not have.</summary>
    public const string CertDownload = "alipay.open.app.alipaycert.download";

    /// <summary>Gateway answers are a few hundred bytes; a bound keeps a misbehaving endpoint from filling memory.</summary>
    private const int MaxAnswerBytes = 1024 * 1024;

    /// <summary>One download at a time: answers racing after a rotation fetch the new certificate once, and forged notifies naming made-up SNs cannot fan out into parallel calls to Alipay.</summary>
    private readonly SemaphoreSlim _downloading = new(1, 1);

    public async Task<AlipayAnswer> CallAsync(AlipaySettings settings, string method, JsonObject bizContent, string? notifyUrl, CancellationToken cancellationToken)
    {
        var body = await PostAsync(settings, method, bizContent, notifyUrl, cancellationToken);
        var (inner, sign, certSn) = Slice(method, body);
        var key = await AlipayKeyAsync(settings, certSn, $"Alipay {method}: the answer", cancellationToken);
        return Verified(method, inner, sign, key, settings);
    }

    /// <summary>
    /// The Alipay public key (PEM) that must have signed an answer or notify naming <paramref name="certSn"/>: in
    /// public-key mode the configured one; in certificate mode the certificate with that SN, the configured one or one
    /// Alipay rotated to (fetched with <see cref="CertDownload"/> and trusted once it chains to the configured root).
    /// </summary>
    public async Task<string> AlipayKeyAsync(AlipaySettings settings, string? certSn, string what, CancellationToken cancellationToken)
    {
        if (settings.Certificates is not { } certificates)
        {
            return settings.AlipayPublicKeyPem;
        }

        if (string.IsNullOrEmpty(certSn))
        {
            throw new ChannelException($"{what} names no Alipay certificate (alipay_cert_sn) although ALIPAY_APP_CERT sets certificate mode; it is not trusted");
        }

        if (trust.KeyOf(settings, certificates, certSn) is { } known)
        {
            return known;
        }

        await _downloading.WaitAsync(cancellationToken);
        try
        {
            return trust.KeyOf(settings, certificates, certSn) ?? await DownloadAsync(settings, certificates, certSn, what, cancellationToken);
        }
        finally
        {
            _downloading.Release();
        }
    }

    private async Task<string> DownloadAsync(AlipaySettings settings, AlipayCertificateMode certificates, string certSn, string what, CancellationToken cancellationToken)
    {
        var body = await PostAsync(settings, CertDownload, new JsonObject { ["alipay_cert_sn"] = certSn }, null, cancellationToken);
        var (inner, sign, answerSn) = Slice(CertDownload, body);
        using var document = JsonDocument.Parse(inner);
        var download = new AlipayAnswer(CertDownload, document.RootElement);
        if (!download.IsSuccess)
        {
            throw new ChannelException($"{what} names Alipay certificate {certSn}, not ALIPAY_PUBLIC_CERT's {certificates.AlipayCertSn}, and fetching it failed: {download.Refusal().Message}");
        }

        string pem;
        try
        {
            pem = Encoding.UTF8.GetString(Convert.FromBase64String(download.Text("alipay_cert_content") ?? ""));
        }
        catch (FormatException e)
        {
            throw new ChannelException($"Alipay {CertDownload}: alipay_cert_content is not base64", e);
        }

        // Trust comes from the chain to the root; the download's own sign is then checked like any answer's.
        var key = trust.Take(certificates, certSn, pem);
        var signedWith = answerSn is null ? null : trust.KeyOf(settings, certificates, answerSn);
        Verified(CertDownload, inner, sign, signedWith ?? throw new ChannelException($"Alipay {CertDownload}: the answer names Alipay certificate {answerSn ?? "(none)"}, which is not trusted"), settings);
        return key;
    }

    private async Task<byte[]> PostAsync(AlipaySettings settings, string method, JsonObject bizContent, string? notifyUrl, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(settings.GatewayUrl, UriKind.Absolute, out var gateway) || (gateway.Scheme != Uri.UriSchemeHttps && gateway.Scheme != Uri.UriSchemeHttp))
        {
            throw new ChannelException($"Alipay: ALIPAY_GATEWAY '{settings.GatewayUrl}' is not an http(s) URL");
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["app_id"] = settings.AppId,
            ["method"] = method,
            ["format"] = "JSON",
            ["charset"] = "utf-8",
            ["sign_type"] = "RSA2",
            ["timestamp"] = AlipayWire.FormatTime(clock.Now),
            ["version"] = "1.0",
            ["biz_content"] = bizContent.ToJsonString(),
        };
        if (notifyUrl is not null)
        {
            parameters["notify_url"] = notifyUrl;
        }

        if (settings.Certificates is { } certificates)
        {
            parameters["app_cert_sn"] = certificates.AppCertSn;
            parameters["alipay_root_cert_sn"] = certificates.RootCertSn;
        }

        // Requests sign every parameter but sign itself, sign_type included.
        parameters["sign"] = RsaSignature.Sign(AlipayWire.AppPrivateKey(settings.AppPrivateKeyPem), AlipaySignContent.Of(parameters));

        using var form = new FormUrlEncodedContent(parameters);
        form.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
        try
        {
            using var response = await http.Client.PostAsync(gateway, form, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ChannelException($"Alipay {method}: the gateway answered HTTP {(int)response.StatusCode}");
            }

            await response.Content.LoadIntoBufferAsync(MaxAnswerBytes, cancellationToken);
            return await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChannelException($"Alipay {method}: no answer from the gateway within {ChannelHttp.Timeout.TotalSeconds:0} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new ChannelException($"Alipay {method}: the gateway could not be reached or answered unreadably: {e.Message}", e);
        }
    }

    /// <summary>The answer's object, once its <c>sign</c> verifies with <paramref name="alipayKeyPem"/> over the object's bytes exactly as they came.</summary>
    private static AlipayAnswer Verified(string method, ReadOnlyMemory<byte> inner, string? sign, string alipayKeyPem, AlipaySettings settings)
    {
        if (!RsaSignature.Verify(AlipayWire.AlipayPublicKey(alipayKeyPem), inner.Span, sign))
        {
            var key = settings.Certificates is null ? "ALIPAY_PUBLIC_KEY" : "the Alipay certificate it names";
            throw new ChannelException($"Alipay {method}: the answer's sign does not verify with {key} (or is missing); the answer is not trusted");
        }

        using var document = JsonDocument.Parse(inner);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? new AlipayAnswer(method, document.RootElement.Clone())
            : throw new ChannelException($"Alipay {method}: {ResponseKey(method)} is not a JSON object");
    }

    private static string ResponseKey(string method) => method.Replace('.', '_') + "_response";

    /// <summary>The raw bytes of the response object (or <c>error_response</c> for an unknown method), the sign and <c>alipay_cert_sn</c>.</summary>
    private static (ReadOnlyMemory<byte> Inner, string? Sign, string? CertSn) Slice(string method, byte[] body)
    {
        var responseKey = ResponseKey(method);
        ReadOnlyMemory<byte>? inner = null;
        string? sign = null;
        string? certSn = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ChannelException($"Alipay {method}: the answer is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if ((name == responseKey || name == "error_response") && inner is null)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    inner = body.AsMemory(start, (int)reader.BytesConsumed - start);
                }
                else if (name == "sign" && reader.TokenType == JsonTokenType.String)
                {
                    sign = reader.GetString();
                }
                else if (name == "alipay_cert_sn" && reader.TokenType == JsonTokenType.String)
                {
                    certSn = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw new ChannelException($"Alipay {method}: the answer is not well-formed JSON", e);
        }

        return inner is { } found ? (found, sign, certSn) : throw new ChannelException($"Alipay {method}: the answer has no {responseKey}");
    }
}

/// <summary>A verified gateway answer's object: <c>code</c> 10000 on success, <c>code</c>/<c>msg</c>/<c>sub_code</c>/<c>sub_msg</c> otherwise.</summary>
internal sealed record AlipayAnswer(string Method, JsonElement Fields)
{
    public const string TradeNotExist = "ACQ.TRADE_NOT_EXIST";

    public bool IsSuccess => Text("code") == "10000";

    public string? SubCode => Text("sub_code");

    /// <summary>A string field, or a number's text (amounts come either way); null when absent or of another kind.</summary>
    public string? Text(string name) => Fields.TryGetProperty(name, out var value)
        ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        }
        : null;

    public ChannelException Refusal() =>
        new($"Alipay {Method} refused: code {Text("code")} {Text("msg")}, sub_code {SubCode ?? "-"}: {Text("sub_msg") ?? "-"}");
}
