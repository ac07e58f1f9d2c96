using System.Text.Json.Nodes;
using Harness.Http;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// APIv3's error shape (providers.md §2.2): <c>{"code":"PARAM_ERROR","message":"…","detail":{…}}</c>, the HTTP status
/// telling a business error (4xx) from a retryable one (5xx). The response-signing middleware signs these too.
/// </summary>
public sealed class WeChatPayErrors : IErrorEnvelope
{
    public static readonly WeChatPayErrors Instance = new();

    public IResult Error(ApiErrorKind kind, string message) => kind switch
    {
        ApiErrorKind.Unauthenticated => Of(401, "SIGN_ERROR", message),
        ApiErrorKind.Forbidden => Of(403, "NO_AUTH", message),
        ApiErrorKind.NotFound or ApiErrorKind.MethodNotAllowed => Of(404, "NOT_FOUND", message),
        ApiErrorKind.RateLimited => Of(429, "FREQUENCY_LIMITED", message),
        ApiErrorKind.Internal => Of(500, "SYSTEM_ERROR", message),
        ApiErrorKind.Unavailable => Of(503, "SYSTEM_ERROR", message),
        _ => Of(ApiErrorStatus.Default(kind), "PARAM_ERROR", message),
    };

    public static IResult Of(int status, string code, string message, JsonObject? detail = null)
    {
        var body = new JsonObject { ["code"] = code, ["message"] = message };
        if (detail is not null)
        {
            body["detail"] = detail;
        }

        return Results.Text(body.ToJsonString(WeChatPayJson.Options), "application/json; charset=utf-8", statusCode: status);
    }

    /// <summary>A field that fails its rule: 400 PARAM_ERROR naming the field where it was read from.</summary>
    public static IResult Param(string field, string issue, string? value = null, string location = "body") =>
        Of(400, "PARAM_ERROR", $"输入源“/{location}/{field}”映射到字段“{field}”{issue}", new JsonObject
        {
            ["field"] = field,
            ["value"] = value,
            ["issue"] = issue,
            ["location"] = location,
        });

    public static IResult Missing(string field, string location = "body") => Param(field, "必填性规则校验失败，此字段为必填项", location: location);

    public static IResult InvalidRequest(string message) => Of(400, "INVALID_REQUEST", message);

    public static IResult OrderNotExist() => Of(404, "ORDER_NOT_EXIST", "订单不存在");
}
