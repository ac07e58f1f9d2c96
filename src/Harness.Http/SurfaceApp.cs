using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Scalar.AspNetCore;

namespace Harness.Http;

/// <summary>
/// What every surface app has in common: a 1 MB body limit, strict JSON numbers, the surface's error
/// envelope for every failure, request guards, and its own OpenAPI document with a Scalar page. A
/// surface adds its services, routes and envelope; it shares no route, envelope or auth with another.
/// </summary>
public static class SurfaceApp
{
    public const long MaxRequestBodySize = 1024 * 1024;

    /// <summary>
    /// The shared parts. The surface calls <c>AddOpenApi</c> itself, with <see cref="Describe"/>: the
    /// OpenAPI generator takes descriptions from the XML comments of the project that calls it.
    /// </summary>
    /// <param name="builder">The surface app's builder.</param>
    /// <param name="envelope">The surface's error envelope: every refusal of the app is worded by it.</param>
    /// <param name="title">The API reference page's title.</param>
    /// <param name="errors">Exceptions the surface answers rather than treats as bugs.</param>
    public static WebApplicationBuilder AddSurface(this WebApplicationBuilder builder, IErrorEnvelope envelope, string title, Action<ApiErrorOptions>? errors = null)
    {
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxRequestBodySize);
        builder.Services.AddApiErrors(envelope, errors);
        builder.Services.AddSingleton(new SurfaceDocs(title));
        builder.Services.Configure<JsonOptions>(o =>
        {
            // A number sent as a string is a wrong type, not something to guess at.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        return builder;
    }

    /// <summary>The OpenAPI document's title and description.</summary>
    public static OpenApiOptions Describe(this OpenApiOptions options, string title, string description) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = title;
            document.Info.Description = description;
            return Task.CompletedTask;
        });

    /// <summary>The error middleware, routing, guards and the charset check, in that order; call before mapping routes.</summary>
    public static WebApplication UseSurface(this WebApplication app)
    {
        app.UseApiErrors();
        app.UseRouting();
        app.UseRequestGuards();
        app.UseCharsetCheck();
        app.MapOpenApi();
        app.MapScalarApiReference(o => o.WithTitle(app.Services.GetRequiredService<SurfaceDocs>().Title));
        return app;
    }

    /// <summary>The first address the started app listens on, with <c>localhost</c> for a loopback address.</summary>
    public static string? BaseUrl(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()?
            .Replace("127.0.0.1", "localhost", StringComparison.Ordinal)
            .Replace("[::1]", "localhost", StringComparison.Ordinal);
}

internal sealed record SurfaceDocs(string Title);
