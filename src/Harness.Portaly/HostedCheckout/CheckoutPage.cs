using System.Globalization;
using System.Text;
using Harness.Portaly.Checkout;
using Harness.Portaly.Config;
using Harness.Portaly.Plans;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using static Harness.Portaly.HostedCheckout.HostedPage;

namespace Harness.Portaly.HostedCheckout;

/// <summary>
/// Renders a session's page for its state: the buyer's details, the email code, then the card (or a free confirmation);
/// a final state (completed, failed, canceled, expired) or a payment being confirmed is a status page.
/// </summary>
public sealed class CheckoutPage(PlanStore plans, MerchantConfigs configs, BuyerProgressStore progress, IOptions<PortalyOptions> options)
{
    public static string PathOf(string sessionId) => $"{HostedCheckoutPaths.Prefix}/{Uri.EscapeDataString(sessionId)}";

    public static IResult NotFound() =>
        Html("Checkout not found", "<h1>Checkout not found</h1><p id=\"status\" class=\"status\">This checkout link is not valid.</p>", StatusCodes.Status404NotFound);

    /// <summary>The page of <paramref name="session"/> as it stands, with <paramref name="notice"/> when an action needs saying.</summary>
    public IResult Render(HttpContext context, CheckoutSession session, string? notice = null, bool edit = false, EnteredDetails? entered = null)
    {
        var html = new StringBuilder();
        Header(html, session);
        Notice(html, notice);
        if (!session.IsOpen)
        {
            Final(html, session);
        }
        else if (progress.PaymentOf(session.Id) is not null)
        {
            html.Append("<p id=\"status\" class=\"status\">Your payment is being confirmed.</p><p>Nothing more to do: reload this page in a few minutes to see the outcome.</p>");
        }
        else
        {
            Open(context, html, session, edit, entered);
        }

        return Html($"{session.PlanName} — checkout", html.ToString());
    }

    private void Header(StringBuilder html, CheckoutSession s)
    {
        var config = configs.Of(s.ProfileId);
        var plan = plans.Find(s.PlanId);
        html.Append("<p class=\"merchant\" id=\"merchant\">");
        if (config.MerchantLogo is { } logo && Uri.TryCreate(logo, UriKind.Absolute, out var logoUri) && logoUri.Scheme is "https" or "http")
        {
            html.Append(CultureInfo.InvariantCulture, $"<img src=\"{E(logo)}\" alt=\"\">");
        }

        html.Append(CultureInfo.InvariantCulture, $"{E(config.MerchantName ?? "Portaly creator")}</p>");
        html.Append(CultureInfo.InvariantCulture, $"<h1 id=\"plan\">{E(s.PlanName)}</h1>");
        if (plan?.ImageUrl is { } image)
        {
            html.Append(CultureInfo.InvariantCulture, $"<img class=\"plan-image\" src=\"{E(image)}\" alt=\"\">");
        }

        html.Append("<p class=\"amount\" id=\"amount\">");
        if (s.AppliedDiscount is not null && s.Amount != s.OriginalAmount)
        {
            html.Append(CultureInfo.InvariantCulture, $"<s id=\"original-amount\">{E(Money(s.OriginalAmount, s.Currency))}</s>");
        }

        html.Append(CultureInfo.InvariantCulture, $"{E(Money(s.Amount, s.Currency))}{E(Period(s.BillingPeriod))}</p>");
        if (s.AppliedDiscount is { } d)
        {
            var cycles = d.Rule.Duration?.Type == "forever" ? "every charge" : (d.Rule.Duration?.Cycles ?? 1) == 1 ? "the first charge" : $"the first {d.Rule.Duration!.Cycles} charges";
            html.Append(CultureInfo.InvariantCulture, $"<p id=\"discount\">Code <strong>{E(d.Code)}</strong> applied to {E(s.Recurring ? cycles : "this payment")}.</p>");
        }

        if (plan?.ListPrice is { } listPrice && listPrice > s.Amount)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p id=\"list-price\">List price <s>{E(Money(listPrice, s.Currency))}</s></p>");
        }

        if (!string.IsNullOrEmpty(plan?.Description))
        {
            // Cleaned by the allowlist sanitiser when the plan was written: shown as the merchant wrote it.
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"description\" id=\"description\">{plan.Description}</div>");
        }

        if (plan?.ExternalInformationUrl is { Url: { } url } link)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(url)}\" rel=\"noopener noreferrer\">{E(link.Text ?? url)}</a></p>");
        }
    }

    private static void Final(StringBuilder html, CheckoutSession s)
    {
        var (words, more) = s.Status switch
        {
            SessionStatus.Completed => ("Payment complete. Thank you!", s.SuccessRedirectUrl is { } back ? $"<p><a id=\"continue\" href=\"{E(SuccessUrl(s))}\">Back to {E(new Uri(back).Host)}</a></p>" : ""),
            SessionStatus.Failed => ("The payment failed.", $"<p id=\"failure\">{E(s.FailureReason)}</p><p>Nothing was charged. Ask the seller for a new checkout link to try again.</p>"),
            SessionStatus.Canceled => ("This checkout was canceled.", ""),
            _ => ("This checkout has expired.", "<p>Ask the seller for a new checkout link.</p>"),
        };
        html.Append(CultureInfo.InvariantCulture, $"<p id=\"status\" class=\"status\" data-status=\"{E(s.Status)}\">{E(words)}</p>{more}");
    }

    private void Open(HttpContext context, StringBuilder html, CheckoutSession s, bool edit, EnteredDetails? entered)
    {
        var buyer = progress.Of(s.Id);
        var payable = s.Amount == 0 || options.Value.TapPay.Configured;
        if (!payable)
        {
            html.Append("<p class=\"notice\" id=\"unavailable\">Card payments are unavailable right now: this checkout cannot be paid.</p>");
        }
        else if (buyer.Confirmed && s.EmailVerified && !edit)
        {
            PayStep(context, html, s);
        }
        else if (buyer.CodePending && !s.EmailVerified && !edit)
        {
            CodeStep(html, s, buyer);
        }
        else
        {
            DetailsStep(html, s, entered ?? new EnteredDetails(buyer.Email, buyer.Name, buyer.Phone));
        }

        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{PathOf(s.Id)}/cancel\"><button type=\"submit\" id=\"cancel\" class=\"link\">Cancel and return to the seller</button></form>");
        html.Append(CultureInfo.InvariantCulture, $"<p><small>Pay before {E(s.ExpiresAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))}.</small></p>");
    }

    private static void DetailsStep(StringBuilder html, CheckoutSession s, EnteredDetails buyer)
    {
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{PathOf(s.Id)}/details\" id=\"details\">");
        var email = s.EmailVerified ? s.CustomerEmail : buyer.Email ?? s.CustomerEmail;
        Field(html, "email", "Email", email, "email", required: true, readOnly: s.EmailVerified, autocomplete: "email");
        Field(html, "name", "Name", buyer.Name ?? s.CustomerName, "text", required: true, autocomplete: "name");
        if (s.CollectPhone)
        {
            Field(html, "phone", "Phone", buyer.Phone ?? s.CustomerPhone, "tel", required: true, autocomplete: "tel");
        }

        html.Append("<button type=\"submit\">Continue</button></form>");
        if (!s.EmailVerified)
        {
            html.Append("<p><small>We will email you a 6-digit code to confirm the address.</small></p>");
        }
    }

    private static void CodeStep(StringBuilder html, CheckoutSession s, BuyerProgress buyer)
    {
        html.Append(CultureInfo.InvariantCulture, $"<p id=\"code-sent\">We sent a 6-digit code to <strong>{E(buyer.Email)}</strong>. It is valid for {BuyerProgressStore.CodeLifetime.TotalMinutes:0} minutes.</p>");
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{PathOf(s.Id)}/verify\" id=\"verify\">");
        Field(html, "code", "Code", null, "text", required: true, autocomplete: "one-time-code");
        html.Append("<button type=\"submit\">Verify</button></form>");
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{PathOf(s.Id)}/resend\"><button type=\"submit\" id=\"resend\" class=\"link\">Send a new code</button></form>");
        html.Append(CultureInfo.InvariantCulture, $"<p><a id=\"edit\" href=\"{PathOf(s.Id)}?edit=1\">Use another email</a></p>");
    }

    private void PayStep(HttpContext context, StringBuilder html, CheckoutSession s)
    {
        html.Append(CultureInfo.InvariantCulture, $"<p id=\"buyer\">{E(s.CustomerName)} · {E(s.CustomerEmail)}{(s.CollectPhone ? " · " + E(s.CustomerPhone) : "")} <a id=\"edit\" href=\"{PathOf(s.Id)}?edit=1\">Change</a></p>");
        if (s.Amount == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{PathOf(s.Id)}/confirm\" id=\"confirm\"><p>Nothing to pay now.</p><button type=\"submit\">Confirm</button></form>");
            return;
        }

        var cardForm = QueryHelpers.AddQueryString(options.Value.TapPay.CardForm, "return_url", PayUrl(context, s.Id));
        html.Append(CultureInfo.InvariantCulture, $"<p><a class=\"button\" id=\"pay\" href=\"{E(cardForm)}\">Pay {E(Money(s.Amount, s.Currency))} by card</a></p>");
        if (s.Recurring)
        {
            html.Append("<p><small>Your card is kept by TapPay for the renewals of this subscription.</small></p>");
        }
    }

    /// <summary>The absolute URL the card form sends the buyer back to, with <c>?prime=</c> added.</summary>
    public static string PayUrl(HttpContext context, string sessionId) => PublicUrls.Base(context) + PathOf(sessionId) + "/pay";

    /// <summary>The merchant's success URL with <c>sessionId</c> added.</summary>
    public static string SuccessUrl(CheckoutSession s) => Location(QueryHelpers.AddQueryString(s.SuccessRedirectUrl!, "sessionId", s.Id));
}
