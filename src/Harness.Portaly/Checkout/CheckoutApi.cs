using Harness.Http;
using Harness.Portaly.Auth;
using Harness.Portaly.Callbacks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Portaly.Checkout;

/// <summary>One attempt of a callback as the log shows it.</summary>
public sealed record CallbackAttemptView(int Number, string Trigger, DateTime At, IReadOnlyDictionary<string, string> RequestHeaders, int? ResponseStatus, string? Error, bool Acknowledged);

/// <summary>A callback about a session or subscription: its event, URL, state and every attempt.</summary>
public sealed record CallbackDeliveryView(string Id, string Event, string Url, string Status, DateTime CreatedAt, DateTime? NextAttemptAt, string Payload, IReadOnlyList<CallbackAttemptView> Attempts)
{
    public static CallbackDeliveryView Of(Harness.Callbacks.CallbackDelivery d) => new(
        d.Id,
        d.EventType,
        d.Url,
        d.Status.ToString().ToLowerInvariant(),
        d.CreatedAt,
        d.NextAttemptAt,
        System.Text.Encoding.UTF8.GetString(d.Body),
        [.. d.Attempts.Select(a => new CallbackAttemptView(a.Number, a.Trigger, a.At, a.RequestHeaders, a.ResponseStatus, a.Error, a.Acknowledged))]);
}

/// <summary>The answer of <c>retry-callback</c>: the re-sent delivery and how the receiver answered this time.</summary>
public sealed record CallbackRetried(string SessionId, string DeliveryId, string Event, int? ResponseStatus, bool Acknowledged);

/// <summary>A buyer's sign-up code, recorded by the merchant (the reference's stand-in for Portaly's sign-up).</summary>
public sealed record SignupRefCodeRequest(string? CustomerEmail, string? Code) : IValidatable
{
    public void Validate(Validator validator) => validator
        .Required(CustomerEmail, "customerEmail")
        .Email(CustomerEmail, "customerEmail")
        .Required(Code, "code")
        .MaxLength(Code, "code", 40);
}

public static class CheckoutApi
{
    public const string NotFound = "Checkout session not found.";

    public static void MapCheckoutSessions(this RouteGroupBuilder api)
    {
        var sessions = api.MapGroup("/checkout-sessions").RequireApiKey().ValidateRequests().WithTags("Checkout sessions");
        sessions.MapPost("", Create).DisableRateLimiting();
        sessions.MapGet("/{sessionId}", Get);
        sessions.MapPost("/{sessionId}/complete", Complete);
        sessions.MapPost("/{sessionId}/retry-callback", RetryCallback);
        sessions.MapGet("/{sessionId}/callbacks", Callbacks);
        api.MapPut("/signup-ref-codes", RecordRefCode).RequireApiKey().ValidateRequests().WithTags("Checkout sessions");
    }

    /// <summary>Creates a hosted checkout for a plan of the key's profile, in the key's mode (not rate limited).</summary>
    private static Results<Ok<PortalyResponse<CheckoutSessionCreated>>, PortalyFailure> Create(CreateCheckoutSessionRequest request, HttpContext context, CheckoutSessions sessions)
    {
        var outcome = sessions.Create(context.CurrentKey(), request);
        if (outcome.Session is not { } s)
        {
            return outcome.Refusal switch
            {
                CreateRefusal.PlanNotFound => new PortalyFailure(StatusCodes.Status404NotFound, "PLAN_NOT_FOUND", "Plan not found."),
                CreateRefusal.OtherProfile => PortalyFailure.Forbidden("This API key is not allowed to sell this plan."),
                CreateRefusal.PlanInactive => new PortalyFailure(StatusCodes.Status422UnprocessableEntity, "PLAN_INACTIVE", "This plan is no longer available."),
                CreateRefusal.YearlyUnsupported => new PortalyFailure(StatusCodes.Status422UnprocessableEntity, "YEARLY_TEMPORARILY_UNSUPPORTED", "Yearly billing is temporarily unavailable."),
                CreateRefusal.AmountRequired => PortalyFailure.Invalid("amount is required and must be a positive whole number for a dynamic plan"),
                _ => new PortalyFailure(StatusCodes.Status400BadRequest, "INVALID_DISCOUNT_CODE", DiscountRefusal.Words(outcome.Reason!), outcome.Reason),
            };
        }

        var url = $"{PublicUrls.Base(context)}{HostedCheckoutPaths.Prefix}/{s.Id}";
        return PortalyEnvelope.Ok(new CheckoutSessionCreated(s.Id, s.Status, url, s.CheckoutToken, s.ExpiresAt, s.Amount, s.AppliedDiscount));
    }

    /// <summary>The nested session object (no metadata, no completion time); another profile's or mode's session is not found.</summary>
    private static Results<Ok<PortalyResponse<CheckoutSessionView>>, PortalyFailure> Get(string sessionId, HttpContext context, CheckoutSessions sessions) =>
        sessions.Find(context.CurrentKey(), sessionId) is { } s ? PortalyEnvelope.Ok(CheckoutSessionView.Of(s)) : PortalyFailure.NotFound(NotFound);

    /// <summary>
    /// The exception flow: records <c>completed</c>, <c>failed</c> or <c>canceled</c> for an open session, with its
    /// <c>checkoutToken</c>. Completing it again the same way answers the completed session (nothing happens twice).
    /// </summary>
    private static async Task<Results<Ok<PortalyResponse<CheckoutSessionView>>, PortalyFailure>> Complete(
        string sessionId, CompleteCheckoutRequest request, HttpContext context, CheckoutSessions sessions, ManualCompletion manual)
    {
        var outcome = await manual.RunAsync(context.CurrentKey(), sessionId, request);
        return outcome.Session is { } s ? PortalyEnvelope.Ok(CheckoutSessionView.Of(s)) : outcome.Failure!;
    }

    /// <summary>Sends the session's checkout callback once more now, freshly signed; 409 when the session has none.</summary>
    private static async Task<Results<Ok<PortalyResponse<CallbackRetried>>, PortalyFailure>> RetryCallback(
        string sessionId, HttpContext context, CheckoutSessions sessions, PortalyCallbacks callbacks)
    {
        if (sessions.Find(context.CurrentKey(), sessionId) is not { } session)
        {
            return PortalyFailure.NotFound(NotFound);
        }

        var checkout = callbacks.Of(session.Id).LastOrDefault(d => d.EventType is PortalyEvents.CheckoutCompleted or PortalyEvents.CheckoutFailed);
        if (checkout is null)
        {
            return new PortalyFailure(StatusCodes.Status409Conflict, "NO_CALLBACK",
                string.IsNullOrEmpty(session.CallbackUrl)
                    ? "This checkout session has no callbackUrl."
                    : $"This checkout session has no callback to send: it is {session.Status} (completed checkouts call back, failed ones only when the merchant config's sendCheckoutFailedCallbacks is on).");
        }

        var attempt = await callbacks.ResendAsync(checkout.Id, context.RequestAborted);
        return PortalyEnvelope.Ok(new CallbackRetried(session.Id, checkout.Id, checkout.EventType, attempt?.ResponseStatus, attempt?.Acknowledged ?? false));
    }

    /// <summary>The delivery log of the session's callbacks (renewal and lifecycle ones too: the subscription has the same id).</summary>
    private static Results<Ok<PortalyResponse<IReadOnlyList<CallbackDeliveryView>>>, PortalyFailure> Callbacks(
        string sessionId, HttpContext context, CheckoutSessions sessions, PortalyCallbacks callbacks) =>
        sessions.Find(context.CurrentKey(), sessionId) is { } session
            ? PortalyEnvelope.Ok<IReadOnlyList<CallbackDeliveryView>>([.. callbacks.Of(session.Id).Select(CallbackDeliveryView.Of)])
            : PortalyFailure.NotFound(NotFound);

    /// <summary>Records the discount code a buyer signed up with; their verified checkouts get its rule (<c>source: ref_code</c>).</summary>
    private static Ok<PortalyResponse<SignupRefCode>> RecordRefCode(SignupRefCodeRequest request, HttpContext context, SignupRefCodes codes) =>
        PortalyEnvelope.Ok(codes.Record(context.CurrentKey().ProfileId, request.CustomerEmail!, request.Code!));
}

/// <summary>The hosted pages' paths (outside the API's base path: the buyer's browser opens them without a key).</summary>
public static class HostedCheckoutPaths
{
    public const string Prefix = "/checkout/subscription";
}
