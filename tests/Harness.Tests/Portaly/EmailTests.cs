using System.Net;
using System.Net.Http.Json;

namespace Harness.Tests.Portaly;

/// <summary>Email templates (<c>/api/creator-email</c>): the switches per profile and the outbox the welcome email lands in.</summary>
public sealed class EmailTests : IAsyncLifetime
{
    private const string Base = "/api/creator-email";
    private readonly PortalyTestApp _app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Templates_are_enabled_until_switched_and_a_switch_belongs_to_the_profile()
    {
        var before = await Get(_app.Live(), "/templates");
        Assert.Equal([("welcome_paid", true), ("subscription_canceled", true)], Switches(before));
        Assert.All(before.Data.AsArray(), t => Assert.Null(t!["updatedAt"]));

        var off = await Put(_app.Live(), "/templates/welcome_paid", new { enabled = false });

        Assert.Equal((HttpStatusCode.OK, "welcome_paid", false), (off.Status, off.Data["type"]!.GetValue<string>(), off.Data["enabled"]!.GetValue<bool>()));
        Assert.Equal(_app.Clock.GetUtcNow(), off.Data["updatedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal([("welcome_paid", false), ("subscription_canceled", true)], Switches(await Get(_app.Test(), "/templates"))); // the test key's profile is the same
        var other = (await _app.Admin().Post("/api-keys", new { profileId = "another-profile" })).Data["secret"]!.GetValue<string>();
        Assert.Equal([("welcome_paid", true), ("subscription_canceled", true)], Switches(await Get(_app.With(other), "/templates")));

        Assert.Equal((HttpStatusCode.NotFound, "TEMPLATE_NOT_FOUND"), Of(await Put(_app.Live(), "/templates/newsletter", new { enabled = true })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await Put(_app.Live(), "/templates/welcome_paid", new { })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await Put(_app.Live(), "/templates/welcome_paid", new { enabled = "no" })));
        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHORIZED"), Of(await Get(_app.Anonymous(), "/templates")));
        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHORIZED"), Of(await Get(_app.Anonymous(), "/outbox")));
    }

    [Fact]
    public async Task The_welcome_email_lands_in_the_outbox_unless_the_template_is_off()
    {
        var http = _app.Live();
        var planId = await http.CreatePlan();
        var first = await http.PaidManually(planId, "first@example.com");
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        await Put(http, "/templates/welcome_paid", new { enabled = false });
        await http.PaidManually(planId, "second@example.com");
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        await Put(http, "/templates/welcome_paid", new { enabled = true });
        await http.PaidManually(planId, "third@example.com");

        var outbox = await Get(http, "/outbox");

        Assert.Equal(["third@example.com", "first@example.com"], outbox.Data.AsArray().Select(e => e!["to"]!.GetValue<string>()));
        var email = outbox.Data[1]!.AsObject();
        Assert.Equal(["createdAt", "id", "subject", "subscriptionId", "text", "to", "type"], email.Select(p => p.Key).Order(StringComparer.Ordinal));
        var subscriptionId = (await http.Get("/orders/" + first)).Data["creatorSubscriptionId"]!.GetValue<string>();
        Assert.Equal(("welcome_paid", "Welcome to Pro", subscriptionId), (email["type"]!.GetValue<string>(), email["subject"]!.GetValue<string>(), email["subscriptionId"]!.GetValue<string>()));
        Assert.Contains("300 TWD", email["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await Get(_app.Test(), "/outbox")).Data.AsArray()); // the other mode's outbox

        var page = await Get(http, "/outbox?limit=1");
        Assert.Equal(["third@example.com"], page.Data.AsArray().Select(e => e!["to"]!.GetValue<string>()));
        var cursor = page.Body["pagination"]!["nextCursor"]!.GetValue<string>();
        Assert.Equal(["first@example.com"], (await Get(http, "/outbox?limit=1&startAfter=" + cursor)).Data.AsArray().Select(e => e!["to"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await Get(http, "/outbox?startAfter=em_missing")));
    }

    private static Task<Reply> Get(HttpClient http, string path) => Reply.Of(http.GetAsync(Base + path, TestContext.Current.CancellationToken));

    private static Task<Reply> Put(HttpClient http, string path, object body) => Reply.Of(http.PutAsJsonAsync(Base + path, body, TestContext.Current.CancellationToken));

    private static List<(string, bool)> Switches(Reply reply) =>
        [.. reply.Data.AsArray().Select(t => (t!["type"]!.GetValue<string>(), t["enabled"]!.GetValue<bool>()))];

    private static (HttpStatusCode, string?) Of(Reply reply) => (reply.Status, reply.Code);
}
