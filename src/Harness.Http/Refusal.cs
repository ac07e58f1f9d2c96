using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Http;

/// <summary>A kind of refusal as a type, so a handler's return type can name the refusals it makes.</summary>
public interface IRefusalKind
{
    static abstract ApiErrorKind Kind { get; }
}

/// <summary>The refusal kinds a handler names in <c>Results&lt;Ok&lt;T&gt;, Refusal&lt;Refused.NotFound&gt;, …&gt;</c>.</summary>
public static class Refused
{
    public sealed class Validation : IRefusalKind
    {
        public static ApiErrorKind Kind => ApiErrorKind.Validation;
    }

    public sealed class Unauthenticated : IRefusalKind
    {
        public static ApiErrorKind Kind => ApiErrorKind.Unauthenticated;
    }

    public sealed class InsufficientBalance : IRefusalKind
    {
        public static ApiErrorKind Kind => ApiErrorKind.InsufficientBalance;
    }

    public sealed class Forbidden : IRefusalKind
    {
        public static ApiErrorKind Kind => ApiErrorKind.Forbidden;
    }

    public sealed class NotFound : IRefusalKind
    {
        public static ApiErrorKind Kind => ApiErrorKind.NotFound;
    }

    public sealed class Conflict : IRefusalKind
    {
        public static ApiErrorKind Kind => ApiErrorKind.Conflict;
    }

    public sealed class RateLimited : IRefusalKind
    {
        public static ApiErrorKind Kind => ApiErrorKind.RateLimited;
    }
}

/// <summary>
/// A handler's refusal, answered in the envelope of the app (or endpoint) it runs in. Naming it in a
/// handler's <c>Results&lt;…&gt;</c> lists the refusal's status and body in the OpenAPI document.
/// </summary>
public sealed class Refusal<TKind>(string message) : IResult, IEndpointMetadataProvider
    where TKind : IRefusalKind
{
    public string Message { get; } = message;

    public Task ExecuteAsync(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<ErrorEnvelopes>().For(httpContext).Error(TKind.Kind, Message).ExecuteAsync(httpContext);

#pragma warning disable CA1000 // IEndpointMetadataProvider is a static interface member by design.
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => builder.AddRefusal(TKind.Kind);
#pragma warning restore CA1000
}

public static class RefusalMetadata
{
    /// <summary>Lists <paramref name="kinds"/> among the endpoint's answers, for routes that answer without a typed result.</summary>
    public static TBuilder ProducesRefusals<TBuilder>(this TBuilder builder, params ApiErrorKind[] kinds)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            foreach (var kind in kinds)
            {
                endpoint.AddRefusal(kind);
            }
        });
        return builder;
    }

    /// <summary>Adds the status and body the app's envelope answers <paramref name="kind"/> with.</summary>
    public static void AddRefusal(this EndpointBuilder endpoint, ApiErrorKind kind)
    {
        var envelope = endpoint.ApplicationServices.GetRequiredService<ErrorEnvelopes>().App;
        var status = envelope.StatusOf(kind);
        if (!endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == status))
        {
            endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, envelope.BodyType, ["application/json"]));
        }
    }
}
