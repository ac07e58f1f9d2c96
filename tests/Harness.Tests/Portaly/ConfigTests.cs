using System.Net;
using System.Text.Json.Nodes;
using Harness.Portaly.Demo;

namespace Harness.Tests.Portaly;

public sealed class ConfigTests : IAsyncLifetime
{
    private readonly PortalyTestApp _app = new();

    [Fact]
    public async Task A_new_profile_has_an_empty_config()
    {
        var reply = await _app.Test().Get("/config");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(PortalyDemo.ProfileId, reply.Data["profileId"]!.GetValue<string>());
        Assert.Null(reply.Data["merchantName"]);
        Assert.Null(reply.Data["updatedAt"]);
    }

    [Fact]
    public async Task An_update_is_partial_strips_the_slash_and_is_shared_by_both_modes()
    {
        await _app.Live().Put("/config", new { merchantName = "Shop", appBaseUrl = "https://shop.example/", inviteRedirectPath = "/join/now_1" });
        var reply = await _app.Test().Put("/config", new { brandDescription = "Hello" });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("Shop", reply.Data["merchantName"]!.GetValue<string>());
        Assert.Equal("https://shop.example", reply.Data["appBaseUrl"]!.GetValue<string>());
        Assert.Equal("/join/now_1", reply.Data["inviteRedirectPath"]!.GetValue<string>());
        Assert.Equal("Hello", reply.Data["brandDescription"]!.GetValue<string>());
        Assert.NotNull(reply.Data["updatedBy"]);
        Assert.NotNull(reply.Data["updatedAt"]);
    }

    [Fact]
    public async Task Simultaneous_partial_updates_all_land()
    {
        await Task.WhenAll(
            _app.Test().Put("/config", new { merchantName = "Shop" }),
            _app.Live().Put("/config", new { brandDescription = "Story" }),
            _app.Test().Put("/config", new { inviteRedirectPath = "/join" }));

        var config = (await _app.Test().Get("/config")).Data;
        Assert.Equal(("Shop", "Story", "/join"), (config["merchantName"]!.GetValue<string>(), config["brandDescription"]!.GetValue<string>(), config["inviteRedirectPath"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_checkout_failed_switch_follows_the_server_default_until_the_profile_sets_it()
    {
        Assert.False((await _app.Test().Get("/config")).Data["sendCheckoutFailedCallbacks"]!.GetValue<bool>());

        var on = await _app.Live().Put("/config", new { sendCheckoutFailedCallbacks = true });
        var renamed = await _app.Test().Put("/config", new { merchantName = "Shop" });
        var notBoolean = await _app.Test().Raw(HttpMethod.Put, "/config", """{"sendCheckoutFailedCallbacks": "yes"}""");

        Assert.Equal(HttpStatusCode.OK, on.Status);
        Assert.True(on.Data["sendCheckoutFailedCallbacks"]!.GetValue<bool>());
        Assert.True(renamed.Data["sendCheckoutFailedCallbacks"]!.GetValue<bool>()); // left out: kept, for both keys
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), (notBoolean.Status, notBoolean.Code));

        await using var sending = new PortalyTestApp(settings: new Dictionary<string, string?> { ["Portaly:SendCheckoutFailedCallbacks"] = "true" });
        Assert.True((await sending.Test().Get("/config")).Data["sendCheckoutFailedCallbacks"]!.GetValue<bool>());
        Assert.False((await sending.Test().Put("/config", new { sendCheckoutFailedCallbacks = false })).Data["sendCheckoutFailedCallbacks"]!.GetValue<bool>());
        Assert.False((await sending.Test().Get("/config")).Data["sendCheckoutFailedCallbacks"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_empty_string_clears_a_field()
    {
        await _app.Test().Put("/config", new { appBaseUrl = "https://shop.example", merchantLogo = "https://cdn.example/logo.png" });
        var reply = await _app.Test().Put("/config", new { appBaseUrl = "", merchantLogo = "" });

        Assert.Null(reply.Data["appBaseUrl"]);
        Assert.Null(reply.Data["merchantLogo"]);
    }

    public static TheoryData<string, string, string> Invalid => new()
    {
        { "appBaseUrl", "http://shop.example", "appBaseUrl must start with https://" },
        { "appBaseUrl", "https://" + new string('a', 250) + ".com", "appBaseUrl must be at most 255 characters" },
        { "inviteRedirectPath", "join", "inviteRedirectPath must start with / and contain only letters, digits, -, _ and /" },
        { "inviteRedirectPath", "/join?x=1", "inviteRedirectPath must start with / and contain only letters, digits, -, _ and /" },
        { "inviteRedirectPath", "/" + new string('a', 200), "inviteRedirectPath must be at most 200 characters" },
        { "brandDescription", new string('b', 4001), "brandDescription must be at most 4000 characters" },
        { "merchantLogo", "not a url", "merchantLogo must be an http:// or https:// URL" },
        { "merchantName", new string('n', 101), "merchantName must be at most 100 characters" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Each_rule_is_a_validation_failure_with_its_detail(string field, string value, string detail)
    {
        var reply = await _app.Test().Put("/config", new JsonObject { [field] = value });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(("Validation failed", "VALIDATION_ERROR", detail), (reply.Error, reply.Code, reply.Detail));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
