using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The Products and Prices routes of the Stripe API.</summary>
public sealed partial class StripeProvider
{
    private void MapCatalog(WebApplication app)
    {
        var catalog = new StripeCatalog(_objects, _context.Clock);
        var prices = new StripePrices(_objects, catalog, _webhooks);
        var products = new StripeProducts(_objects, catalog, prices, _webhooks, _context.Clock);

        const string productsPath = StripeProducts.Path;
        app.MapPost(productsPath, (HttpRequest request) => PostAsync(request.HttpContext, productsPath, products.Create));
        app.MapGet(productsPath, async (HttpRequest request) => Answer(request.HttpContext, products.List(await StripeForm.ReadAsync(request))));
        app.MapGet(productsPath + "/search", async (HttpRequest request) => Answer(request.HttpContext,
            StripeCatalogSearch.Search(_objects, "product", productsPath + "/search", await StripeForm.ReadAsync(request), p => p["_deleted"] is null)));
        app.MapGet(productsPath + "/{id}", async (string id, HttpContext http) => Answer(http, products.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(productsPath + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{productsPath}/{id}", p => products.Update(id, p)));
        app.MapDelete(productsPath + "/{id}", (string id, HttpContext http) => Answer(http, products.Delete(id)));

        const string pricesPath = StripePrices.Path;
        app.MapPost(pricesPath, (HttpRequest request) => PostAsync(request.HttpContext, pricesPath, prices.Create));
        app.MapGet(pricesPath, async (HttpRequest request) => Answer(request.HttpContext, prices.List(await StripeForm.ReadAsync(request))));
        app.MapGet(pricesPath + "/search", async (HttpRequest request) => Answer(request.HttpContext,
            StripeCatalogSearch.Search(_objects, "price", pricesPath + "/search", await StripeForm.ReadAsync(request), _ => true)));
        app.MapGet(pricesPath + "/{id}", async (string id, HttpContext http) => Answer(http, prices.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(pricesPath + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{pricesPath}/{id}", p => prices.Update(id, p)));
    }
}
