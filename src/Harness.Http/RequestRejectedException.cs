namespace Harness.Http;

/// <summary>
/// Thrown by request readers and binders to refuse a request; <see cref="ApiErrorMiddleware"/> answers it
/// in the app's envelope with this kind and message.
/// </summary>
public sealed class RequestRejectedException(ApiErrorKind kind, string message) : Exception(message)
{
    public ApiErrorKind Kind { get; } = kind;
}
