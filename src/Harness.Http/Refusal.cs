using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Http;

/// <summary>A kind of refusal as a type, so a handler's return type can name the refusals it makes.</summary>
public interface IRefusalKind;

/// <summary>The refusal kinds a handler names in <c>Results&lt;Ok&lt;T&gt;, Refusal&lt;Refused.NotFound&gt;, …&gt;</c>.</summary>
public static class Refused
{
    public sealed class Validation : IRefusalKind;

    public sealed class Unauthenticated : IRefusalKind;

    public sealed class InsufficientBalance : IRefusalKind;

    public sealed class Forbidden : IRefusalKind;

    public sealed class NotFound : IRefusalKind;

    public sealed class Conflict : IRefusalKind;

    public sealed class RateLimited : IRefusalKind;

    /// <summary>Something the request needs (a payment channel, the ledger) cannot be reached now; nothing changed.</summary>
    public sealed class Unavailable : IRefusalKind;

    /// <summary>The <see cref="ApiErrorKind"/> a marker stands for.</summary>
    internal static ApiErrorKind KindOf(Type marker) =>
        marker == typeof(Validation) ? ApiErrorKind.Validation
        : marker == typeof(Unauthenticated) ? ApiErrorKind.Unauthenticated
        : marker == typeof(InsufficientBalance) ? ApiErrorKind.InsufficientBalance
        : marker == typeof(Forbidden) ? ApiErrorKind.Forbidden
        : marker == typeof(NotFound) ? ApiErrorKind.NotFound
        : marker == typeof(Conflict) ? ApiErrorKind.Conflict
        : marker == typeof(RateLimited) ? ApiErrorKind.RateLimited
        : marker == typeof(Unavailable) ? ApiErrorKind.Unavailable
        : throw new ArgumentException($"{marker} is no refusal kind of {nameof(Refused)}.", nameof(marker));
}

/// <summary>
/// A handler's refusal, answered in the envelope of the app (or endpoint) it runs in. Naming it in a
/// handler's <c>Results&lt;…&gt;</c> lists the refusal's status and body in the OpenAPI document.
/// </summary>
public sealed class Refusal<TKind>(string message) : IResult, IEndpointMetadataProvider
    where TKind : IRefusalKind
{
    private static readonly ApiErrorKind Kind = Refused.KindOf(typeof(TKind));

    public string Message { get; } = message;

    public Task ExecuteAsync(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<ErrorEnvelopes>().For(httpContext).Error(Kind, Message).ExecuteAsync(httpContext);

#pragma warning disable CA1000 // IEndpointMetadataProvider is a static interface member by design.
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => builder.AddRefusal(Kind);
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
