using Harness.Finance.Auth;
using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Harness.Finance.Consumption;

/// <summary>
/// Consume and preCheck, for the signed-in user and on behalf of a user by API key. The hot path: the
/// body is read in one pass (<see cref="JsonRequestBody{T}"/>) and a charge is answered in one pass
/// (<see cref="OnePassJsonResult{T}"/>), both measured to matter here (docs/performance.md); the routes'
/// answers are declared with <c>Produces</c> since the handlers run outside the framework's binding.
/// </summary>
public static class ConsumptionApi
{
    // What a charge may be refused for; a preCheck answers a shortfall, and claims no key.
    private static readonly ApiErrorKind[] ChargeRefusals =
        [ApiErrorKind.Validation, ApiErrorKind.Forbidden, ApiErrorKind.NotFound, ApiErrorKind.Conflict, ApiErrorKind.InsufficientBalance];

    private static readonly ApiErrorKind[] PriceRefusals = [ApiErrorKind.Validation, ApiErrorKind.Forbidden, ApiErrorKind.NotFound];

    public static void MapConsumption(this RouteGroupBuilder finance, RouteGroupBuilder openApi)
    {
        // Singletons, taken once here: a handler parameter resolved from RequestServices would create
        // a service scope for every request on the hot path.
        var services = ((IEndpointRouteBuilder)finance).ServiceProvider;
        var consumption = services.GetRequiredService<ConsumptionService>();
        var users = services.GetRequiredService<UserDirectory>();
        var answers = new ConsumeAnswers(services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.Encoder);

        var consume = new JsonRequestBody<ConsumeRequest>(services, ConsumeRequest.ConsumeRules);
        var preCheck = new JsonRequestBody<ConsumeRequest>(services, ConsumeRequest.PreCheckRules);
        var consumeOnBehalf = new JsonRequestBody<ConsumeRequest>(services, ConsumeRequest.OnBehalf(ConsumeRequest.ConsumeRules));
        var preCheckOnBehalf = new JsonRequestBody<ConsumeRequest>(services, ConsumeRequest.OnBehalf(ConsumeRequest.PreCheckRules));
        Payer onBehalf = (request, context) => OnBehalf.Resolve(context, request.UserId, users);

        Declare<ConsumeResult>(finance.MapPost("/consume", Charge(consume, Self, consumption, answers)), ChargeRefusals)
            .WithSummary("Consume coins (idempotent per idempotencyKey)");
        Declare<PreCheckResult>(finance.MapPost("/preCheck", Price(preCheck, Self, consumption)), PriceRefusals)
            .WithSummary("Price a consumption and check the balance covers it; changes nothing");
        Declare<ConsumeResult>(openApi.MapPost("/consume", Charge(consumeOnBehalf, onBehalf, consumption, answers)), ChargeRefusals)
            .WithSummary("Consume coins on behalf of a user (API key)");
        Declare<PreCheckResult>(openApi.MapPost("/preCheck", Price(preCheckOnBehalf, onBehalf, consumption)), PriceRefusals)
            .WithSummary("Pre-validate a consumption on behalf of a user (API key)");
    }

    /// <summary>Who pays for a request: the user, or the refusal to answer instead.</summary>
    private delegate (UserDocument? User, IResult? Refusal) Payer(ConsumeRequest request, HttpContext context);

    private static RouteHandlerBuilder Declare<T>(RouteHandlerBuilder route, ApiErrorKind[] refusals) => route
        .Accepts<ConsumeRequest>("application/json")
        .Produces<FinanceResponse<T>>()
        .ProducesRefusals(refusals);

    // Funcs rather than RequestDelegates, so the routes are route handlers the OpenAPI document lists.
    private static Func<HttpContext, Task> Charge(JsonRequestBody<ConsumeRequest> body, Payer payer, ConsumptionService consumption, ConsumeAnswers answers) =>
        async context =>
        {
            var request = await body.ReadAsync(context);
            var (user, refusal) = payer(request, context);
            var answer = user is null ? refusal! : answers.Charge(await consumption.ConsumeAsync(user, request, context.RequestAborted));
            await answer.ExecuteAsync(context);
        };

    private static Func<HttpContext, Task> Price(JsonRequestBody<ConsumeRequest> body, Payer payer, ConsumptionService consumption) =>
        async context =>
        {
            var request = await body.ReadAsync(context);
            var (user, refusal) = payer(request, context);
            await (user is null ? refusal! : ConsumeAnswers.Answer(consumption.PreCheck(user, request))).ExecuteAsync(context);
        };

    /// <summary>On user routes the token names the user; a different <c>userId</c> in the body is refused, not ignored.</summary>
    private static (UserDocument? User, IResult? Refusal) Self(ConsumeRequest request, HttpContext context) =>
        request.UserId is { } userId && userId != context.CurrentUser().Id
            ? (null, new Refusal<Refused.Forbidden>("userId does not match the signed-in user; use the OpenAPI routes to bill another user"))
            : (context.CurrentUser(), null);
}

/// <summary>Consumption outcomes as Finance answers.</summary>
internal sealed class ConsumeAnswers(System.Text.Encodings.Web.JavaScriptEncoder? encoder)
{
    /// <summary>A charge: the hot path's answer, written in one pass with generated metadata and the host's escaping.</summary>
    public IResult Charge(ConsumeOutcome<ConsumeResult> outcome) =>
        outcome.Value is { } charged ? FinanceEnvelope.Ok(charged, encoder) : Refuse(outcome.Refusal, outcome.Problem);

    public static IResult Answer(ConsumeOutcome<PreCheckResult> outcome) =>
        outcome.Value is { } result ? FinanceEnvelope.Ok(result) : Refuse(outcome.Refusal, outcome.Problem);

    private static IResult Refuse(ConsumeRefusal refusal, string problem) => refusal switch
    {
        ConsumeRefusal.PlanNotFound => new Refusal<Refused.NotFound>(problem),
        ConsumeRefusal.KeyReused => new Refusal<Refused.Conflict>(problem),
        ConsumeRefusal.InsufficientBalance => new Refusal<Refused.InsufficientBalance>(problem),
        _ => new Refusal<Refused.Validation>(problem),
    };
}

/// <summary>Resolves the user an API key acts for, enforcing the key's scope.</summary>
public static class OnBehalf
{
    /// <summary>The user, or the refusal to answer (400 without a user id, 404 for an unknown user, 403 outside the key's scope).</summary>
    public static (UserDocument? User, IResult? Refusal) Resolve(HttpContext context, string? userId, UserDirectory users)
    {
        if (string.IsNullOrEmpty(userId))
        {
            return (null, new Refusal<Refused.Validation>("userId is required"));
        }

        if (users.Find(userId) is not { } user)
        {
            return (null, new Refusal<Refused.NotFound>($"user '{userId}' not found"));
        }

        return context.CurrentApiKey().MayBill(userId)
            ? (user, null)
            : (null, new Refusal<Refused.Forbidden>($"this API key may not act for user '{userId}'"));
    }
}
