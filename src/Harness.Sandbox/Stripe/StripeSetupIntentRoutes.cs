using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The SetupIntents and SetupAttempts routes (<see cref="StripeSetupIntents"/>).</summary>
public sealed partial class StripeProvider
{
    private void MapSetupIntents(WebApplication app)
    {
        const string path = StripeSetupIntents.Path;
        app.MapPost(path, (HttpRequest request) => PostAsync(request.HttpContext, path, _setupIntents.Create));
        app.MapGet(path, async (HttpRequest request) => Answer(request.HttpContext, _setupIntents.List(await StripeForm.ReadAsync(request))));
        app.MapGet(path + "/{id}", async (string id, HttpContext http) => Answer(http, _setupIntents.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
        app.MapPost(path + "/{id}", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}", p => _setupIntents.Update(id, p)));
        app.MapPost(path + "/{id}/confirm", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/confirm", p => _setupIntents.Confirm(id, p)));
        app.MapPost(path + "/{id}/cancel", (string id, HttpContext http) => PostAsync(http, $"{path}/{id}/cancel", p => _setupIntents.Cancel(id, p)));
        app.MapGet(StripeSetupIntents.AttemptsPath, async (HttpRequest request) =>
            Answer(request.HttpContext, _setupIntents.Attempts(await StripeForm.ReadAsync(request))));
    }
}
