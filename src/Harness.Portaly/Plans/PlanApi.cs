using Harness.Http;
using Harness.Portaly.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Portaly.Plans;

public static class PlanApi
{
    public const string NotAllowed = "This API key is not allowed for this profile.";
    public const string NotFound = "Plan not found.";
    public const string Locked = "billingPeriod and pricingType cannot be changed after the plan is created.";

    public static void MapPlans(this RouteGroupBuilder api)
    {
        var plans = api.MapGroup("/plans").RequireApiKey().ValidateRequests().WithTags("Plans");
        plans.MapGet("", List);
        plans.MapGet("/{planId}", Get);
        plans.MapPost("", Create);
        plans.MapPut("/{planId}", Update);
    }

    /// <summary>The profile's plans, newest first; <c>profileId</c>, when given, must be the key's.</summary>
    private static Results<Ok<PortalyList<Plan>>, PortalyFailure> List(HttpContext context, PlanStore plans, string? profileId, string? limit, string? startAfter)
    {
        var key = context.CurrentKey();
        if (profileId is not null && profileId != key.ProfileId)
        {
            return PortalyFailure.Forbidden(NotAllowed);
        }

        var (page, failure) = CursorPaging.Page(plans.Of(key.ProfileId), limit, startAfter, p => p);
        return page is null ? failure! : TypedResults.Ok(page);
    }

    /// <summary>One plan of the key's profile; another profile's plan is refused with 403.</summary>
    private static Results<Ok<PortalyResponse<Plan>>, PortalyFailure> Get(string planId, HttpContext context, PlanStore plans) =>
        plans.Find(planId) switch
        {
            null => PortalyFailure.NotFound(NotFound),
            { } plan when plan.ProfileId != context.CurrentKey().ProfileId => PortalyFailure.Forbidden(NotAllowed),
            { } plan => PortalyEnvelope.Ok(plan),
        };

    /// <summary>Creates a plan for the key's profile, usable with live and test keys alike.</summary>
    private static Results<Created<PortalyResponse<Plan>>, PortalyFailure> Create(PlanRequest request, HttpContext context, PlanStore plans)
    {
        if (RequestValidation.Check(request.CreationRules) is { } problem)
        {
            return PortalyFailure.Invalid(problem);
        }

        var plan = plans.Create(context.CurrentKey().ProfileId, request);
        return PortalyEnvelope.Created($"/api/creator-subscription/plans/{plan.Id}", plan);
    }

    /// <summary>Updates the fields sent; billingPeriod and pricingType are locked (422 <c>PLAN_FIELD_LOCKED</c>).</summary>
    private static async Task<Results<Ok<PortalyResponse<Plan>>, PortalyFailure>> Update(string planId, PlanRequest request, HttpContext context, PlanStore plans)
    {
        var (plan, refusal) = await plans.UpdateAsync(context.CurrentKey().ProfileId, planId, request);
        return refusal switch
        {
            PlanRefusal.None => PortalyEnvelope.Ok(plan!),
            PlanRefusal.NotFound => PortalyFailure.NotFound(NotFound),
            PlanRefusal.OtherProfile => PortalyFailure.Forbidden(NotAllowed),
            PlanRefusal.FieldLocked => new PortalyFailure(StatusCodes.Status422UnprocessableEntity, "PLAN_FIELD_LOCKED", Locked),
            _ => PortalyFailure.Invalid("amount must be positive for a fixed plan and 0 for a dynamic one"),
        };
    }
}
