using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Http;
using Harness.Security;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Alipay;

/// <summary>A business or gateway failure: the gateway's <c>code</c>/<c>msg</c> and Alipay's <c>sub_code</c>/<c>sub_msg</c>.</summary>
public sealed record AlipayFailure(string Code, string Msg, string SubCode, string SubMsg)
{
    public static AlipayFailure Business(string subCode, string subMsg) => new("40004", "Business Failed", subCode, subMsg);

    public static AlipayFailure Missing(string subCode, string subMsg) => new("40001", "Missing Required Arguments", subCode, subMsg);

    public static AlipayFailure Invalid(string subCode, string subMsg) => new("40002", "Invalid Arguments", subCode, subMsg);

    public static AlipayFailure InvalidParameter(string subMsg) => Business("ACQ.INVALID_PARAMETER", subMsg);

    public static AlipayFailure TradeNotExist() => Business("ACQ.TRADE_NOT_EXIST", "交易不存在");

    /// <summary>The v3 REST <c>code</c>: the sub code without its <c>ACQ.</c> or <c>isv.</c> family.</summary>
    public string V3Code => SubCode[(SubCode.IndexOf('.', StringComparison.Ordinal) + 1)..];
}

/// <summary>
/// Alipay's answers, signed with the Alipay key. The v2 gateway answers <c>{"&lt;method&gt;_response":{…},"sign":"…"}</c>
/// with the signature (the app's sign type) over the exact bytes of the inner object and <c>sign</c> after it; to an
/// encrypted request the inner object is its AES cipher text, a JSON string, and the signature is over that string
/// with its quotes, as Alipay's SDKs cut it out. The v3 REST routes answer plain (or, to an encrypted request,
/// encrypted) JSON with <c>alipay-timestamp</c>, <c>alipay-nonce</c> and <c>alipay-signature</c>, always RSA2, over
/// <c>timestamp\nnonce\nbody\n</c>.
/// </summary>
public sealed class AlipayReplies(AlipayKeys keys, AlipayContentEncryption encryption, TimeProvider wallClock)
{
    private readonly AlipayKeys _keys = keys;
    private readonly AlipayContentEncryption _encryption = encryption;
    private readonly TimeProvider _wallClock = wallClock;

    /// <summary>Chinese as itself, <c>/</c> unescaped: alipay-sdk slices the raw text, so any valid JSON escaping works.</summary>
    internal static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The v2 answer under <paramref name="responseKey"/> (HTTP 200, as Alipay answers business failures too); to a
    /// certificate-mode request, with <c>alipay_cert_sn</c> between the response object and <c>sign</c>; to a request
    /// whose content came encrypted, with the response object encrypted.
    /// </summary>
    public IResult Gateway(string responseKey, JsonObject inner, int status = StatusCodes.Status200OK, bool certificateMode = false, bool encrypted = false)
    {
        // Base64 needs no JSON escaping: the string is written (and signed) as the quoted cipher text itself.
        var text = encrypted ? $"\"{_encryption.Encrypt(inner.ToJsonString(Compact))}\"" : inner.ToJsonString(Compact);
        return Results.Text(Envelope(responseKey, text, certificateMode, withSignType: false), "application/json; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>
    /// The signed envelope as text, for the Alipay app's synchronous result, which carries it as a string:
    /// <c>sign_type</c> follows <c>sign</c> there, as the app SDK's <c>result</c> has it.
    /// </summary>
    public string SignedText(string responseKey, JsonObject inner, bool certificateMode, bool withSignType) =>
        Envelope(responseKey, inner.ToJsonString(Compact), certificateMode, withSignType);

    private string Envelope(string responseKey, string text, bool certificateMode, bool withSignType)
    {
        var certSn = certificateMode ? $"\"alipay_cert_sn\":\"{_keys.Certificates.AlipayCertSn}\"," : "";
        var signType = withSignType ? $",\"sign_type\":\"{_keys.SignType}\"" : "";
        return $"{{\"{responseKey}\":{text},{certSn}\"sign\":\"{_keys.Sign(text, certificateMode)}\"{signType}}}";
    }

    public static JsonObject Inner(AlipayFailure failure) => new()
    {
        ["code"] = failure.Code,
        ["msg"] = failure.Msg,
        ["sub_code"] = failure.SubCode,
        ["sub_msg"] = failure.SubMsg,
    };

    /// <summary>
    /// A v3 answer: the JSON as it is, or its AES cipher text to an encrypted request, signed in the response headers
    /// (with <c>alipay-sn</c> to a certificate-mode request).
    /// </summary>
    public IResult Rest(JsonObject body, int status = StatusCodes.Status200OK, bool certificateMode = false, bool encrypted = false) =>
        encrypted
            ? new RestResult(this, _encryption.Encrypt(body.ToJsonString(Compact)), "text/plain; charset=utf-8", status, certificateMode)
            : new RestResult(this, body.ToJsonString(Compact), "application/json; charset=utf-8", status, certificateMode);

    /// <summary>A v3 error, <c>{code, message, links}</c> as the SDK reads it (§3.4); the sandbox has no help pages to link, so <c>links</c> is empty.</summary>
    public IResult RestError(AlipayFailure failure, int status, bool certificateMode = false) =>
        Rest(new JsonObject { ["code"] = failure.V3Code, ["message"] = failure.SubMsg, ["links"] = new JsonArray() }, status, certificateMode);

    private sealed class RestResult(AlipayReplies replies, string body, string contentType, int status, bool certificateMode) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var timestamp = replies._wallClock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            var nonce = Secrets.RandomHex(16);
            var headers = httpContext.Response.Headers;
            headers["alipay-timestamp"] = timestamp;
            headers["alipay-nonce"] = nonce;
            headers["alipay-signature"] = replies._keys.Sign($"{timestamp}\n{nonce}\n{body}\n", AlipayKeys.Rsa2, certificateMode);
            headers["alipay-trace-id"] = Secrets.RandomHex(16);
            if (certificateMode)
            {
                headers["alipay-sn"] = replies._keys.Certificates.AlipayCertSn;
            }

            return Results.Text(body, contentType, Encoding.UTF8, status).ExecuteAsync(httpContext);
        }
    }
}

/// <summary>
/// Refusals no Alipay handler gave (an unreadable form, an unknown route, an injected 5xx), in Alipay's shape: on
/// <c>/v3/…</c> the REST <c>{code,message,links}</c>, elsewhere the gateway's signed <c>error_response</c>.
/// </summary>
public sealed class AlipayErrors(AlipayReplies replies) : IErrorEnvelope
{
    public IResult Error(ApiErrorKind kind, string message)
    {
        var failure = kind switch
        {
            ApiErrorKind.Internal or ApiErrorKind.Unavailable => new AlipayFailure("20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙"),
            ApiErrorKind.NotFound or ApiErrorKind.MethodNotAllowed => AlipayFailure.Invalid("isv.invalid-path", message),
            _ => AlipayFailure.Invalid("isv.invalid-parameter", message),
        };

        // The gateway answers a form it cannot read with HTTP 200, like its other argument errors; the v3 routes and
        // everything else (an unknown route, a body too large, an injected 5xx) keep the framework's status.
        var status = ApiErrorStatus.Default(kind);
        var gatewayStatus = kind == ApiErrorKind.Validation ? StatusCodes.Status200OK : status;
        return new ByPath(replies.RestError(failure, status), replies.Gateway("error_response", AlipayReplies.Inner(failure), gatewayStatus));
    }

    /// <summary>Answers in the REST shape on <c>/v3</c> and in the gateway's elsewhere.</summary>
    private sealed class ByPath(IResult rest, IResult gateway) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) =>
            (httpContext.Request.Path.StartsWithSegments("/v3") ? rest : gateway).ExecuteAsync(httpContext);
    }
}

/// <summary>The cashier methods (page.pay, wap.pay) are browser pages: their refusals are an HTML error page.</summary>
public static class AlipayCashierErrors
{
    public static IResult Page(AlipayFailure failure) => Results.Content(
        "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>支付宝 - 错误</title></head><body><h3>抱歉，支付请求出错</h3>"
        + $"<p id=\"error\">{WebUtility.HtmlEncode($"{failure.Code} {failure.SubCode}: {failure.SubMsg}")}</p></body></html>",
        "text/html; charset=utf-8",
        Encoding.UTF8,
        StatusCodes.Status400BadRequest);
}
