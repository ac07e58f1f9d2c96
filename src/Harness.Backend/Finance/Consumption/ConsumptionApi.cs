using Harness.Backend.Auth;
using Harness.Core.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Harness.Backend.Finance.Consumption;

public static class ConsumptionApi
{
    public static void MapConsumption(this RouteGroupBuilder finance, RouteGroupBuilder openApi)
    {
        finance.MapPost("/consume", Consume)
            .WithSummary("Consume coins (idempotent per idempotencyKey)")
            .Produces<FinanceResponse<ConsumeResult>>();
        finance.MapPost("/preCheck", PreCheck)
            .WithSummary("Price a consumption and check the balance covers it; changes nothing")
            .Produces<FinanceResponse<PreCheckResult>>();

        openApi.MapPost("/consume", ConsumeOnBehalf)
            .WithSummary("Consume coins on behalf of a user (API key)")
            .Produces<FinanceResponse<ConsumeResult>>();
        openApi.MapPost("/preCheck", PreCheckOnBehalf)
            .WithSummary("Pre-validate a consumption on behalf of a user (API key)")
            .Produces<FinanceResponse<PreCheckResult>>();
    }

    private static Task<IResult> Consume(ConsumeRequest request, HttpContext context, ConsumptionService consumption) =>
        ForSelf(context, request) is { } error
            ? Task.FromResult(error)
            : consumption.ConsumeAsync(context.CurrentUser(), request, context.RequestAborted);

    private static IResult PreCheck(ConsumeRequest request, HttpContext context, ConsumptionService consumption) =>
        ForSelf(context, request) ?? consumption.PreCheck(context.CurrentUser(), request);

    private static Task<IResult> ConsumeOnBehalf(ConsumeRequest request, HttpContext context, ConsumptionService consumption, UserDirectory users) =>
        OnBehalf.Resolve(context, request.UserId, users) is var (user, error) && user is null
            ? Task.FromResult(error!)
            : consumption.ConsumeAsync(user!, request, context.RequestAborted);

    private static IResult PreCheckOnBehalf(ConsumeRequest request, HttpContext context, ConsumptionService consumption, UserDirectory users) =>
        OnBehalf.Resolve(context, request.UserId, users) is var (user, error) && user is null
            ? error!
            : consumption.PreCheck(user!, request);

    /// <summary>On user routes the token names the user; a different <c>userId</c> in the body is refused, not ignored.</summary>
    private static IResult? ForSelf(HttpContext context, ConsumeRequest request) =>
        request.UserId is { } userId && userId != context.CurrentUser().Id
            ? FinanceEnvelope.Fail(ApiErrorKind.Forbidden, "userId does not match the signed-in user; use the OpenAPI routes to bill another user")
            : null;
}

/// <summary>Resolves the user an API key acts for, enforcing the key's scope.</summary>
public static class OnBehalf
{
    public static (UserDocument? User, IResult? Error) Resolve(HttpContext context, string? userId, UserDirectory users)
    {
        if (string.IsNullOrEmpty(userId))
        {
            return (null, FinanceEnvelope.Invalid("userId is required"));
        }

        if (users.Find(userId) is not { } user)
        {
            return (null, FinanceEnvelope.Fail(ApiErrorKind.NotFound, $"user '{userId}' not found"));
        }

        return context.CurrentApiKey().MayBill(userId)
            ? (user, null)
            : (null, FinanceEnvelope.Fail(ApiErrorKind.Forbidden, $"this API key may not act for user '{userId}'"));
    }
}
