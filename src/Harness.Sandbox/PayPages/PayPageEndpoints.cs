using System.Globalization;
using System.Net;
using System.Text;
using Harness.Http;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using QRCoder;

namespace Harness.Sandbox.PayPages;

/// <summary>
/// The hosted pay page every provider hands out: plain server-rendered HTML, so a real browser (or a test driving
/// one) can play the buyer. Pay settles the payment once and follows the provider's success redirect; Fail is a
/// declined attempt that leaves the payment open; Cancel follows the cancel redirect. A provider whose checkout takes
/// a card gets a card form instead of Pay and Fail (<see cref="CardCheckout"/>).
/// </summary>
public static class PayPageEndpoints
{
    /// <summary>The form action of the promotion-code field a provider may offer.</summary>
    public const string PromotionCodeAction = "apply-promotion-code";

    public static void MapPayPages(this IEndpointRouteBuilder routes, SandboxContext context, IReadOnlyDictionary<string, ISandboxProvider> providers)
    {
        routes.MapGet("/pay/{id}", (string id) =>
        {
            if (context.Payments.Get(id) is { Status: PaymentStatus.Open } payment)
            {
                providers[payment.Provider].OnViewed(payment);
            }

            return Render(context, providers, id, notice: null, entered: null);
        }).ExcludeFromDescription();
        routes.MapPost("/pay/{id}", async (string id, HttpRequest request) =>
        {
            var form = request.HasFormContentType ? await RequestForm.ReadAsync(request) : null;
            var action = form?["action"].ToString();
            if (form is not null && CardCheckout.Handles(action) && context.Payments.Get(id) is { Status: PaymentStatus.Open } payment
                && providers[payment.Provider].CheckoutCards(payment) is { } cards)
            {
                return await CardCheckout.PostAsync(context, providers, payment, cards, form);
            }

            if (form is not null && action == PromotionCodeAction && context.Payments.Get(id) is { Status: PaymentStatus.Open } discounted
                && providers[discounted.Provider].OffersPromotionCodes(discounted))
            {
                var code = form["promotion_code"].ToString();
                return Render(context, providers, id, providers[discounted.Provider].ApplyPromotionCode(discounted, code) ?? $"Promotion code {code.Trim()} applied.", entered: null);
            }

            if (form is not null && action == DebitCheckout.Action && context.Payments.Get(id) is { Status: PaymentStatus.Open } debited
                && providers[debited.Provider].DebitAccounts(debited) is { } accounts)
            {
                return await DebitCheckout.PostAsync(context, providers, debited, accounts, form);
            }

            return await ActAsync(context, providers, id, action) switch
            {
                { RedirectUrl: { } url } => Results.Redirect(Location(url)),
                var outcome => Render(context, providers, id, outcome.Message, entered: null),
            };
        }).ExcludeFromDescription();
    }

    /// <summary>
    /// Plays the buyer's action; shared by the page's buttons and the control API. The control API pays without a
    /// <paramref name="card"/> (none is recorded); the card page passes the card the test cards approved.
    /// </summary>
    public static async Task<PayPageOutcome> ActAsync(
        SandboxContext context, IReadOnlyDictionary<string, ISandboxProvider> providers, string id, string? action, CardEntry? card = null)
    {
        if (context.Payments.Get(id) is not { } payment)
        {
            return new PayPageOutcome(null, "No such payment.");
        }

        var provider = providers[payment.Provider];
        if (payment.Status != PaymentStatus.Open)
        {
            return new PayPageOutcome(null, $"This payment is {Status(payment.Status)}; nothing was charged.");
        }

        switch (action)
        {
            case "pay":
                return await context.Payments.TryCloseAsync(id, PaymentStatus.Paid, card, provider.OnPaid)
                    ?? new PayPageOutcome(null, "This payment is no longer open.");
            case "fail":
                context.Payments.RecordDecline(id);
                return provider.OnDeclined(payment, null, null)
                    ?? new PayPageOutcome(null, "Your card was declined. The payment is still open: try again or cancel.");
            case "cancel":
                return provider.OnCanceled(payment);
            default:
                return new PayPageOutcome(null, "Choose Pay, Fail or Cancel.");
        }
    }

    /// <summary>
    /// A response header carries ASCII only (Kestrel throws on anything else), so the merchant's URL goes out as a
    /// browser would send it: the host in punycode, everything else percent-encoded.
    /// </summary>
    internal static string Location(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? new UriBuilder(uri) { Host = uri.IdnHost }.Uri.AbsoluteUri : url;

    internal static IResult Render(
        SandboxContext context, IReadOnlyDictionary<string, ISandboxProvider> providers, string id, string? notice, CardFields? entered, string? enteredIban = null)
    {
        if (context.Payments.Get(id) is not { } payment)
        {
            return Results.Content(Page("Payment not found", "<p>No such payment.</p>"), "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status404NotFound);
        }

        var provider = providers[payment.Provider];
        var title = provider.Title;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"merchant\">{E(title)} sandbox checkout</p>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(payment.Description)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"amount\" id=\"amount\">{E(FormatAmount(payment.Amount, payment.Currency))}</p>");
        html.Append(CultureInfo.InvariantCulture, $"<p>Payment <code id=\"payment-id\">{E(payment.Id)}</code> — status <strong id=\"status\">{E(Status(payment.Status))}</strong></p>");
        if (notice is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" id=\"notice\" role=\"status\">{E(notice)}</p>");
        }

        if (payment.Status == PaymentStatus.Open && payment.QrCode is { } qr)
        {
            // The code a phone would scan; the buttons below play what the phone would do.
            html.Append(CultureInfo.InvariantCulture, $"<figure id=\"qr\">{QrSvg(qr)}<figcaption><code id=\"qr-content\">{E(qr)}</code></figcaption></figure>");
        }

        if (payment.Status == PaymentStatus.Open)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Expires at <time>{E(payment.ExpiresAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))}</time></p>");
        }

        if (payment.Status == PaymentStatus.Open && provider.OffersPromotionCodes(payment))
        {
            html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/pay/{E(Uri.EscapeDataString(payment.Id))}\" class=\"promotion-code\">");
            html.Append("<p><label for=\"promotion-code\">Promotion code</label><br><input id=\"promotion-code\" name=\"promotion_code\" autocomplete=\"off\"> ");
            html.Append(CultureInfo.InvariantCulture, $"<button type=\"submit\" name=\"action\" value=\"{PromotionCodeAction}\">Apply</button></p></form>");
        }

        if (payment.Status == PaymentStatus.Open && provider.CheckoutCards(payment) is { } cards)
        {
            html.Append(CardCheckout.Form(payment, cards, entered));
            if (provider.DebitAccounts(payment) is { } accounts)
            {
                html.Append(DebitCheckout.Form(payment, accounts, enteredIban));
            }
        }
        else if (payment.Status == PaymentStatus.Open)
        {
            html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/pay/{E(Uri.EscapeDataString(payment.Id))}\">");
            html.Append("<button type=\"submit\" name=\"action\" value=\"pay\">Pay</button> ");
            html.Append("<button type=\"submit\" name=\"action\" value=\"fail\">Fail</button> ");
            html.Append("<button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button>");
            html.Append("</form>");
        }

        var status = payment.Status == PaymentStatus.Expired ? StatusCodes.Status410Gone : StatusCodes.Status200OK;
        return Results.Content(Page($"{title} — pay {payment.Id}", html.ToString()), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    internal static string Page(string title, string body) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(title)}</title>"
        + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        + "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}"
        + ".amount{font-size:2rem}figure svg{width:12rem;height:12rem}.notice{background:#fff4d6;padding:.5rem}button{font-size:1rem;margin-right:.5rem;padding:.5rem 1rem}input{font-size:1rem;padding:.4rem;width:16rem}table{border-collapse:collapse;margin-top:1.5rem}td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left}</style>"
        + $"</head><body>{body}</body></html>";

    internal static string E(string text) => WebUtility.HtmlEncode(text);

    private static string QrSvg(string content)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(content, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(4);
    }

    private static string Status(PaymentStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Minor units shown with two decimals (every currency these providers use here has two).</summary>
    internal static string FormatAmount(long minor, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{minor / 100}.{Math.Abs(minor % 100):00} {currency.ToUpperInvariant()}");
}
