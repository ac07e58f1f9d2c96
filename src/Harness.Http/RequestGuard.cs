using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Http;

/// <summary>
/// A check a request must pass before its endpoint runs — who is calling, and with what right —
/// attached to a route group or endpoint as metadata (the most specific one applies). It answers
/// null to let the request through, or the refusal to send, already in the surface's envelope.
/// <para>
/// This replaces ASP.NET Core's authentication and authorization middleware on the surfaces: a
/// scheme handler per request, a claims principal, a ticket, policy evaluation and their tasks were
/// about a quarter of a coin consumption's allocations, to answer one look-up in memory.
/// </para>
/// </summary>
public abstract class RequestGuard
{
    public abstract IResult? Check(HttpContext context);

    /// <summary>A refusal in the envelope of the surface the request is for (looked up only when refusing).</summary>
    protected static IResult Refuse(HttpContext context, ApiErrorKind kind, string message) =>
        context.RequestServices.GetRequiredService<ErrorEnvelopes>().For(context).Error(kind, message);
}

public static class RequestGuardExtensions
{
    /// <summary>Protects the endpoints with <paramref name="guard"/>; <paramref name="refusals"/> are what it may answer, for the OpenAPI document.</summary>
    public static TBuilder RequireGuard<TBuilder>(this TBuilder builder, RequestGuard guard, params ApiErrorKind[] refusals)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(guard).ProducesRefusals(refusals);

    /// <summary>Runs the matched endpoint's guard; place after routing, before the endpoints.</summary>
    public static IApplicationBuilder UseRequestGuards(this IApplicationBuilder app) =>
        app.Use(next => context =>
            context.GetEndpoint()?.Metadata.GetMetadata<RequestGuard>()?.Check(context) is { } refusal
                ? refusal.ExecuteAsync(context)
                : next(context));
}
