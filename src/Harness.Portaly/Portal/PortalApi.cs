using Harness.Http;
using Harness.Portaly.Auth;
using Harness.Portaly.HostedCheckout;
using Harness.Portaly.Orders;
using Harness.Portaly.Subscriptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Portaly.Portal;

/// <summary>
/// <c>POST /portal-sessions</c> (merchant key) and the hosted portal page under <c>/portal/{id}</c>, which the
/// subscriber's browser opens without a key: every request checks the session's token and expiry, and every action
/// checks that the subscription is the session's before it runs the same cancel and resume as the API.
/// </summary>
public static class PortalApi
{
    public const string Prefix = "/portal";

    public static void MapPortalSessions(this RouteGroupBuilder api) =>
        api.MapPost("/portal-sessions", Create).RequireApiKey().ValidateRequests().WithTags("Portal sessions");

    public static void MapPortal(this WebApplication app)
    {
        var page = app.MapGroup(Prefix).ExcludeFromDescription();
        page.MapGet("/{portalSessionId}", Show);
        page.MapPost("/{portalSessionId}/cancel", (string portalSessionId, HttpContext context) => Act(portalSessionId, context, cancel: true));
        page.MapPost("/{portalSessionId}/resume", (string portalSessionId, HttpContext context) => Act(portalSessionId, context, cancel: false));
    }

    private static Results<Ok<PortalyResponse<PortalSessionCreated>>, PortalyFailure> Create(CreatePortalSessionRequest request, HttpContext context, PortalSessions sessions)
    {
        if (sessions.Create(context.CurrentKey(), request) is not { } created)
        {
            return PortalyFailure.NotFound(SubscriptionApi.NotFound);
        }

        var (session, token) = created;
        var url = $"{PublicUrls.Base(context)}{Prefix}/{session.Id}?token={token}";
        return PortalyEnvelope.Ok(new PortalSessionCreated(session.Id, url, session.ExpiresAt));
    }

    private static IResult Show(string portalSessionId, string? token, PortalSessions sessions, SubscriptionStore subscriptions, OrderStore orders)
    {
        var (session, refused) = Opened(sessions, portalSessionId, token);
        return refused ?? Page(StatusCodes.Status200OK, session!, token!, subscriptions, orders, null);
    }

    private static async Task<IResult> Act(string portalSessionId, HttpContext context, bool cancel)
    {
        if (!context.Request.HasFormContentType)
        {
            return PortalPage.Message(StatusCodes.Status400BadRequest, "Bad request", "Send the form from the portal page.");
        }

        if (await HostedForm.ReadAsync(context.Request) is not { } form)
        {
            return PortalPage.Message(StatusCodes.Status400BadRequest, "Bad request", "The form could not be read.");
        }

        var services = context.RequestServices;
        var sessions = services.GetRequiredService<PortalSessions>();
        string? token = form["token"];
        var (opened, refused) = Opened(sessions, portalSessionId, token);
        if (opened is not { } session)
        {
            return refused!;
        }

        var subscriptions = services.GetRequiredService<SubscriptionStore>();
        var orders = services.GetRequiredService<OrderStore>();
        string? subscriptionId = form["subscriptionId"];
        if (string.IsNullOrEmpty(subscriptionId))
        {
            return Page(StatusCodes.Status400BadRequest, session, token!, subscriptions, orders, "Choose a subscription.");
        }

        var lifecycle = services.GetRequiredService<SubscriptionLifecycle>();
        var outcome = cancel
            ? await lifecycle.CancelAsync(session.Scope, subscriptionId, new CancelSubscriptionRequest(CancelReasons.CustomerRequested, null), CancelRequesters.Subscriber)
            : await lifecycle.ResumeAsync(session.Scope, subscriptionId);
        if (outcome.Subscription is not { } done)
        {
            var failure = SubscriptionApi.Failure(outcome.Refusal);
            return Page(failure.Status, session, token!, subscriptions, orders, failure.Message);
        }

        var notice = !cancel ? "Your subscription continues."
            : done.Status == SubscriptionStatus.Canceled ? "Your subscription is canceled."
            : "Your subscription is canceled at the end of the paid period.";
        return Page(StatusCodes.Status200OK, session, token!, subscriptions, orders, notice);
    }

    /// <summary>The session when the link works, else the page that refuses it (403 wrong, 410 expired).</summary>
    private static (PortalSession? Session, IResult? Refused) Opened(PortalSessions sessions, string id, string? token)
    {
        var (session, access) = sessions.Open(id, token);
        return access switch
        {
            PortalAccess.Granted => (session, null),
            PortalAccess.Expired => (null, PortalPage.Message(StatusCodes.Status410Gone, "Link expired", "This link has expired. Ask for a new one where you got it.")),
            _ => (null, PortalPage.Message(StatusCodes.Status403Forbidden, "Link not valid", "This link is not valid.")),
        };
    }

    private static IResult Page(int status, PortalSession session, string token, SubscriptionStore subscriptions, OrderStore orders, string? notice)
    {
        var entries = subscriptions.Of(session.ProfileId, session.Mode)
            .Where(session.Scope.Covers)
            .Select(s => new PortalEntry(s, orders.OfSubscription(s.Id)))
            .ToList();
        return PortalPage.Html(status, PortalPage.Render(session, token, entries, notice));
    }
}
