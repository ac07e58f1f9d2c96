using Harness.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The Quotes routes (<see cref="StripeQuotes"/>), and the PDF that Stripe serves from its files host, here on the sandbox's.</summary>
public sealed partial class StripeProvider
{
    private void MapQuotes(WebApplication app)
    {
        const string path = StripeQuotes.Path;
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, _quotes.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _quotes.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", async (string id, HttpContext http) => Answer(http, _quotes.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _quotes.Update(id, p)));
        app.MapGet(path + "/{id}/line_items", async (string id, HttpContext http) => Answer(http, _quotes.LineItems(id, await StripeForm.ReadAsync(http.Request))));
        app.MapGet(path + "/{id}/computed_upfront_line_items", async (string id, HttpContext http) =>
            Answer(http, _quotes.UpfrontLineItems(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(path + "/{id}/finalize", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/finalize", p => _quotes.Finalize(id, p)));
        app.MapPost(path + "/{id}/accept", async (string id, HttpContext http) =>
        {
            try
            {
                return await PostAsync(http, $"{path}/{id}/accept", p => _quotes.Accept(id, p));
            }
            catch (StripeQuoteAcceptanceRefusedException refused)
            {
                return Answer(http, refused.Response);
            }
        });
        app.MapPost(path + "/{id}/cancel", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/cancel", p => _quotes.Cancel(id, p)));
        app.MapGet(path + "/{id}/pdf", (string id, HttpContext http) =>
        {
            var (pdf, refusal) = _quotes.Pdf(id);
            if (refusal is not null)
            {
                return Answer(http, refusal);
            }

            http.Response.Headers["Request-Id"] = "req_" + Secrets.RandomHex(7);
            return Results.File(pdf!, "application/pdf", $"{id}.pdf");
        });
    }
}
