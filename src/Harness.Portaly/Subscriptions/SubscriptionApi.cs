using Harness.Http;
using Harness.Portaly.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Portaly.Subscriptions;

/// <summary>Subscriptions of the key's profile and mode: list, read, cancel at period end, resume.</summary>
public static class SubscriptionApi
{
    public const string NotFound = "Subscription not found.";

    public static void MapSubscriptions(this RouteGroupBuilder api)
    {
        var subscriptions = api.MapGroup("/subscriptions").RequireApiKey().ValidateRequests().WithTags("Subscriptions");
        subscriptions.MapGet("", List);
        subscriptions.MapGet("/{subscriptionId}", Get);
        subscriptions.MapPost("/{subscriptionId}/cancel", Cancel);
        subscriptions.MapPost("/{subscriptionId}/resume", Resume);
    }

    /// <summary>Newest first; <c>status</c> one of active, past_due, canceled; <c>customerEmail</c> matches case-insensitively.</summary>
    private static Results<Ok<PortalyList<SubscriptionListItem>>, PortalyFailure> List(
        HttpContext context, SubscriptionStore subscriptions, string? status, string? customerEmail, string? limit, string? startAfter)
    {
        if (status is not null && !SubscriptionStatus.All.Contains(status, StringComparer.Ordinal))
        {
            return PortalyFailure.Invalid($"status must be one of: {string.Join(", ", SubscriptionStatus.All)}");
        }

        var key = context.CurrentKey();
        var email = string.IsNullOrWhiteSpace(customerEmail) ? null : customerEmail.Trim();
        var matching = subscriptions.Of(key.ProfileId, key.Mode)
            .Where(s => status is null || s.Status == status)
            .Where(s => email is null || string.Equals(s.CustomerEmail, email, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var (page, failure) = CursorPaging.Page(matching, limit, startAfter, SubscriptionListItem.Of);
        return page is not null ? TypedResults.Ok(page) : failure!;
    }

    private static Results<Ok<PortalyResponse<SubscriptionView>>, PortalyFailure> Get(string subscriptionId, HttpContext context, SubscriptionStore subscriptions) =>
        subscriptions.Find(context.CurrentKey(), subscriptionId) is { } s ? PortalyEnvelope.Ok(SubscriptionView.Of(s)) : PortalyFailure.NotFound(NotFound);

    /// <summary>Cancels at the end of the paid period (a body is optional); a pending cancellation answers as it is.</summary>
    private static async Task<Results<Ok<PortalyResponse<SubscriptionLifecycleView>>, PortalyFailure>> Cancel(
        string subscriptionId, CancelSubscriptionRequest? request, HttpContext context, SubscriptionLifecycle lifecycle)
    {
        var outcome = await lifecycle.CancelAsync(ScopeOf(context), subscriptionId, request ?? new CancelSubscriptionRequest(null, null), CancelRequesters.Api);
        return outcome.Subscription is { } s ? PortalyEnvelope.Ok(SubscriptionLifecycleView.Of(s)) : Failure(outcome.Refusal);
    }

    private static async Task<Results<Ok<PortalyResponse<SubscriptionLifecycleView>>, PortalyFailure>> Resume(
        string subscriptionId, HttpContext context, SubscriptionLifecycle lifecycle)
    {
        var outcome = await lifecycle.ResumeAsync(ScopeOf(context), subscriptionId);
        return outcome.Subscription is { } s ? PortalyEnvelope.Ok(SubscriptionLifecycleView.Of(s)) : Failure(outcome.Refusal);
    }

    private static SubscriptionScope ScopeOf(HttpContext context) => new(context.CurrentKey().ProfileId, context.CurrentKey().Mode);

    /// <summary>The API's words for a refusal; the portal page shows the same messages.</summary>
    public static PortalyFailure Failure(LifecycleRefusal refusal) => refusal switch
    {
        LifecycleRefusal.NotRecurring => new PortalyFailure(StatusCodes.Status422UnprocessableEntity, "NOT_RECURRING", "One-time subscriptions do not renew: they cannot be canceled or resumed."),
        LifecycleRefusal.Canceled => new PortalyFailure(StatusCodes.Status409Conflict, "SUBSCRIPTION_CANCELED", "Subscription is already canceled."),
        LifecycleRefusal.NotPending => new PortalyFailure(StatusCodes.Status409Conflict, "NOT_PENDING_CANCELLATION", "Subscription has no pending cancellation to resume."),
        _ => PortalyFailure.NotFound(NotFound),
    };
}
