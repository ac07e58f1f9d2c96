using Microsoft.AspNetCore.Http;

namespace Harness.Http;

/// <summary>The kinds of failure every surface can report; each surface words and codes them its own way.</summary>
public enum ApiErrorKind
{
    Validation,
    Unauthenticated,
    InsufficientBalance,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Internal,
    Unavailable,
}

/// <summary>
/// An app's error envelope (status code, body shape, codes): one per surface app and one per sandbox
/// provider, given to <see cref="ApiErrorExtensions.AddApiErrors"/>. An endpoint may carry another
/// as metadata (the sandbox's pay pages do).
/// </summary>
public interface IErrorEnvelope
{
    IResult Error(ApiErrorKind kind, string message);

    /// <summary>The status <see cref="Error"/> answers for <paramref name="kind"/>, for the OpenAPI document.</summary>
    int StatusOf(ApiErrorKind kind) => ApiErrorStatus.Default(kind);

    /// <summary>The body <see cref="Error"/> answers with, for the OpenAPI document.</summary>
    Type BodyType => typeof(object);
}

/// <summary>The envelope that words a request's failure: its endpoint's, else the app's.</summary>
public sealed class ErrorEnvelopes(IErrorEnvelope appEnvelope)
{
    /// <summary>The app's envelope.</summary>
    public IErrorEnvelope App => appEnvelope;

    public IErrorEnvelope For(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IErrorEnvelope>() ?? appEnvelope;
}

/// <summary>For paths outside every surface: a small JSON body with the status and a message.</summary>
public sealed class PlainErrorEnvelope : IErrorEnvelope
{
    public static readonly PlainErrorEnvelope Instance = new();

    public IResult Error(ApiErrorKind kind, string message) =>
        Results.Json(new { error = message }, statusCode: ApiErrorStatus.Default(kind));
}

public static class ApiErrorStatus
{
    /// <summary>The HTTP status a REST surface naturally uses for each kind.</summary>
    public static int Default(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.Validation => StatusCodes.Status400BadRequest,
        ApiErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        ApiErrorKind.InsufficientBalance => StatusCodes.Status402PaymentRequired,
        ApiErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ApiErrorKind.NotFound => StatusCodes.Status404NotFound,
        ApiErrorKind.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        ApiErrorKind.Conflict => StatusCodes.Status409Conflict,
        ApiErrorKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ApiErrorKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ApiErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
        ApiErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}

/// <summary>Refusals worded the same on every app.</summary>
public static class ApiErrorMessages
{
    public const string BodyRequired = "request body is required";
}
