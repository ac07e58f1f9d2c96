using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Stripe;

/// <summary>The customer portal: its configurations and sessions on the API, its hosted page on the control listener.</summary>
public sealed partial class StripeProvider
{
    private void MapBillingPortal(WebApplication app)
    {
        const string path = StripePortalConfigurations.Path;
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, _portalConfigurations.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _portalConfigurations.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", async (string id, HttpContext http) => Answer(http, _portalConfigurations.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _portalConfigurations.Update(id, p)));
        app.MapPost(StripePortalSessions.Path, (HttpRequest request) => PostAsync(request.HttpContext, StripePortalSessions.Path, _portalSessions.Create));
    }

    public void MapPages(IEndpointRouteBuilder pages)
    {
        new StripePortal(_context, _objects, _portalSessions, _portalConfigurations, _customers, _subscriptions, _methods).Map(pages);
        new StripePaymentLinkPage(_paymentLinks, _sessions).Map(pages);
    }
}
