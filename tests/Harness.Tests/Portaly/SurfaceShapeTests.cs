using System.Net;
using System.Text;
using Harness.Http;
using Harness.Portaly.Auth;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.Portaly;

/// <summary>Every route has the guard it needs, the OpenAPI document builds, and a wrong content type is answered in the envelope.</summary>
public sealed class SurfaceShapeTests : IAsyncLifetime
{
    private readonly PortalyTestApp _app = new();

    [Fact]
    public void Every_route_is_guarded_by_a_merchant_key_except_key_creation()
    {
        var routes = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Route: $"{m} {e.RoutePattern.RawText}", Guard: e.Metadata.GetMetadata<RequestGuard>())))
            .ToList();

        Assert.Equal(33, routes.Count); // api-keys 1, config 2, plans 4, discount codes 6, image uploads 2, checkout sessions 5, signup ref codes 1, subscriptions 4 (list, get, cancel, resume), portal sessions 1, orders 3 (list, get, refund), invoices 1, creator-email 3 (templates list and put, outbox)
        Assert.All(routes, r => Assert.IsType(r.Route == "POST /api/creator-subscription/api-keys" ? typeof(AdminGuard) : typeof(ApiKeyGuard), r.Guard));
    }

    [Fact]
    public async Task The_openapi_document_lists_the_routes()
    {
        var document = await _app.Anonymous().GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.Contains("/api/creator-subscription/discount-codes/lookup", document, StringComparison.Ordinal);
        Assert.Contains("PortalyError", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_in_the_envelope()
    {
        var reply = await Reply.Of(_app.Test().PostAsync(PortalyHttp.Base + "/plans", new StringContent("name=x", Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken));

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"), (reply.Status, reply.Code));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
