using Harness.Finance.Auth;
using Harness.Finance.Consumption;
using Harness.Http;
using Harness.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Finance.Balance;

public sealed record BalanceView(string UserId, long Balance, DateTime? UpdatedAt);

public static class BalanceApi
{
    public static void MapBalance(this RouteGroupBuilder finance, RouteGroupBuilder openApi)
    {
        finance.MapGet("/balance", Mine)
            .WithSummary("Current coin balance of the signed-in user");
        openApi.MapGet("/balance", OnBehalfOf)
            .WithSummary("Coin balance of a user (API key, ?userId=)")
            .Produces<FinanceResponse<BalanceView>>()
            .ProducesRefusals(ApiErrorKind.Validation, ApiErrorKind.NotFound, ApiErrorKind.Forbidden);
    }

    private static Ok<FinanceResponse<BalanceView>> Mine(HttpContext context, ILedger ledger) => FinanceEnvelope.Ok(View(context.CurrentUser().Id, ledger));

    private static IResult OnBehalfOf(string? userId, HttpContext context, ILedger ledger, UserDirectory users)
    {
        var (user, error) = OnBehalf.Resolve(context, userId, users);
        return user is null ? error! : FinanceEnvelope.Ok(View(user.Id, ledger));
    }

    private static BalanceView View(string userId, ILedger ledger)
    {
        var balance = ledger.GetBalance(ConsumptionService.AccountOf(userId));
        return new BalanceView(userId, balance.Balance, balance.UpdatedAt);
    }
}
