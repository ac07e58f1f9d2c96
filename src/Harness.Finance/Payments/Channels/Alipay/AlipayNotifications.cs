using System.Text;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Harness.Finance.Payments.Channels.Alipay;

/// <summary>
/// Reads Alipay's async notify (providers.md §3.5): a bounded form POST, RSA2-verified with the Alipay public key over
/// every parameter but <c>sign</c> and <c>sign_type</c> (in certificate mode with the certificate <c>alipay_cert_sn</c>
/// names), for this app, sent within five minutes of now.
/// </summary>
internal sealed class AlipayNotifications(ChannelSettings settings, ChannelClock clock, AlipayGateway gateway)
{
    /// <summary>A notify is about 1–2 KB; anything near this is not one.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>Alipay stamps each attempt with its sending time; an older one is a replay.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async Task<ChannelNotification> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        AlipaySettings alipay;
        try
        {
            alipay = settings.Alipay();
        }
        catch (ChannelException e)
        {
            return ChannelNotification.Refused(e.Message);
        }

        var (form, problem) = await ReadFormAsync(request, cancellationToken);
        return form is null ? ChannelNotification.Refused(problem!) : await VerifyAsync(form, alipay, cancellationToken);
    }

    private async Task<ChannelNotification> VerifyAsync(Dictionary<string, string> form, AlipaySettings alipay, CancellationToken cancellationToken)
    {
        if (form.GetValueOrDefault("sign") is not { Length: > 0 } sign)
        {
            return ChannelNotification.Refused("Alipay notify: no sign parameter");
        }

        if (form.GetValueOrDefault("sign_type") is { } signType && signType != "RSA2")
        {
            return ChannelNotification.Refused($"Alipay notify: sign_type '{signType}' is not RSA2");
        }

        // The cheap checks come before the key: a notify naming a certificate not met yet costs a download.
        var appId = form.GetValueOrDefault("app_id");
        if (appId != alipay.AppId)
        {
            return ChannelNotification.Refused($"Alipay notify: app_id '{appId}' is not this app's ({alipay.AppId})");
        }

        var notifyTime = form.GetValueOrDefault("notify_time");
        if (AlipayWire.ParseTime(notifyTime) is not { } sentAt)
        {
            return ChannelNotification.Refused($"Alipay notify: notify_time '{notifyTime}' is not a yyyy-MM-dd HH:mm:ss China time");
        }

        if ((clock.Now - sentAt).Duration() > Window)
        {
            return ChannelNotification.Refused(
                $"Alipay notify: notify_time {notifyTime} is outside the {Window.TotalMinutes:0}-minute window around now ({AlipayWire.FormatTime(clock.Now)} China time)");
        }

        try
        {
            // A notify without a serial is checked against the configured certificate, as Alipay's Java SDK checks every notify.
            var keyPem = form.GetValueOrDefault("alipay_cert_sn") is { Length: > 0 } certSn
                ? await gateway.AlipayKeyAsync(alipay, certSn, "Alipay notify", cancellationToken)
                : alipay.AlipayPublicKeyPem;
            var content = AlipaySignContent.Of(form.Where(p => p.Key is not ("sign" or "sign_type")));
            if (!RsaSignature.Verify(AlipayWire.AlipayPublicKey(keyPem), content, sign))
            {
                var key = alipay.Certificates is null ? "ALIPAY_PUBLIC_KEY" : "the Alipay certificate it names (ALIPAY_PUBLIC_CERT when it names none)";
                return ChannelNotification.Refused($"Alipay notify: the signature does not verify with {key}");
            }
        }
        catch (ChannelException e)
        {
            return ChannelNotification.Refused(e.Message);
        }

        return Trade(form) is { } trade
            ? ChannelNotification.Verified(trade, form.GetValueOrDefault("notify_id"))
            : ChannelNotification.Refused("Alipay notify: out_trade_no, trade_status, total_amount (yuan, two decimals) or gmt_payment is missing or malformed");
    }

    /// <summary>The trade a verified notify reports; null when a field it needs is missing or malformed.</summary>
    private static ChannelTrade? Trade(Dictionary<string, string> form)
    {
        ChannelTradeState? state = form.GetValueOrDefault("trade_status") switch
        {
            "WAIT_BUYER_PAY" => ChannelTradeState.NotPaid,
            "TRADE_SUCCESS" or "TRADE_FINISHED" => ChannelTradeState.Paid,
            "TRADE_CLOSED" => ChannelTradeState.Closed,
            _ => null,
        };
        var paidAtText = form.GetValueOrDefault("gmt_payment");
        var paidAt = AlipayWire.ParseTime(paidAtText);
        if (form.GetValueOrDefault("out_trade_no") is not { Length: > 0 } outTradeNo || state is null
            || AlipayWire.ParseFen(form.GetValueOrDefault("total_amount")) is not { } amount
            || (paidAtText is not null && paidAt is null))
        {
            return null;
        }

        return new ChannelTrade(outTradeNo, state.Value, amount, form.GetValueOrDefault("trade_no"), paidAt);
    }

    /// <summary>The decoded parameters of a UTF-8 urlencoded form, or why the body is not one.</summary>
    private static async Task<(Dictionary<string, string>? Form, string? Problem)> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"Alipay notify: content type '{request.ContentType}' is not application/x-www-form-urlencoded");
        }

        if (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"Alipay notify: charset '{type.Charset}' is not utf-8");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, $"Alipay notify: the body is over {MaxBodyBytes / 1024} KB");
        }

        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }
        }
        catch (IOException e)
        {
            return (null, "Alipay notify: the body could not be read: " + e.Message);
        }

        if (length > MaxBodyBytes)
        {
            return (null, $"Alipay notify: the body is over {MaxBodyBytes / 1024} KB");
        }

        try
        {
            return ParseForm(StrictUtf8.GetString(buffer, 0, length));
        }
        catch (DecoderFallbackException)
        {
            return (null, "Alipay notify: the body is not UTF-8");
        }
    }

    private static (Dictionary<string, string>? Form, string? Problem) ParseForm(string text)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !AreEscapesValid(pair))
            {
                return (null, $"Alipay notify: malformed form field '{Shorten(pair)}'");
            }

            var key = Decode(pair[..equals]);
            if (!form.TryAdd(key, Decode(pair[(equals + 1)..])))
            {
                return (null, $"Alipay notify: parameter '{Shorten(key)}' appears twice");
            }
        }

        return form.Count > 0 ? (form, null) : (null, "Alipay notify: the form is empty");
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    /// <summary>Every <c>%</c> starts a two-hex-digit escape (a stray one would otherwise pass through as itself).</summary>
    private static bool AreEscapesValid(string text)
    {
        for (var i = text.IndexOf('%', StringComparison.Ordinal); i >= 0; i = text.IndexOf('%', i + 1))
        {
            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
