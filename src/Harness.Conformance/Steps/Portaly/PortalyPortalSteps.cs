using System.Net;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Portaly;

/// <summary>
/// The subscriber's portal as a browser uses it: the merchant makes a portal session, the subscriber opens its
/// <c>portalUrl</c> (no key) and submits the page's forms. The runner relies only on the documented contract of the
/// page: each subscription's action is a POST form whose <c>action</c> ends in <c>/cancel</c> or <c>/resume</c> and whose
/// fields include <c>token</c> and <c>subscriptionId</c>; the Back link is an <c>href</c> to the <c>returnUrl</c>.
/// </summary>
[Steps]
public sealed partial class PortalyPortalSteps(ScenarioContext context)
{
    private readonly PortalyWorld _world = context.Get<PortalyWorld>();
    private string? _portalUrl;
    private (HttpStatusCode Status, string Html)? _page;

    private string PortalUrl => _portalUrl ?? throw new AssertionException("the merchant has not opened a portal session yet");

    private (HttpStatusCode Status, string Html) Page => _page ?? throw new AssertionException("the subscriber has not opened the portal link yet");

    [When("the merchant opens a portal session for checkout session {string} returning to {string}")]
    public async Task OpenSession(string label, string returnUrl)
    {
        var session = _world.Session(label);
        var key = session.Mode == "live" ? _world.LiveKey : _world.TestKey;
        var data = await _world.MustAsync(HttpMethod.Post, "/portal-sessions", new { subscriptionId = session.Id, returnUrl }, key, "opening a portal session");
        _portalUrl = ApiReply.Field(data, "portalUrl").GetString()!;
        context.Masker.Add(_portalUrl);
        Check.That(Uri.TryCreate(_portalUrl, UriKind.Absolute, out _), $"portalUrl \"{_portalUrl}\" is not an absolute URL");
    }

    [When("the subscriber opens the portal link")]
    public Task Open() => Get(PortalUrl);

    [When("the subscriber opens the portal link with a wrong token")]
    public Task OpenWithWrongToken() => Get(WrongToken(PortalUrl));

    /// <summary>Submits the page's form for the subscription, as the button does; "with a wrong token" changes only the token field.</summary>
    [When(@"^the subscriber presses (cancel|resume) for checkout session ""([^""]+)"" on the portal page( with a wrong token)?$")]
    public async Task Press(string action, string label, string? wrongToken)
    {
        var id = _world.Session(label).Id;
        var form = Forms(Page.Html).FirstOrDefault(f => f.Action.EndsWith("/" + action, StringComparison.Ordinal) && f.Fields.GetValueOrDefault("subscriptionId") == id)
            ?? throw new AssertionException($"the portal page has no {action} form for {id}: {Shorten(Page.Html)}");
        var fields = new Dictionary<string, string>(form.Fields, StringComparer.Ordinal);
        Check.That(fields.ContainsKey("token"), $"the {action} form of {id} carries no token field");
        if (!string.IsNullOrEmpty(wrongToken))
        {
            fields["token"] = new string('0', fields["token"].Length);
        }

        using var content = new FormUrlEncodedContent(fields);
        using var response = await context.Http.PostAsync(new Uri(new Uri(PortalUrl), form.Action), content, context.CancellationToken);
        _page = (response.StatusCode, await response.Content.ReadAsStringAsync(context.CancellationToken));
    }

    [Then("the portal page is HTTP {int}")]
    public void PageStatus(int status) =>
        Check.Equal(status, (int)Page.Status, $"HTTP status of the portal page ({Shorten(Page.Html)})");

    [Then(@"^the portal page is HTTP 200 and offers to (cancel|resume) checkout session ""([^""]+)""$")]
    public void Offers(string action, string label)
    {
        PageStatus(200);
        var id = _world.Session(label).Id;
        var actions = Forms(Page.Html).Where(f => f.Fields.GetValueOrDefault("subscriptionId") == id).Select(f => f.Action[(f.Action.LastIndexOf('/') + 1)..]).ToList();
        Check.That(actions.SequenceEqual([action]), $"the portal page's forms for {id}: expected only \"{action}\", found [{string.Join(", ", actions)}]");
    }

    [Then("the portal page links back to {string}")]
    public void LinksBack(string returnUrl) =>
        Check.That(Links(Page.Html).Contains(returnUrl), $"the portal page has no link to {returnUrl}: {Shorten(Page.Html)}");

    private async Task Get(string url)
    {
        using var response = await context.Http.GetAsync(new Uri(url), context.CancellationToken);
        _page = (response.StatusCode, await response.Content.ReadAsStringAsync(context.CancellationToken));
    }

    private static string WrongToken(string url) => TokenParameter().Replace(url, m => m.Groups[1].Value + new string('0', Math.Max(m.Groups[2].Value.Length, 1)));

    private sealed record PageForm(string Action, Dictionary<string, string> Fields);

    private static IEnumerable<PageForm> Forms(string html) => Form().Matches(html).Select(m => new PageForm(
        WebUtility.HtmlDecode(m.Groups[1].Value),
        Input().Matches(m.Groups[2].Value)
            .Select(i => (Name: WebUtility.HtmlDecode(i.Groups[1].Value), Value: WebUtility.HtmlDecode(i.Groups[2].Value)))
            .DistinctBy(i => i.Name)
            .ToDictionary(i => i.Name, i => i.Value, StringComparer.Ordinal)));

    private static HashSet<string> Links(string html) => [.. Href().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;

    [GeneratedRegex(@"<form\b[^>]*\baction=""([^""]*)""[^>]*>(.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Form();

    [GeneratedRegex(@"<input\b[^>]*\bname=""([^""]*)""[^>]*\bvalue=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex Input();

    [GeneratedRegex(@"\bhref=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex Href();

    [GeneratedRegex(@"([?&]token=)([^&]*)")]
    private static partial Regex TokenParameter();
}
