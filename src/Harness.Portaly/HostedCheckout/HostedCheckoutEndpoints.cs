using Harness.Portaly.Checkout;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Harness.Portaly.HostedCheckout;

/// <summary>
/// The hosted checkout page, outside the API's base path and without a key: the session id in the URL is the buyer's
/// capability. Every answer is an HTML page or a redirect (docs/portaly.md "Hosted checkout").
/// </summary>
public static class HostedCheckoutEndpoints
{
    public static void MapHostedCheckout(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup(HostedCheckoutPaths.Prefix).ExcludeFromDescription();
        pages.MapGet("/{sessionId}", Show);
        pages.MapPost("/{sessionId}/details", (string sessionId, HttpContext context, BuyerSteps steps) => steps.DetailsAsync(context, sessionId));
        pages.MapPost("/{sessionId}/verify", (string sessionId, HttpContext context, BuyerSteps steps) => steps.VerifyAsync(context, sessionId));
        pages.MapPost("/{sessionId}/resend", (string sessionId, HttpContext context, BuyerSteps steps) => steps.ResendAsync(context, sessionId));
        pages.MapPost("/{sessionId}/cancel", (string sessionId, HttpContext context, BuyerSteps steps) => steps.CancelAsync(context, sessionId));
        pages.MapGet("/{sessionId}/pay", (string sessionId, HttpContext context, CardPayment payment) => payment.PayAsync(context, sessionId, context.Request.Query["prime"].ToString()));
        pages.MapPost("/{sessionId}/confirm", (string sessionId, HttpContext context, CardPayment payment) => payment.ConfirmFreeAsync(context, sessionId));
    }

    /// <summary>The page; <c>?edit=1</c> shows the details form again (to change a name, a phone, or an email not yet verified).</summary>
    private static IResult Show(string sessionId, HttpContext context, CheckoutSessions sessions, CheckoutPage page) =>
        sessions.Get(sessionId) is { } s ? page.Render(context, s, edit: context.Request.Query["edit"] == "1") : CheckoutPage.NotFound();
}
