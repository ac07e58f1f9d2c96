using System.Net;

namespace Harness.Tests.Portaly;

/// <summary>Portal sessions: creation rules, the hosted page's list, cancel and resume through it, refused links and subscriptions.</summary>
public sealed class PortalTests : IAsyncDisposable
{
    private readonly PortalyTestApp _app = new();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Creation_needs_a_return_url_and_an_email_or_one_of_the_keys_subscriptions()
    {
        var http = _app.Test();
        var id = await Subscribing.ManuallyAsync(http, await http.CreatePlan(), "buyer@example.com");

        var created = await http.Post("/portal-sessions", new { customerEmail = "buyer@example.com", returnUrl = "https://merchant.example/account" });

        Assert.Equal(HttpStatusCode.OK, created.Status);
        var sessionId = created.Data["portalSessionId"]!.GetValue<string>();
        Assert.StartsWith($"http://localhost/portal/{sessionId}?token=", created.Data["portalUrl"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(_app.Clock.GetUtcNow().AddMinutes(30), created.Data["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(HttpStatusCode.OK, (await http.Post("/portal-sessions", new { subscriptionId = id, returnUrl = "https://merchant.example" })).Status);
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post("/portal-sessions", new { returnUrl = "https://merchant.example" })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post("/portal-sessions", new { customerEmail = "buyer@example.com" })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post("/portal-sessions", new { customerEmail = "buyer@example.com", returnUrl = "javascript:alert(1)" })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post("/portal-sessions", new { customerEmail = "not-an-email", returnUrl = "https://merchant.example" })));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), Of(await http.Post("/portal-sessions", new { subscriptionId = "session_missing", returnUrl = "https://merchant.example" })));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), Of(await _app.Live().Post("/portal-sessions", new { subscriptionId = id, returnUrl = "https://merchant.example" })));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), Of(await http.Post("/portal-sessions", new { subscriptionId = id, customerEmail = "other@example.com", returnUrl = "https://merchant.example" })));
    }

    [Fact]
    public async Task The_page_lists_the_emails_subscriptions_escaped_and_cancels_and_resumes_them()
    {
        var http = _app.Test();
        var mine = await Subscribing.ManuallyAsync(http, await http.CreatePlan("<b>Pro</b> & more"), "Buyer@Example.com");
        var theirs = await Subscribing.ManuallyAsync(http, await http.CreatePlan("Theirs"), "other@example.com");
        var (path, token) = await PortalOf(new { customerEmail = "buyer@example.com", returnUrl = "https://merchant.example/back?a=1&b=2" });

        var page = await Page(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("&lt;b&gt;Pro&lt;/b&gt; &amp; more", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Pro</b>", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Theirs", page.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://merchant.example/back?a=1&amp;b=2\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("300 TWD", page.Html, StringComparison.Ordinal);
        Assert.Contains(_app.Clock.GetUtcNow().AddMonths(1).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), page.Html, StringComparison.Ordinal);
        Assert.Contains("Cancel subscription", page.Html, StringComparison.Ordinal);

        var canceled = await Page(HttpMethod.Post, $"/portal/{SessionOf(path)}/cancel", new() { ["token"] = token, ["subscriptionId"] = mine });
        Assert.Equal(HttpStatusCode.OK, canceled.Status);
        Assert.Contains("Resume subscription", canceled.Html, StringComparison.Ordinal);
        var record = (await http.Get("/subscriptions/" + mine)).Data;
        Assert.Equal((true, "subscriber", "customer_requested"), (record["cancelAtPeriodEnd"]!.GetValue<bool>(), record["cancelRequestedBy"]!.GetValue<string>(), record["cancelReason"]!.GetValue<string>()));

        var resumed = await Page(HttpMethod.Post, $"/portal/{SessionOf(path)}/resume", new() { ["token"] = token, ["subscriptionId"] = mine });
        Assert.Equal(HttpStatusCode.OK, resumed.Status);
        Assert.False((await http.Get("/subscriptions/" + mine)).Data["cancelAtPeriodEnd"]!.GetValue<bool>());

        var foreign = await Page(HttpMethod.Post, $"/portal/{SessionOf(path)}/cancel", new() { ["token"] = token, ["subscriptionId"] = theirs });
        Assert.Equal(HttpStatusCode.NotFound, foreign.Status);
        Assert.Contains("Subscription not found.", foreign.Html, StringComparison.Ordinal);
        Assert.False((await http.Get("/subscriptions/" + theirs)).Data["cancelAtPeriodEnd"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_wrong_or_expired_token_is_refused_on_every_request_and_changes_nothing()
    {
        var http = _app.Test();
        var id = await Subscribing.ManuallyAsync(http, await http.CreatePlan(), "buyer@example.com");
        var (path, token) = await PortalOf(new { subscriptionId = id, returnUrl = "https://merchant.example" });
        var session = SessionOf(path);

        Assert.Equal(HttpStatusCode.Forbidden, (await Page(HttpMethod.Get, $"/portal/{session}?token=wrong")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Page(HttpMethod.Get, $"/portal/{session}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Page(HttpMethod.Get, $"/portal/portal_missing?token={token}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Page(HttpMethod.Post, $"/portal/{session}/cancel", new() { ["token"] = "wrong", ["subscriptionId"] = id })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Page(HttpMethod.Post, $"/portal/{session}/cancel", new() { ["token"] = token })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Page(HttpMethod.Get, path)).Status);

        _app.Clock.Advance(TimeSpan.FromMinutes(30));

        var expired = await Page(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.Gone, expired.Status);
        Assert.Contains("expired", expired.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, (await Page(HttpMethod.Post, $"/portal/{session}/cancel", new() { ["token"] = token, ["subscriptionId"] = id })).Status);
        Assert.False((await http.Get("/subscriptions/" + id)).Data["cancelAtPeriodEnd"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_form_cut_short_inside_a_multipart_section_is_a_400_page_not_a_500()
    {
        using var content = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc");
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=xyz");

        using var response = await _app.Anonymous().PostAsync("/portal/portal_missing/cancel", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The form could not be read.", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private async Task<(string Path, string Token)> PortalOf(object request)
    {
        var created = await _app.Test().Post("/portal-sessions", request);
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var url = new Uri(created.Data["portalUrl"]!.GetValue<string>());
        return (url.PathAndQuery, url.Query["?token=".Length..]);
    }

    private static string SessionOf(string path) => path.Split('?')[0].Split('/')[^1];

    private async Task<(HttpStatusCode Status, string Html)> Page(HttpMethod method, string path, Dictionary<string, string>? form = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = form is null ? null : new FormUrlEncodedContent(form) };
        using var response = await _app.Anonymous().SendAsync(request, TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return (response.StatusCode, html);
    }

    private static (HttpStatusCode, string?) Of(Reply reply) => (reply.Status, reply.Code);
}
