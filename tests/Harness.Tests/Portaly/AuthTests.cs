using System.Net;
using Harness.Portaly.Auth;
using Harness.Security;
using Harness.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.Portaly;

public sealed class AuthTests : IAsyncLifetime
{
    private readonly PortalyTestApp _app = new();

    [Fact]
    public async Task A_request_without_a_key_is_401_in_the_envelope()
    {
        var reply = await _app.Anonymous().Get("/plans");

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal(PortalyGuards.MissingKey, reply.Error);
        Assert.Equal("UNAUTHORIZED", reply.Code);
    }

    [Theory]
    [InlineData("pcs_test_nope")]
    [InlineData("Basic abc")]
    public async Task An_unknown_key_is_401(string key)
    {
        var reply = await _app.With(key).Get("/config");

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal("UNAUTHORIZED", reply.Code);
    }

    [Fact]
    public async Task The_admin_creates_a_key_shown_once_that_then_works_in_its_mode()
    {
        var reply = await _app.Admin().Post("/api-keys", new { profileId = "shop-2", mode = "test" });

        Assert.Equal(HttpStatusCode.Created, reply.Status);
        var secret = reply.Data["secret"]!.GetValue<string>();
        Assert.StartsWith("pcs_test_", secret, StringComparison.Ordinal);
        var key = reply.Data["apiKey"]!;
        Assert.Equal("shop-2", key["profileId"]!.GetValue<string>());
        Assert.Equal("test", key["mode"]!.GetValue<string>());
        Assert.Equal("full", key["scope"]!.GetValue<string>());
        Assert.Equal("active", key["status"]!.GetValue<string>());
        Assert.Equal(secret[..13], key["keyPrefix"]!.GetValue<string>());
        Assert.Contains("****", key["callbackSecret"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, key.ToJsonString(), StringComparison.Ordinal);
        var callbackSecret = reply.Data["callbackSecret"]!.GetValue<string>(); // in clear, this once
        var stored = _app.Services.GetRequiredService<ApiKeys>().Find(secret)!;
        Assert.Equal(stored.CallbackSecret, callbackSecret);
        Assert.Equal(callbackSecret[..4] + "********" + callbackSecret[^4..], key["callbackSecret"]!.GetValue<string>());

        var config = await _app.With(secret).Get("/config");
        Assert.Equal(HttpStatusCode.OK, config.Status);
        Assert.Equal("shop-2", config.Data["profileId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_key_defaults_to_live_and_is_never_stored_in_clear()
    {
        var reply = await _app.Admin().Post("/api-keys", new { profileId = "shop-3" });

        var secret = reply.Data["secret"]!.GetValue<string>();
        Assert.StartsWith("pcs_live_", secret, StringComparison.Ordinal);
        var stored = _app.Services.GetRequiredService<IDocumentStore>().Collection<PortalyApiKey>("api_keys").All();
        Assert.Contains(stored, k => k.KeyHash == Secrets.Hash(secret));
        Assert.DoesNotContain(stored, k => System.Text.Json.JsonSerializer.Serialize(k).Contains(secret, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("LIVE", "full", ApiKeyApi.InvalidMode, "INVALID_MODE")]
    [InlineData("sandbox", "full", ApiKeyApi.InvalidMode, "INVALID_MODE")]
    [InlineData("test", "Full", ApiKeyApi.InvalidScope, "INVALID_SCOPE")]
    [InlineData("test", "admin", ApiKeyApi.InvalidScope, "INVALID_SCOPE")]
    public async Task Mode_and_scope_are_checked_case_sensitively_with_the_contract_words(string mode, string scope, string message, string code)
    {
        var reply = await _app.Admin().Post("/api-keys", new { profileId = "shop-2", mode, scope });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(message, reply.Error);
        Assert.Equal(code, reply.Code);
    }

    [Fact]
    public async Task Key_creation_needs_a_profile_and_the_admin_token()
    {
        var noProfile = await _app.Admin().Post("/api-keys", new { mode = "test" });
        var merchantKey = await _app.Test().Post("/api-keys", new { profileId = "shop-2" });

        Assert.Equal(HttpStatusCode.BadRequest, noProfile.Status);
        Assert.Equal("Validation failed", noProfile.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, merchantKey.Status);
        Assert.Equal(PortalyGuards.InvalidAdminToken, merchantKey.Error);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
