using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The usage-based billing routes of the Stripe API: billing meters, meter events, their adjustments and summaries.</summary>
public sealed partial class StripeProvider
{
    private void MapMeters(WebApplication app)
    {
        var meters = new StripeMeters(_objects, _webhooks, _context.Clock);
        var events = new StripeMeterEvents(_objects, _customers);

        const string path = StripeMeters.Path;
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, meters.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, meters.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", async (string id, HttpContext http) => Answer(http, meters.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => meters.Update(id, p)));
        app.MapPost(path + "/{id}/deactivate", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/deactivate", p => meters.SetActive(id, p, active: false)));
        app.MapPost(path + "/{id}/reactivate", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/reactivate", p => meters.SetActive(id, p, active: true)));
        app.MapGet(path + "/{id}/event_summaries", async (string id, HttpContext http) => Answer(http, events.Summaries(id, await StripeForm.ReadAsync(http.Request))));

        app.MapPost(StripeMeterEvents.EventsPath, (HttpRequest request) => PostAsync(request.HttpContext, StripeMeterEvents.EventsPath, events.Create));
        app.MapPost(StripeMeterEvents.AdjustmentsPath, (HttpRequest request) => PostAsync(request.HttpContext, StripeMeterEvents.AdjustmentsPath, events.Adjust));
    }
}
