using System.Text.Json.Nodes;
using Harness.Http;
using Harness.Security;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>An answer of the Stripe API: status and JSON body (a resource, a list or an error envelope).</summary>
public sealed record StripeResponse(int Status, JsonObject Body, bool Stored = true)
{
    public static StripeResponse Ok(JsonObject body) => new(StatusCodes.Status200OK, body);
}

/// <summary>Stripe's error envelope: <c>{"error":{"type","code","message","param","doc_url","request_log_url"}}</c>.</summary>
public sealed class StripeErrors : IErrorEnvelope
{
    public static readonly StripeErrors Instance = new();

    public IResult Error(ApiErrorKind kind, string message) => kind switch
    {
        ApiErrorKind.Unauthenticated => Json(Envelope(401, "invalid_request_error", message, null, null)),
        ApiErrorKind.NotFound => Json(Envelope(404, "invalid_request_error", "Unrecognized request URL. " + message, null, null)),
        ApiErrorKind.MethodNotAllowed => Json(Envelope(404, "invalid_request_error", "Unrecognized request URL. " + message, null, null)),
        ApiErrorKind.Internal => Json(Envelope(500, "api_error", message, null, null)),
        ApiErrorKind.Unavailable => Json(Envelope(503, "api_error", message, null, null)),
        ApiErrorKind.Conflict => Json(Envelope(409, "invalid_request_error", message, "idempotency_key_in_use", null)),
        _ => Json(Envelope(400, "invalid_request_error", message, null, null)),
    };

    /// <summary>400 for a bad parameter; such requests are not stored under their idempotency key.</summary>
    public static StripeResponse InvalidParam(string message, string? param, string? code = null) =>
        Envelope(400, "invalid_request_error", message, code ?? (param is null ? null : "parameter_invalid"), param);

    /// <summary>The sandbox's 400 for a parameter Stripe has whose behaviour the sandbox does not build: refused by name, never ignored.</summary>
    public static StripeResponse NotSimulated(string param, string why) =>
        InvalidParam($"`{param}` is not simulated by the sandbox: {why}.", param);

    public static StripeResponse Missing(string param) =>
        Envelope(400, "invalid_request_error", $"Missing required param: {param}.", "parameter_missing", param);

    public static StripeResponse NoSuch(string type, string id, string param) =>
        Envelope(404, "invalid_request_error", $"No such {type}: '{id}'", "resource_missing", param);

    public static StripeResponse Envelope(int status, string type, string message, string? code, string? param)
    {
        var error = new JsonObject { ["type"] = type, ["message"] = message };
        if (code is not null)
        {
            error["code"] = code;
            error["doc_url"] = $"https://stripe.com/docs/error-codes/{code.Replace('_', '-')}";
        }

        if (param is not null)
        {
            error["param"] = param;
        }

        error["request_log_url"] = "https://dashboard.stripe.com/test/logs/req_" + Secrets.RandomHex(7);
        return new StripeResponse(status, new JsonObject { ["error"] = error }, Stored: false);
    }

    /// <summary>
    /// Every Stripe answer goes out through here, whichever layer gives it — a handler, an injected fault or the
    /// error middleware — so every one carries a <c>Request-Id</c>, as Stripe's do.
    /// </summary>
    public static IResult Json(StripeResponse response) => new StripeResult(response);

    private sealed class StripeResult(StripeResponse response) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.TryAdd("Request-Id", "req_" + Secrets.RandomHex(7));
            return Results.Text(response.Body.ToJsonString(StripeJson.Options), "application/json", statusCode: response.Status).ExecuteAsync(httpContext);
        }
    }
}
