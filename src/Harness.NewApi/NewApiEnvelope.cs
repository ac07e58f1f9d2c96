using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Harness.NewApi;

/// <summary>
/// New-API's standard body: <c>{"success": true, "message": "", "data": …}</c>; a refusal is
/// <c>{"success": false, "message": "…"}</c> without <c>data</c> (new-api.md §1.1).
/// </summary>
public sealed record NewApiResponse<T>(
    bool Success,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] T? Data);

/// <summary>
/// New-API answers its refusals with HTTP 200 and <c>success: false</c>; only the auth middleware's missing
/// credentials and New-Api-User problems are 401, the rate limiter's 429 has an empty body, and what the
/// framework refuses before any handler (no such route, a body too large) keeps its REST status.
/// </summary>
public sealed class NewApiEnvelope : IErrorEnvelope
{
    public static readonly NewApiEnvelope Instance = new();

    private static readonly object NullData = JsonSerializer.SerializeToElement<object?>(null);

    public Type BodyType => typeof(NewApiResponse<object>);

    /// <summary>Success with <c>data</c>. A reference type only: <c>data</c> is left out when null, which System.Text.Json refuses to configure on a value type (box a number as <c>object</c>).</summary>
    public static Ok<NewApiResponse<T>> Ok<T>(T data)
        where T : class => TypedResults.Ok(new NewApiResponse<T>(true, "", data));

    /// <summary>
    /// Success with an explicit <c>"data": null</c>, where upstream hands a nil payload to its success answer (manual
    /// completion, plan updates; new-api.md §5.14, §6.4). A JSON null element is not a null reference, so it is written.
    /// </summary>
    public static Ok<NewApiResponse<object>> OkNull() => TypedResults.Ok(new NewApiResponse<object>(true, "", NullData));

    /// <summary>Success without <c>data</c> (a delete).</summary>
    public static Ok<NewApiResponse<object>> Done() => TypedResults.Ok(new NewApiResponse<object>(true, "", null));

    /// <summary>A business refusal: HTTP 200, <c>success: false</c>.</summary>
    public static Ok<NewApiResponse<object>> Fail(string message) => TypedResults.Ok(new NewApiResponse<object>(false, message, null));

    /// <summary>
    /// A webhook's bare answer: the status with an empty body, as upstream's webhooks answer (a content type keeps the
    /// error middleware from wording it in the envelope).
    /// </summary>
    public static IResult Bare(int status) => Results.Text("", "text/plain; charset=utf-8", statusCode: status);

    public int StatusOf(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        ApiErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
        ApiErrorKind.NotFound or ApiErrorKind.MethodNotAllowed or ApiErrorKind.PayloadTooLarge or ApiErrorKind.Internal or ApiErrorKind.Unavailable
            => ApiErrorStatus.Default(kind),
        _ => StatusCodes.Status200OK,
    };

    public IResult Error(ApiErrorKind kind, string message) => kind == ApiErrorKind.RateLimited
        ? Results.StatusCode(StatusCodes.Status429TooManyRequests)
        : TypedResults.Json(new NewApiResponse<object>(false, message, null), statusCode: StatusOf(kind));
}
