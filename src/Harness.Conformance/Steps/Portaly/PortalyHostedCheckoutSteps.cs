using System.Net;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;
using Harness.Conformance.Steps.Providers;

namespace Harness.Conformance.Steps.Portaly;

/// <summary>
/// The buyer on the target's hosted checkout page (<c>{portalyUrl}/checkout/subscription/{sessionId}</c>), by URL and
/// without a browser: the details form, the page's <c>id="pay"</c> link to the TapPay card form, the card form, and the
/// pay URL it sends the buyer back to; the page's cancel; and what the merchant then sees of the subscription's renewals.
/// docs/conformance.md ("The hosted checkout page") is the markup the runner relies on.
/// </summary>
[Steps]
public sealed partial class PortalyHostedCheckoutSteps(ScenarioContext context)
{
    /// <summary>A card expiry in the future of any clock a run moves.</summary>
    private const string CardExpiry = "12/30";

    private readonly PortalyWorld _world = context.Get<PortalyWorld>();
    private readonly PortalySteps _steps = context.Get<PortalySteps>();

    /// <summary>The buyer's last answer from the hosted pages: status, redirect target, body.</summary>
    private (HttpStatusCode Status, string? Location, string Body)? _last;

    private (HttpStatusCode Status, string? Location, string Body) Last => _last ?? throw new AssertionException("the buyer has not been on the hosted page yet");

    /// <summary>
    /// Details (name, phone; the session was created with <c>customerEmail</c> and <c>emailVerified: true</c>, so no
    /// email code), the page's pay link to the card form, the card typed there, and the pay URL the form redirects to.
    /// </summary>
    [When("the buyer pays checkout session {string} on the hosted page with card {string}")]
    [Needs(Need.PortalyHostedCheckout)]
    public async Task Pay(string label, string card)
    {
        var page = PageUrl(label);
        var details = await SendAsync(HttpMethod.Post, page + "/details", new()
        {
            ["email"] = _world.Email(),
            ["name"] = "Buyer " + context.RunId,
            ["phone"] = "0912345678",
        });
        Check.That((int)details.Status is >= 300 and < 400, $"the details form is accepted with a redirect: HTTP {(int)details.Status} {Notice(details.Body)}");

        var shown = await SendAsync(HttpMethod.Get, page, null);
        Check.Equal(HttpStatusCode.OK, shown.Status, "the hosted page after the details");
        var link = PayLink(shown.Body)
            ?? throw new AssertionException($"the hosted page has no <a id=\"pay\" href=\"…\"> to the card form (was the session created with customerEmail and emailVerified: true?): {Notice(shown.Body)}");
        var form = new Uri(link, UriKind.Absolute);
        var returnUrl = System.Web.HttpUtility.ParseQueryString(form.Query)["return_url"]
            ?? throw new AssertionException($"the pay link names no return_url: {link}");

        var typed = await SendAsync(HttpMethod.Post, form.GetLeftPart(UriPartial.Path), new()
        {
            ["card_number"] = card,
            ["card_expiry"] = CardExpiry,
            ["card_cvc"] = "123",
            ["return_url"] = returnUrl,
        });
        Check.That(typed.Status == HttpStatusCode.Redirect && typed.Location is not null, $"the card form sends the buyer back with a prime: HTTP {(int)typed.Status} {Notice(typed.Body)}");
        _last = await SendAsync(HttpMethod.Get, typed.Location!, null);
    }

    [When("the buyer cancels checkout session {string} on the hosted page")]
    [Needs(Need.PortalyHostedCheckout)]
    public async Task Cancel(string label) => _last = await SendAsync(HttpMethod.Post, PageUrl(label) + "/cancel", []);

    [Then("the buyer is sent to {string}")]
    public void SentTo(string url)
    {
        Check.That((int)Last.Status is >= 300 and < 400, $"the buyer is redirected: HTTP {(int)Last.Status} {Notice(Last.Body)}");
        Check.Equal(_steps.Substitute(url), Last.Location, "where the buyer is sent");
    }

    /// <summary>The page the buyer sees after paying: a status page (HTTP 200, <c>id="status"</c> with <c>data-status</c>), no redirect.</summary>
    [Then("the buyer sees the hosted page say {string}")]
    public void Sees(string status)
    {
        Check.Equal(HttpStatusCode.OK, Last.Status, $"the buyer stays on the hosted page (Location {Last.Location})");
        Check.Equal(status, StatusOf(Last.Body), $"data-status of the page's id=\"status\" element ({Notice(Last.Body)})");
    }

    /// <summary>Moves the target's clock a minute past the subscription's <c>nextBillingAt</c>, measured from its <c>lastChargedAt</c> (now, or the last renewal's due time).</summary>
    [When("the Portaly clock passes the next billing of checkout session {string}")]
    [Needs(Need.PortalyClock)]
    public Task PassNextBilling(string label) => _world.PassAsync(label, "/subscriptions/", "lastChargedAt", "nextBillingAt");

    /// <summary>The orders of the session's subscription in the key's list (newest first), by amount and status.</summary>
    [Then("the orders of checkout session {string} are, newest first:")]
    public async Task Orders(string label, StepTable expected)
    {
        var found = (await _world.OrdersOfAsync(_world.Session(label)))
            .Select(o => $"{ApiReply.Text(ApiReply.Field(o, "amount"))} {PortalyWorld.Text(o, "status")}").ToList();
        var wanted = expected.Rows.Select(r => $"{r["amount"]} {r["status"]}").ToList();
        Check.Equal(string.Join(", ", wanted), string.Join(", ", found), $"the orders of {label} (amount status)");
    }

    /// <summary>For every TapPay call of the scenario the sandbox answers HTTP 500 (removed when the scenario ends).</summary>
    [Given("TapPay fails every call at the sandbox")]
    [Needs(Need.PortalyHostedCheckout)]
    public Task TapPayFails() => context.Get<SandboxWorld>().AddFaultAsync("server_error", "tappay");

    private string PageUrl(string label) => $"{_world.Url}/checkout/subscription/{Uri.EscapeDataString(_world.Session(label).Id)}";

    /// <summary>A browser's request without its redirects followed: a form when <paramref name="form"/> is given.</summary>
    private async Task<(HttpStatusCode Status, string? Location, string Body)> SendAsync(HttpMethod method, string url, Dictionary<string, string>? form)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Absolute));
        if (form is not null)
        {
            request.Content = new FormUrlEncodedContent(form);
        }

        using var response = await context.Http.SendAsync(request, context.CancellationToken);
        var location = response.Headers.Location is { } to ? (to.IsAbsoluteUri ? to : new Uri(request.RequestUri!, to)).ToString() : null;
        return (response.StatusCode, location, await response.Content.ReadAsStringAsync(context.CancellationToken));
    }

    /// <summary>The <c>href</c> of the page's <c>id="pay"</c> element, HTML-decoded.</summary>
    private static string? PayLink(string html) =>
        Tag(html, "pay") is { } tag && Attribute(tag, "href") is { } href ? WebUtility.HtmlDecode(href) : null;

    private static string? StatusOf(string html) => Tag(html, "status") is { } tag ? Attribute(tag, "data-status") : null;

    /// <summary>The page's message (<c>id="notice"</c>) or its start, for failure messages.</summary>
    private static string Notice(string html)
    {
        var notice = NoticeText().Match(html);
        var text = notice.Success ? notice.Groups[1].Value : html;
        return text.Length > 300 ? text[..300] + "…" : text;
    }

    private static string? Tag(string html, string id) =>
        OpeningTags().Matches(html).Select(m => m.Value).FirstOrDefault(t => Attribute(t, "id") == id);

    private static string? Attribute(string tag, string name) =>
        Attributes().Matches(tag).FirstOrDefault(m => m.Groups[1].Value.Equals(name, StringComparison.OrdinalIgnoreCase))?.Groups[2].Value;

    [GeneratedRegex(@"<[a-zA-Z][^>]*>")]
    private static partial Regex OpeningTags();

    [GeneratedRegex(@"\s([\w-]+)=""([^""]*)""")]
    private static partial Regex Attributes();

    [GeneratedRegex(@"id=""notice""[^>]*>([^<]*)<")]
    private static partial Regex NoticeText();
}
