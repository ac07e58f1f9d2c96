using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

/// <summary>What an answer must look like, per surface: null when it conforms, else what is wrong.</summary>
public static class AnswerShapes
{
    /// <summary>Finance: <c>{code, message, data}</c>; an error's code is its status × 100 and its data null.</summary>
    public static string? Finance(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (ObjectOf(body) is not { } root)
        {
            return "not a JSON object";
        }

        if (root["code"] is not JsonValue code || !code.TryGetValue(out long codeValue)
            || root["message"] is not JsonValue message || message.GetValueKind() != JsonValueKind.String
            || !root.ContainsKey("data"))
        {
            return "not the {code, message, data} envelope";
        }

        if (status >= 400)
        {
            return codeValue == status * 100L && root["data"] is null ? null : $"an error with code {codeValue} and data {root["data"]?.ToJsonString()}";
        }

        return codeValue == 0 ? null : $"a {status} with code {codeValue}";
    }

    /// <summary>
    /// New-API (docs/new-api.md): <c>{success, message[, data]}</c>, or the payment routes' <c>{message, data}</c>; a
    /// notify's plain <c>success</c>/<c>fail</c>; a webhook's or the rate limiter's bare status with an empty body; the
    /// subscription return's redirect.
    /// </summary>
    public static string? NewApi(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status == 302)
        {
            // The subscription's browser return sends the buyer back to the site.
            return response.Headers.Location is null ? "a redirect without a Location" : null;
        }

        if (response.Content.Headers.ContentType?.MediaType == "text/plain")
        {
            return body is "" or "success" or "fail" ? null : $"a text answer \"{body[..Math.Min(body.Length, 40)]}\"";
        }

        if (status == 429)
        {
            return body.Length == 0 ? null : "a 429 with a body";
        }

        if (ObjectOf(body) is not { } root || root["message"] is not JsonValue message || message.GetValueKind() != JsonValueKind.String)
        {
            return "not New-API's envelope";
        }

        if (root["success"] is JsonValue success && success.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return status is 200 or 401 or 404 or 405 or 413 or 503 ? null : $"a {status} in the standard envelope";
        }

        return root.ContainsKey("data") && status == 200 ? null : "neither the standard nor the payment envelope";
    }

    /// <summary>
    /// Portaly (docs/portaly.md, "Envelope" and "Rate limits"): a success is <c>{"data": …}</c> (an uploaded file, its image);
    /// a refusal <c>{"error": "…", "code": "STABLE_CODE"}</c> without data, a shared code with its status; the rate
    /// limiter's 429 carries <c>Retry-After</c> and <c>{"error": "Rate limit exceeded. …"}</c>.
    /// </summary>
    public static string? Portaly(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status < 300 && response.Content.Headers.ContentType?.MediaType is { } type && type.StartsWith("image/", StringComparison.Ordinal))
        {
            return response.RequestMessage?.RequestUri?.AbsolutePath.StartsWith("/files/", StringComparison.Ordinal) == true ? null : $"a {status} of {type} from an API route";
        }

        if (ObjectOf(body) is not { } root)
        {
            return "not a JSON object";
        }

        if (status < 300)
        {
            return status >= 200 && root.ContainsKey("data") && !root.ContainsKey("error") ? null : $"a {status} without {{\"data\": …}}";
        }

        if (root["error"] is not JsonValue error || error.GetValueKind() != JsonValueKind.String || root.ContainsKey("data"))
        {
            return "not Portaly's {\"error\", \"code\"} without data";
        }

        if (status == 429)
        {
            return response.Headers.RetryAfter is null ? "a 429 without Retry-After"
                : error.GetValue<string>().StartsWith("Rate limit exceeded.", StringComparison.Ordinal) ? null : "a 429 that is not the rate limiter's";
        }

        if (root["code"] is not JsonValue code || code.GetValueKind() != JsonValueKind.String)
        {
            return "a refusal without its code";
        }

        var name = code.GetValue<string>();
        return status is < 400 or >= 500 ? $"a {status} refusal"
            : PortalyStatuses.TryGetValue(name, out var documented) && documented != status ? $"{name} with status {status}, documented {documented}"
            : null;
    }

    // The envelope's shared codes and their one status; a business code (DUPLICATE_CODE 409, …) has its route's.
    private static readonly Dictionary<string, int> PortalyStatuses = new(StringComparer.Ordinal)
    {
        ["VALIDATION_ERROR"] = 400, ["UNAUTHORIZED"] = 401, ["FORBIDDEN"] = 403, ["NOT_FOUND"] = 404,
        ["METHOD_NOT_ALLOWED"] = 405, ["PAYLOAD_TOO_LARGE"] = 413, ["UNSUPPORTED_MEDIA_TYPE"] = 415,
    };

    /// <summary>The sandbox's control API: any JSON on success, <c>{"error": "…"}</c> on a refusal.</summary>
    public static string? Control(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (status is 204 && body.Length == 0)
        {
            return null;
        }

        if (status < 400)
        {
            return contentType?.StartsWith("application/json", StringComparison.Ordinal) == true ? null : $"a {status} of {contentType ?? "no type"}";
        }

        return ObjectOf(body)?["error"] is JsonValue error && error.GetValueKind() == JsonValueKind.String
            ? null
            : "not the {\"error\": …} envelope";
    }

    /// <summary>Stripe: a <c>Request-Id</c> on every answer; an error is <c>{"error": {"type", "message"}}</c>.</summary>
    public static string? Stripe(HttpResponseMessage response, string body)
    {
        if (!response.Headers.Contains("Request-Id"))
        {
            return "no Request-Id header";
        }

        var status = (int)response.StatusCode;
        if (status < 400)
        {
            return ObjectOf(body) is null ? "not a JSON object" : null;
        }

        return ObjectOf(body)?["error"] is JsonObject error && error["type"] is JsonValue && error["message"] is JsonValue
            ? null
            : "not Stripe's {\"error\": {type, message}}";
    }

    /// <summary>Creem: an error is <c>{statusCode, message, error}</c> with the status repeated.</summary>
    public static string? Creem(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status < 400)
        {
            return ObjectOf(body) is null ? "not a JSON object" : null;
        }

        return ObjectOf(body) is { } root && root["statusCode"] is JsonValue code && code.TryGetValue(out int repeated) && repeated == status
            && root["message"] is not null && root["error"] is JsonValue
            ? null
            : "not Creem's {statusCode, message, error}";
    }

    /// <summary>
    /// Epay: its JSON APIs answer <c>{code, msg}</c>; its pay form answers an HTML page or a redirect.
    /// </summary>
    public static string? Epay(HttpResponseMessage response, string body)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (response.RequestMessage?.RequestUri?.AbsolutePath is "/submit.php" or "/api/pay/submit")
        {
            return (int)response.StatusCode is >= 300 and < 400 || mediaType == "text/html" ? null : $"a {(int)response.StatusCode} of {mediaType ?? "no type"} from the pay form";
        }

        return ObjectOf(body) is { } root && root["code"] is JsonValue
            ? null
            : "not Epay's {code, msg}";
    }

    /// <summary>WeChat Pay API v3: every answer signed (<c>Wechatpay-Signature</c>); an error is <c>{code, message}</c>.</summary>
    public static string? WeChatPay(HttpResponseMessage response, string body)
    {
        if (!response.Headers.Contains("Wechatpay-Signature"))
        {
            return "no Wechatpay-Signature header";
        }

        if ((int)response.StatusCode < 400)
        {
            return body.Length == 0 || ObjectOf(body) is not null ? null : "not a JSON object";
        }

        return ObjectOf(body) is { } root && root["code"] is JsonValue && root["message"] is JsonValue
            ? null
            : "not WeChat Pay's {code, message}";
    }

    /// <summary>
    /// Alipay: the v2 gateway answers <c>{"…_response": {code, msg}, "sign": …}</c> (business refusals with HTTP 200,
    /// <c>alipay_cert_sn</c> between them to a certificate-mode request);
    /// a refusal before the gateway's own checks is <c>{code, message}</c> with HTTP ≥ 400.
    /// </summary>
    public static string? Alipay(HttpResponseMessage response, string body)
    {
        var root = ObjectOf(body);
        if ((int)response.StatusCode >= 400 && root?["code"] is JsonValue && root["message"] is JsonValue)
        {
            return null;
        }

        // A certificate-mode answer names Alipay's certificate beside the response and the sign.
        return (root is { Count: 2 } || (root is { Count: 3 } && root["alipay_cert_sn"] is JsonValue)) && root["sign"] is JsonValue
            && root.FirstOrDefault(p => p.Key.EndsWith("_response", StringComparison.Ordinal)).Value is JsonObject inner
            && inner["code"] is JsonValue && inner["msg"] is JsonValue
            ? null
            : "not Alipay's {\"…_response\": {code, msg}, \"sign\"}";
    }

    /// <summary>
    /// Alipay's v3 routes: an answer is the plain JSON object of its fields (no code, no sign: the signature is in the
    /// headers); a refusal is <c>{code, message}</c> with HTTP ≥ 400.
    /// </summary>
    public static string? AlipayV3(HttpResponseMessage response, string body) =>
        ObjectOf(body) is { } root && ((int)response.StatusCode < 400 || (root["code"] is JsonValue && root["message"] is JsonValue))
            ? null
            : "not Alipay v3's JSON object (or {code, message} for a refusal)";

    /// <summary>
    /// TapPay: every answer is <c>{status, msg}</c> with an integer status — refusals included, which its API gives
    /// with HTTP 200 (providers.md §7.1); only refusals before any handler (unknown route, oversized body) are 4xx.
    /// </summary>
    public static string? TapPay(HttpResponseMessage response, string body) =>
        ObjectOf(body) is { } root && root["status"] is JsonValue status && status.TryGetValue(out int _) && root["msg"] is JsonValue msg && msg.GetValueKind() == JsonValueKind.String
            ? null
            : "not TapPay's {status, msg}";

    /// <summary>The body as a JSON object, or null when it is not one.</summary>
    public static JsonObject? ObjectOf(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
