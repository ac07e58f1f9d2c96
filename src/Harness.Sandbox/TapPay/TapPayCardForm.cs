using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Http;
using Harness.Sandbox.PayPages;
using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.TapPay;

/// <summary>
/// A stand-in for TapPay Fields, the card form a merchant's page embeds: the buyer types a card, the form turns it
/// into a prime through the same code as <c>/sandbox/get-prime</c> and shows it, or hands it to <c>return_url</c> as
/// <c>?prime=…</c>. Refusals re-render the form with the message in <c>#notice</c> (HTTP 200).
/// </summary>
internal static class TapPayCardForm
{
    public const string Path = "/sandbox/card-form";

    public static void Map(WebApplication app, SandboxContext context, TapPayCharges charges)
    {
        app.MapGet(Path, (HttpRequest request) => Render(request.Query["return_url"].ToString(), null, null, null));
        app.MapPost(Path, async (HttpRequest request) =>
        {
            if (!request.HasFormContentType)
            {
                return Render("", null, null, "Send the card form as application/x-www-form-urlencoded.");
            }

            var form = await RequestForm.ReadAsync(request);
            var entered = CardFields.From(form);
            var returnUrl = form["return_url"].ToString();
            if (returnUrl.Length > 0 && !HttpUrl.IsValid(returnUrl))
            {
                return Render("", entered, null, "return_url must be an absolute http(s) URL.");
            }

            var (card, problem) = TestCards.Read(entered.Number, entered.Expiry, entered.Cvc, context.Clock.GetUtcNow());
            if (card is null)
            {
                return Render(returnUrl, entered, null, problem);
            }

            var answer = charges.GetPrime(new JsonObject
            {
                ["card_number"] = card.Number,
                ["card_expiry"] = string.Create(CultureInfo.InvariantCulture, $"{card.ExpMonth:00}/{card.ExpYear % 100:00}"),
                ["card_ccv"] = entered.Cvc.Trim(),
            });
            if (answer.Text("prime") is not { } prime)
            {
                return Render(returnUrl, entered, null, answer.Text("msg"));
            }

            return returnUrl.Length > 0
                ? Results.Redirect(PayPageEndpoints.Location(QueryHelpers.AddQueryString(returnUrl, "prime", prime)))
                : Render("", null, prime, $"Prime issued for the {card.Brand} card ending in {card.Last4}; it expires in 90 seconds.");
        });
    }

    private static IResult Render(string returnUrl, CardFields? entered, string? prime, string? notice)
    {
        var html = new StringBuilder("<p class=\"merchant\">TapPay sandbox</p><h1>Card form</h1>");
        if (notice is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" id=\"notice\" role=\"status\">{PayPageEndpoints.E(notice)}</p>");
        }

        if (prime is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Prime <code id=\"prime\">{PayPageEndpoints.E(prime)}</code></p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{Path}\"><input type=\"hidden\" name=\"return_url\" value=\"{PayPageEndpoints.E(returnUrl)}\">");
        CardCheckout.Field(html, "card-number", "card_number", "Card number", entered?.Number, "cc-number", "1234 1234 1234 1234");
        CardCheckout.Field(html, "card-expiry", "card_expiry", "Expiry", entered?.Expiry, "cc-exp", "MM / YY");
        CardCheckout.Field(html, "card-cvc", "card_cvc", "CCV", entered?.Cvc, "cc-csc", "CCV");
        html.Append("<button type=\"submit\">Get prime</button></form>");
        html.Append(CardCheckout.TestCardTable(TapPayTestData.Cards, "The bank's answer comes with Pay by Prime; use any future expiry and any 3-digit CCV."));
        return Results.Content(PayPageEndpoints.Page("TapPay card form", html.ToString()), "text/html; charset=utf-8", Encoding.UTF8);
    }
}
