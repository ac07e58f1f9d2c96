using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Http;
using Harness.Sandbox.PayPages;
using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// What a payment link's <c>url</c> opens, on the control listener: a Checkout Session made from the link, and the
/// buyer sent on to its hosted pay page. A link with adjustable quantities first asks how many (the form posts back
/// here); an inactive link, or one whose completed-session limit is reached, shows its <c>inactive_message</c> and opens nothing.
/// </summary>
public sealed class StripePaymentLinkPage(StripePaymentLinks links, CheckoutSessions sessions)
{
    private const string Html = "text/html; charset=utf-8";

    public void Map(IEndpointRouteBuilder routes)
    {
        const string path = StripePaymentLinks.PagePath + "/{code}";
        routes.MapGet(path, (string code) => Open(code, null)).ExcludeFromDescription();
        routes.MapPost(path, async (string code, HttpRequest request) => Open(code, await RequestForm.TryReadAsync(request) ?? new FormCollection(null)))
            .ExcludeFromDescription();
    }

    /// <summary>Opens the link: the quantities form when the buyer has a choice and made none yet, otherwise a session.</summary>
    private IResult Open(string code, IFormCollection? form)
    {
        if (links.ByCode(code) is not { } link)
        {
            return Page("Payment link not found", "<h1>Payment link not found</h1><p id=\"notice\">No such payment link.</p>", StatusCodes.Status404NotFound);
        }

        if (!StripePaymentLinks.Open(link))
        {
            return Inactive(link);
        }

        var lines = ((JsonArray)link["_line_items"]!).OfType<JsonObject>().ToList();
        if (form is null && lines.Any(l => l["_adjustable_quantity"] is JsonObject))
        {
            return Choose(code, link, lines, notice: null, StatusCodes.Status200OK);
        }

        var quantities = lines.Select(l => l["quantity"]!.GetValue<long>()).ToList();
        if (form is not null && ReadQuantities(form, lines, quantities) is { } wrong)
        {
            return Choose(code, link, lines, wrong, StatusCodes.Status400BadRequest);
        }

        return sessions.OpenForLink(link.Str("id")!, quantities) switch
        {
            null => Inactive(links.ByCode(code)!),
            { Status: 200 } created => Results.Redirect(PayPageEndpoints.Location(created.Body.Str("url")!)),
            var refused => Choose(code, link, lines, refused.Body["error"].Str("message"), refused.Status),
        };
    }

    /// <summary>The buyer's quantities for the adjustable lines, each in its range; at least one line left. Null when they are good.</summary>
    private static string? ReadQuantities(IFormCollection form, List<JsonObject> lines, List<long> quantities)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i]["_adjustable_quantity"] is not JsonObject range || form[Field(lines[i])].ToString() is not { Length: > 0 } text)
            {
                continue;
            }

            var (minimum, maximum) = (range["minimum"]!.GetValue<long>(), range["maximum"]!.GetValue<long>());
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var quantity) || quantity < minimum || quantity > maximum)
            {
                return $"Choose a quantity of {lines[i].Str("description")} from {minimum} to {maximum}.";
            }

            quantities[i] = quantity;
        }

        return quantities.Any(q => q > 0) || lines.Any(l => StripePrices.Metered(l["price"])) ? null : "Choose at least one item.";
    }

    private static IResult Choose(string code, JsonObject link, List<JsonObject> lines, string? notice, int status)
    {
        var html = new StringBuilder("<p class=\"merchant\">Stripe sandbox payment link</p><h1>Choose your quantities</h1>");
        if (notice is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" id=\"notice\" role=\"status\">{E(notice)}</p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" class=\"quantities\" action=\"{StripePaymentLinks.PagePath}/{E(code)}\">");
        foreach (var line in lines)
        {
            var price = line["price"]!;
            html.Append(CultureInfo.InvariantCulture,
                $"<p><label>{E(line.Str("description")!)} ({E(PayPageEndpoints.FormatAmount(price["unit_amount"]!.GetValue<long>(), link.Str("currency")!))} each) ");
            html.Append(line["_adjustable_quantity"] is JsonObject range
                ? $"<input type=\"number\" name=\"{E(Field(line))}\" value=\"{line["quantity"]}\" min=\"{range["minimum"]}\" max=\"{range["maximum"]}\">"
                : $"× {line["quantity"]}");
            html.Append("</label></p>");
        }

        html.Append("<button type=\"submit\">Continue to payment</button></form>");
        return Page("Payment link", html.ToString(), status);
    }

    private static IResult Inactive(JsonObject link) => Page("Payment link inactive",
        $"<h1>This link is no longer active</h1><p id=\"notice\">{E(link.Str("inactive_message") ?? "This payment link is no longer accepting payments. Contact the seller for a new link.")}</p>",
        StatusCodes.Status410Gone);

    /// <summary>The form field of a line's quantity: named by the line's id.</summary>
    private static string Field(JsonObject line) => "quantity_" + line.Str("id");

    private static IResult Page(string title, string body, int status) =>
        Results.Content(PayPageEndpoints.Page(title, body), Html, Encoding.UTF8, status);

    private static string E(string text) => PayPageEndpoints.E(text);
}
