using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The invoice routes of the Stripe API: standalone invoices, their lifecycle and lines, paying any invoice, and previews.</summary>
public sealed partial class StripeProvider
{
    /// <summary>What falls due on one clock (null: the sandbox clock): schedules' phase boundaries, subscription billing, standalone drafts to finalize, then quotes to remind of or expire.</summary>
    private void RunDueOnClock(string? clockId, long now)
    {
        _schedules.RunDue(clockId, now, _billing.RunDue);
        _billing.RunDue(clockId, now);
        _standalone.RunDue(clockId, now);
        _quotes.RunDue(clockId, now);
    }

    private void MapInvoices(WebApplication app)
    {
        const string path = StripeStandaloneInvoices.Path;
        app.MapPost(path + "/create_preview", (HttpRequest request) => PostAsync(request.HttpContext, path + "/create_preview", _subscriptions.Preview));
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, _standalone.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _standalone.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", (string id, HttpContext http) => Answer(http, _standalone.Retrieve(id)));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _standalone.Update(id, p)));
        app.MapDelete(path + "/{id}", (string id, HttpContext http) => Answer(http, _standalone.Delete(id)));
        app.MapPost(path + "/{id}/finalize", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/finalize", p => _standalone.Finalize(id, p)));
        app.MapPost(path + "/{id}/pay", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/pay", p => _invoices.Pay(id, p)));
        app.MapPost(path + "/{id}/void", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/void", p => _standalone.Void(id, p)));
        app.MapPost(path + "/{id}/mark_uncollectible", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/mark_uncollectible", p => _standalone.MarkUncollectible(id, p)));
        app.MapPost(path + "/{id}/send", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/send", p => _standalone.Send(id, p)));
        app.MapGet(path + "/{id}/lines", async (string id, HttpContext http) => Answer(http, _lines.List(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(path + "/{id}/lines/{lineId}", (string id, string lineId, HttpContext http) => PostAsync(http, $"{path}/{id}/lines/{lineId}", p => _lines.UpdateOne(id, lineId, p)));
        app.MapPost(path + "/{id}/add_lines", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/add_lines", p => _lines.Add(id, p)));
        app.MapPost(path + "/{id}/update_lines", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/update_lines", p => _lines.Update(id, p)));
        app.MapPost(path + "/{id}/remove_lines", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/remove_lines", p => _lines.Remove(id, p)));
    }
}
