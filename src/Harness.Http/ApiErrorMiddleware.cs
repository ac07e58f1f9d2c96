using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Harness.Http;

/// <summary>
/// Turns every failure outside a handler's own validation into the surface's envelope: unreadable or
/// mistyped JSON, missing bodies, wrong content types, unknown routes and methods. Bad input is a 4xx;
/// only a genuine bug reaches the 500 branch, and it is logged.
/// </summary>
public sealed class ApiErrorMiddleware(RequestDelegate next, ErrorEnvelopes envelopes, ApiErrorOptions options, ILogger<ApiErrorMiddleware> logger)
{
    private const string UnsupportedMediaMessage = "request body must be JSON (Content-Type: application/json)";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, KindOf(ex.StatusCode), Describe(ex, context));
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away; there is nobody to answer
        }
        catch (RequestRejectedException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, ex.Kind, ex.Message);
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted && options.Answer(ex) is { } answer)
        {
            logger.LogError(ex, "{Kind} for {Method} {Path}", answer.Kind, context.Request.Method, context.Request.Path);
            await WriteAsync(context, answer.Kind, answer.Message);
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            logger.LogError(ex, "Unhandled error for {Method} {Path}", context.Request.Method, context.Request.Path);
            await WriteAsync(context, ApiErrorKind.Internal, "internal error");
            return;
        }

        // The framework answered on its own (no route, wrong method, wrong content type, a rate limiter): give those
        // the surface's envelope too, so a client never has to parse an empty error.
        if (!context.Response.HasStarted && context.Response.StatusCode >= 400
            && context.Response.ContentLength is null or 0 && context.Response.ContentType is null)
        {
            var (kind, message) = context.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => (ApiErrorKind.NotFound, $"no route for {context.Request.Method} {context.Request.Path}"),
                StatusCodes.Status405MethodNotAllowed => (ApiErrorKind.MethodNotAllowed, $"method {context.Request.Method} is not allowed on {context.Request.Path}"),
                StatusCodes.Status415UnsupportedMediaType => (ApiErrorKind.UnsupportedMediaType, UnsupportedMediaMessage),
                StatusCodes.Status413PayloadTooLarge => (ApiErrorKind.PayloadTooLarge, "request body is too large"),
                StatusCodes.Status429TooManyRequests => (ApiErrorKind.RateLimited, "too many requests"),
                _ => (ApiErrorKind.Validation, "bad request"),
            };
            await WriteAsync(context, kind, message);
        }
    }

    private Task WriteAsync(HttpContext context, ApiErrorKind kind, string message) =>
        envelopes.For(context).Error(kind, message).ExecuteAsync(context);

    // A route that binds a body declares what it accepts; a 400 there with no body sent is a missing body.
    private static bool TakesBody(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is not null;

    private static bool CanHaveBody(HttpContext context) =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;

    private static ApiErrorKind KindOf(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => ApiErrorKind.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => ApiErrorKind.UnsupportedMediaType,
        _ => ApiErrorKind.Validation,
    };

    private static string Describe(BadHttpRequestException ex, HttpContext context)
    {
        if (ex.InnerException is JsonException json)
        {
            var field = json.Path is { Length: > 2 } path ? path[2..] : null;
            return field is null
                ? "request body is not valid JSON"
                : $"invalid value for field '{field}': wrong type, malformed or out of range";
        }

        return ex.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => "request body is too large",
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaMessage,
            _ when TakesBody(context) && !CanHaveBody(context) => ApiErrorMessages.BodyRequired,
            _ => "bad request: " + ex.Message,
        };
    }
}

public static class ApiErrorExtensions
{
    /// <summary>
    /// Makes <paramref name="envelope"/> the app's error envelope, and minimal APIs throw on bad input so
    /// the middleware can word it. <paramref name="configure"/> names the exceptions a handler may let
    /// through and how each is answered.
    /// </summary>
    public static IServiceCollection AddApiErrors(this IServiceCollection services, IErrorEnvelope envelope, Action<ApiErrorOptions>? configure = null)
    {
        var options = new ApiErrorOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.AddSingleton(new ErrorEnvelopes(envelope));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static IApplicationBuilder UseApiErrors(this IApplicationBuilder app) => app.UseMiddleware<ApiErrorMiddleware>();
}
