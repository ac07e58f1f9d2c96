using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Security.Signing;

namespace Harness.Finance.Payments.Channels.Alipay;

/// <summary>
/// The v2 openapi gateway (providers.md §3.2, §3.3): one signed form POST per call, and an answer whose signature is
/// checked over the exact text of its <c>&lt;method&gt;_response</c> object before anything in it is believed.
/// </summary>
internal sealed class AlipayGateway(ChannelClock clock, ChannelHttp http)
{
    /// <summary>Gateway answers are a few hundred bytes; a bound keeps a misbehaving endpoint from filling memory.</summary>
    private const int MaxAnswerBytes = 1024 * 1024;

    public async Task<AlipayAnswer> CallAsync(AlipaySettings settings, string method, JsonObject bizContent, string? notifyUrl, CancellationToken cancellationToken)
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
        byte[] body;
        try
        {
            using var response = await http.Client.PostAsync(gateway, form, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ChannelException($"Alipay {method}: the gateway answered HTTP {(int)response.StatusCode}");
            }

            await response.Content.LoadIntoBufferAsync(MaxAnswerBytes, cancellationToken);
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChannelException($"Alipay {method}: no answer from the gateway within {ChannelHttp.Timeout.TotalSeconds:0} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new ChannelException($"Alipay {method}: the gateway could not be reached or answered unreadably: {e.Message}", e);
        }

        return Verify(method, body, settings);
    }

    /// <summary>
    /// The answer's object, once its <c>sign</c> verifies over the object's bytes exactly as they came; in certificate
    /// mode also once <c>alipay_cert_sn</c> names the configured Alipay certificate (a new one means Alipay has rotated
    /// it, and the merchant must fetch it before trusting anything signed with it).
    /// </summary>
    private static AlipayAnswer Verify(string method, byte[] body, AlipaySettings settings)
    {
        var responseKey = method.Replace('.', '_') + "_response";
        var (inner, sign, certSn) = Slice(method, body, responseKey);
        if (settings.Certificates is { } certificates && certSn != certificates.AlipayCertSn)
        {
            throw new ChannelException(
                $"Alipay {method}: the answer names Alipay certificate {certSn ?? "(none)"}, not ALIPAY_PUBLIC_CERT's {certificates.AlipayCertSn}; the answer is not trusted");
        }

        if (!RsaSignature.Verify(AlipayWire.AlipayPublicKey(settings.AlipayPublicKeyPem), inner.Span, sign))
        {
            var key = settings.Certificates is null ? "ALIPAY_PUBLIC_KEY" : "ALIPAY_PUBLIC_CERT";
            throw new ChannelException($"Alipay {method}: the answer's sign does not verify with {key} (or is missing); the answer is not trusted");
        }

        using var document = JsonDocument.Parse(inner);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? new AlipayAnswer(method, document.RootElement.Clone())
            : throw new ChannelException($"Alipay {method}: {responseKey} is not a JSON object");
    }

    /// <summary>The raw bytes of the response object (or <c>error_response</c> for an unknown method), the sign and <c>alipay_cert_sn</c>.</summary>
    private static (ReadOnlyMemory<byte> Inner, string? Sign, string? CertSn) Slice(string method, byte[] body, string responseKey)
    {
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
