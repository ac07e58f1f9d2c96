using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The Payment Links routes of the Stripe API; the page a link's url opens is mapped with the other hosted pages.</summary>
public sealed partial class StripeProvider
{
    private void MapPaymentLinks(WebApplication app)
    {
        const string path = StripePaymentLinks.Path;
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, _paymentLinks.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _paymentLinks.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", async (string id, HttpContext http) => Answer(http, _paymentLinks.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _paymentLinks.Update(id, p)));
        app.MapGet(path + "/{id}/line_items", async (string id, HttpContext http) => Answer(http, _paymentLinks.LineItems(id, await StripeForm.ReadAsync(http.Request))));
    }
}
