using System.Reflection;
using System.Text.Json.Serialization;
using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Harness.Portaly;

/// <summary>Portaly's success body: <c>{"data": …}</c>.</summary>
public sealed record PortalyResponse<T>(T Data);

/// <summary>A page of a list: <c>{"data": [...], "pagination": {"hasMore", "nextCursor", "count"}}</c>.</summary>
public sealed record PortalyList<T>(IReadOnlyList<T> Data, Pagination Pagination);

public sealed record Pagination(bool HasMore, string? NextCursor, int Count);

/// <summary>
/// Portaly's failure body: <c>{"error": "…", "code": "STABLE_CODE"}</c>; a validation failure adds
/// <c>details</c>, the problems found (today the first one).
/// </summary>
public sealed record PortalyError(
    string Error,
    string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Details = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);

/// <summary>Portaly's envelope: REST statuses, a stable <c>code</c> clients branch on (docs/portaly.md lists them).</summary>
public sealed class PortalyEnvelope : IErrorEnvelope
{
    public static readonly PortalyEnvelope Instance = new();

    public const string ValidationFailed = "Validation failed";

    public Type BodyType => typeof(PortalyError);

    public static Ok<PortalyResponse<T>> Ok<T>(T data) => TypedResults.Ok(new PortalyResponse<T>(data));

    public static Created<PortalyResponse<T>> Created<T>(string location, T data) => TypedResults.Created(location, new PortalyResponse<T>(data));

    public IResult Error(ApiErrorKind kind, string message) => kind == ApiErrorKind.Validation
        ? TypedResults.Json(new PortalyError(ValidationFailed, "VALIDATION_ERROR", [message]), statusCode: StatusCodes.Status400BadRequest)
        : TypedResults.Json(new PortalyError(message, CodeOf(kind)), statusCode: ApiErrorStatus.Default(kind));

    public static string CodeOf(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.Validation => "VALIDATION_ERROR",
        ApiErrorKind.Unauthenticated => "UNAUTHORIZED",
        ApiErrorKind.Forbidden => "FORBIDDEN",
        ApiErrorKind.NotFound => "NOT_FOUND",
        ApiErrorKind.MethodNotAllowed => "METHOD_NOT_ALLOWED",
        ApiErrorKind.Conflict => "CONFLICT",
        ApiErrorKind.PayloadTooLarge => "PAYLOAD_TOO_LARGE",
        ApiErrorKind.UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
        ApiErrorKind.RateLimited => "RATE_LIMITED",
        ApiErrorKind.Unavailable => "UNAVAILABLE",
        _ => "INTERNAL_ERROR",
    };
}

/// <summary>
/// A business-rule refusal with its own status and stable code (<c>PLAN_FIELD_LOCKED</c> 422,
/// <c>DUPLICATE_CODE</c> 409, …), which the shared refusal kinds do not name. Declares the envelope's
/// body for the 4xx statuses to the OpenAPI document.
/// </summary>
public sealed class PortalyFailure(int status, string code, string message, string? reason = null) : IResult, IEndpointMetadataProvider
{
    public int Status => status;

    public string Code => code;

    public string Message => message;

    /// <summary>Why, in a stable word, beside the code (<c>INVALID_DISCOUNT_CODE</c>'s <c>reason</c>).</summary>
    public string? Reason => reason;

    public static PortalyFailure NotFound(string message) => new(StatusCodes.Status404NotFound, "NOT_FOUND", message);

    public static PortalyFailure Forbidden(string message) => new(StatusCodes.Status403Forbidden, "FORBIDDEN", message);

    /// <summary>A rule the request's content breaks that only the service can see (an unknown plan in a rule).</summary>
    public static PortalyFailure Invalid(string problem) => new(StatusCodes.Status400BadRequest, "VALIDATION_ERROR", problem);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var body = code == "VALIDATION_ERROR" ? new PortalyError(PortalyEnvelope.ValidationFailed, code, [message]) : new PortalyError(message, code, Reason: reason);
        return TypedResults.Json(body, statusCode: status).ExecuteAsync(httpContext);
    }

#pragma warning disable CA1000 // IEndpointMetadataProvider is a static interface member by design.
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        foreach (var status in new[] { 400, 403, 404, 409, 422 })
        {
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(PortalyError), ["application/json"]));
        }
    }
#pragma warning restore CA1000
}
