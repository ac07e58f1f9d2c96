using Harness.Finance.Auth;
using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Finance.Consumption;

public static class ConsumptionApi
{
    public static void MapConsumption(this RouteGroupBuilder finance, RouteGroupBuilder openApi)
    {
        // Singletons, taken once here: a handler parameter resolved from RequestServices would create
        // a service scope for every request on the hot path (docs/performance-history.md, round 8).
        var services = ((IEndpointRouteBuilder)finance).ServiceProvider;
        var consumption = services.GetRequiredService<ConsumptionService>();
        var users = services.GetRequiredService<UserDirectory>();
        // The body is read in one pass rather than bound by the framework (docs/performance-history.md, round 9).
        var body = new JsonRequestBody<ConsumeRequest>(services);

        finance.MapPost("/consume", Handle(body, (request, context) => Consume(request, context, consumption)))
            .WithSummary("Consume coins (idempotent per idempotencyKey)")
            .Accepts<ConsumeRequest>("application/json")
            .Produces<FinanceResponse<ConsumeResult>>();
        finance.MapPost("/preCheck", Handle(body, (request, context) => Task.FromResult(PreCheck(request, context, consumption))))
            .WithSummary("Price a consumption and check the balance covers it; changes nothing")
            .Accepts<ConsumeRequest>("application/json")
            .Produces<FinanceResponse<PreCheckResult>>();

        openApi.MapPost("/consume", Handle(body, (request, context) => ConsumeOnBehalf(request, context, consumption, users)))
            .WithSummary("Consume coins on behalf of a user (API key)")
            .Accepts<ConsumeRequest>("application/json")
            .Produces<FinanceResponse<ConsumeResult>>();
        openApi.MapPost("/preCheck", Handle(body, (request, context) => Task.FromResult(PreCheckOnBehalf(request, context, consumption, users))))
            .WithSummary("Pre-validate a consumption on behalf of a user (API key)")
            .Accepts<ConsumeRequest>("application/json")
            .Produces<FinanceResponse<PreCheckResult>>();
    }

    // A Func rather than a RequestDelegate, so the route is a route handler the OpenAPI document lists.
    private static Func<HttpContext, Task> Handle(JsonRequestBody<ConsumeRequest> body, Func<ConsumeRequest, HttpContext, Task<IResult>> handler) =>
        async context => await (await handler(await body.ReadAsync(context), context)).ExecuteAsync(context);

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
