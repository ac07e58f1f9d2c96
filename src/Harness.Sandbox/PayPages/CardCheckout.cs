using System.Globalization;
using System.Text;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.PayPages;

/// <summary>The card fields as the buyer typed them, put back into the form after a refusal.</summary>
public sealed record CardFields(string Number, string Expiry, string Cvc, string Name)
{
    public static CardFields From(IFormCollection form) =>
        new(form["card_number"].ToString(), form["card_expiry"].ToString(), form["card_cvc"].ToString(), form["card_name"].ToString());
}

/// <summary>
/// The hosted page of a provider whose checkout takes a card (Stripe, Creem): the provider's test cards decide the
/// outcome. A refusal re-renders the page with the message in <c>#notice</c> and HTTP 200, the payment still open;
/// a 3-D Secure card first shows a challenge page that carries the card in hidden fields.
/// </summary>
public static class CardCheckout
{
    public const string Authenticate = "authenticate";
    public const string FailAuthentication = "fail-authentication";

    private const string AuthenticationFailed = "We are unable to authenticate your payment method. Please choose a different payment method and try again.";

    /// <summary>The form actions that need a card; cancel, and the control API's fail, work as on every page.</summary>
    public static bool Handles(string? action) => action is "pay" or Authenticate or FailAuthentication;

    public static async Task<IResult> PostAsync(
        SandboxContext context, IReadOnlyDictionary<string, ISandboxProvider> providers, SandboxPayment payment, IReadOnlyList<TestCard> cards,
        IFormCollection form)
    {
        var entered = CardFields.From(form);
        var action = form["action"].ToString();
        var (card, problem) = TestCards.Read(entered.Number, entered.Expiry, entered.Cvc, context.Clock.GetUtcNow());
        if (card is null)
        {
            return PayPageEndpoints.Render(context, providers, payment.Id, problem, entered);
        }

        var outcome = cards.FirstOrDefault(c => c.Number == card.Number)?.Outcome;
        if (outcome == CardOutcome.ThreeDSecureRequired && action == "pay")
        {
            return Challenge(providers[payment.Provider].Title, payment, entered, card);
        }

        var decline = outcome switch
        {
            _ when action == FailAuthentication => AuthenticationFailed,
            null => TestCards.NotATestCard,
            CardOutcome.Approved or CardOutcome.RenewalsFail or CardOutcome.ThreeDSecureRequired => null,
            { } refused => TestCards.DeclineMessage(refused),
        };
        if (decline is not null)
        {
            context.Payments.RecordDecline(payment.Id);
            var declined = providers[payment.Provider].OnDeclined(payment, card, action == FailAuthentication ? null : outcome);
            return declined?.RedirectUrl is { } back
                ? Results.Redirect(PayPageEndpoints.Location(back))
                : PayPageEndpoints.Render(context, providers, payment.Id, declined?.Message ?? decline, entered with { Cvc = "" });
        }

        return await PayPageEndpoints.ActAsync(context, providers, payment.Id, "pay", card) switch
        {
            { RedirectUrl: { } url } => Results.Redirect(PayPageEndpoints.Location(url)),
            var done => PayPageEndpoints.Render(context, providers, payment.Id, done.Message, null),
        };
    }

    /// <summary>The card form and the table of test cards a human reads to know what to type.</summary>
    public static string Form(SandboxPayment payment, IReadOnlyList<TestCard> cards, CardFields? entered)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/pay/{E(Uri.EscapeDataString(payment.Id))}\" class=\"card\">");
        Field(html, "card-number", "card_number", "Card number", entered?.Number, "cc-number", "1234 1234 1234 1234");
        Field(html, "card-expiry", "card_expiry", "Expiry", entered?.Expiry, "cc-exp", "MM / YY");
        Field(html, "card-cvc", "card_cvc", "CVC", entered?.Cvc, "cc-csc", "CVC");
        Field(html, "card-name", "card_name", "Cardholder name", entered?.Name, "cc-name", "Optional");
        html.Append("<button type=\"submit\" name=\"action\" value=\"pay\">Pay</button> ");
        html.Append("<button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button>");
        html.Append("</form>");
        html.Append(TestCardTable(cards, "Use any future expiry and any 3-digit CVC."));
        return html.ToString();
    }

    public static string TestCardTable(IReadOnlyList<TestCard> cards, string caption)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<table id=\"test-cards\"><caption>Test cards. {E(caption)}</caption><thead><tr><th>Number</th><th>Outcome</th></tr></thead><tbody>");
        foreach (var card in cards)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(Grouped(card.Number))}</code></td><td>{E(card.Description)}</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>A labelled input; the label's text is the input's accessible name.</summary>
    public static void Field(StringBuilder html, string id, string name, string label, string? value, string autocomplete, string placeholder) =>
        html.Append(CultureInfo.InvariantCulture,
            $"<p><label for=\"{id}\">{E(label)}</label><br><input id=\"{id}\" name=\"{name}\" value=\"{E(value ?? "")}\" autocomplete=\"{autocomplete}\" placeholder=\"{E(placeholder)}\"></p>");

    private static IResult Challenge(string title, SandboxPayment payment, CardFields entered, CardEntry card)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"merchant\">{E(title)} sandbox checkout</p><h1>3-D Secure authentication</h1>");
        html.Append(CultureInfo.InvariantCulture,
            $"<p>Your bank asks you to confirm the payment of <strong id=\"amount\">{E(PayPageEndpoints.FormatAmount(payment.Amount, payment.Currency))}</strong> with the {E(card.Brand)} card ending in {E(card.Last4)}.</p>");
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/pay/{E(Uri.EscapeDataString(payment.Id))}\">");
        foreach (var (name, value) in new[] { ("card_number", entered.Number), ("card_expiry", entered.Expiry), ("card_cvc", entered.Cvc), ("card_name", entered.Name) })
        {
            html.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{name}\" value=\"{E(value)}\">");
        }

        html.Append(CultureInfo.InvariantCulture, $"<button type=\"submit\" name=\"action\" value=\"{Authenticate}\">Complete authentication</button> ");
        html.Append(CultureInfo.InvariantCulture, $"<button type=\"submit\" name=\"action\" value=\"{FailAuthentication}\">Fail authentication</button>");
        html.Append("</form>");
        return Results.Content(PayPageEndpoints.Page("3-D Secure authentication", html.ToString()), "text/html; charset=utf-8", Encoding.UTF8);
    }

    private static string Grouped(string number) => string.Join(' ', number.Chunk(4).Select(c => new string(c)));

    private static string E(string text) => PayPageEndpoints.E(text);
}
