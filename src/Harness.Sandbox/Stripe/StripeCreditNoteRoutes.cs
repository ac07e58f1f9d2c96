using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The credit note routes of the Stripe API (<see cref="StripeCreditNotes"/>).</summary>
public sealed partial class StripeProvider
{
    private void MapCreditNotes(WebApplication app)
    {
        const string path = StripeCreditNotes.Path;
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, _creditNotes.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _creditNotes.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/preview", async (HttpRequest request) => Answer(request.HttpContext, _creditNotes.Preview(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/preview/lines", async (HttpRequest request) => Answer(request.HttpContext, _creditNotes.PreviewLines(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", (string id, HttpContext http) => Answer(http, _creditNotes.Retrieve(id)));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _creditNotes.Update(id, p)));
        app.MapGet(path + "/{id}/lines", async (string id, HttpContext http) => Answer(http, _creditNotes.Lines(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(path + "/{id}/void", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/void", p => _creditNotes.Void(id, p)));
    }
}
