using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>The balance and balance-transaction routes (<see cref="StripeBalance"/>).</summary>
public sealed partial class StripeProvider
{
    private void MapBalance(WebApplication app)
    {
        const string transactions = StripeBalance.TransactionsPath;
        app.MapGet("/v1/balance", async (HttpRequest request) => Answer(request.HttpContext, _balance.Balance(await StripeForm.ReadAsync(request))));
        app.MapGet(transactions, async (HttpRequest request) => Answer(request.HttpContext, _balance.List(await StripeForm.ReadAsync(request))));
        app.MapGet(transactions + "/{id}", async (string id, HttpContext http) => Answer(http, _balance.Retrieve(id, await StripeForm.ReadAsync(http.Request))));
    }
}
