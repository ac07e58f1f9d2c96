using Microsoft.AspNetCore.Http;

namespace Harness.Core.Http;

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
/// A surface's error envelope (status code, body shape, codes). Attached to a surface's route group as
/// endpoint metadata, and registered by path prefix for requests that match no route.
/// </summary>
public interface IErrorEnvelope
{
    IResult Error(ApiErrorKind kind, string message);
}

/// <summary>Envelopes by path prefix, for failures that happen before or without an endpoint.</summary>
public sealed class ErrorEnvelopes
{
    private readonly List<(PathString Prefix, IErrorEnvelope Envelope)> _byPrefix = [];

    public void Register(PathString prefix, IErrorEnvelope envelope)
    {
        _byPrefix.Add((prefix, envelope));
        _byPrefix.Sort((a, b) => b.Prefix.Value!.Length.CompareTo(a.Prefix.Value!.Length));
    }

    public IErrorEnvelope For(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IErrorEnvelope>() is { } fromEndpoint)
        {
            return fromEndpoint;
        }

        foreach (var (prefix, envelope) in _byPrefix)
        {
            if (context.Request.Path.StartsWithSegments(prefix))
            {
                return envelope;
            }
        }

        return PlainErrorEnvelope.Instance;
    }
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
