using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The Tax Rates routes (<see cref="StripeTaxRates"/>).</summary>
public sealed partial class StripeProvider
{
    private void MapTaxRates(WebApplication app)
    {
        const string rates = StripeTaxRates.Path;
        app.MapPost(rates, (HttpRequest request) => PostAsync(request.HttpContext, rates, _taxRates.Create));
        app.MapGet(rates, async (HttpRequest request) => Answer(request.HttpContext, _taxRates.List(await StripeForm.ReadAsync(request))));
        app.MapGet(rates + "/{id}", (string id, HttpContext http) => Answer(http, _taxRates.Retrieve(id)));
        app.MapPost(rates + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{rates}/{id}", p => _taxRates.Update(id, p)));
    }
}
