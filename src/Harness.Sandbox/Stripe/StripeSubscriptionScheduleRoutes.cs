using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The Subscription Schedules routes of the Stripe API (<see cref="StripeSubscriptionSchedules"/>).</summary>
public sealed partial class StripeProvider
{
    private void MapSubscriptionSchedules(WebApplication app)
    {
        const string path = StripeSubscriptionSchedules.Path;
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, _schedules.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _schedules.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", async (string id, HttpContext http) => Answer(http, _schedules.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _schedules.Update(id, p)));
        app.MapPost(path + "/{id}/cancel", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/cancel", p => _schedules.Cancel(id, p)));
        app.MapPost(path + "/{id}/release", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/release", p => _schedules.Release(id, p)));
    }
}
