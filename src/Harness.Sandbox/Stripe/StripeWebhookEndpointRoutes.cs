using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The Webhook Endpoints routes of the Stripe API.</summary>
public sealed partial class StripeProvider
{
    private void MapWebhookEndpoints(WebApplication app)
    {
        const string path = StripeWebhookEndpoints.Path;
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, _endpoints.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _endpoints.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", (string id, HttpContext http) => Answer(http, _endpoints.Retrieve(id)));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _endpoints.Update(id, p)));
        app.MapDelete(path + "/{id}", (string id, HttpContext http) => Answer(http, _endpoints.Delete(id)));
    }
}
