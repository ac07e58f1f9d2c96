using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>A backend configured for its own Stripe test account: its secret key and endpoint secret registered as settings.</summary>
public sealed partial class StripeSteps
{
    private string? _ownKey;
    private string? _publishedWebhookSecret;

    [Given("the merchant registers a test-mode secret key and a webhook secret of its own")]
    public async Task RegisterOwnCredentials()
    {
        _publishedWebhookSecret = await _world.CredentialAsync("stripe", "webhook_secret");
        var own = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _ownKey = "sk_test_" + own;
        await _world.ConfigureAsync("stripe", new Dictionary<string, string?> { ["secret_key"] = _ownKey, ["webhook_secret"] = "whsec_" + own });
        context.Masker.Add(_ownKey);
        _world.ForgetProviders();
        Check.Equal("whsec_" + own, await _world.CredentialAsync("stripe", "webhook_secret"), "the published webhook_secret after registering one");
    }

    [Then("every event's Stripe-Signature verifies with the merchant's own webhook secret, not the published one")]
    public async Task EveryEventVerifiesWithOwnSecret()
    {
        await EveryEventVerifies();
        foreach (var request in await _world.ReceivedAsync())
        {
            var (timestamp, v1) = ProviderSignatures.ParseStripeHeader(request.Header("Stripe-Signature"));
            Check.That(ProviderSignatures.StripeV1(_publishedWebhookSecret!, timestamp, request.Body) != v1, "an event is still signed with the published webhook secret");
        }
    }

    [Then("registering a live-mode secret key is refused with a 400")]
    public async Task LiveKeyRefused()
    {
        var reply = await _world.SendAsync(HttpMethod.Put, _world.ControlUrl + "/control/providers/stripe/settings",
            JsonContent.Create(new Dictionary<string, string> { ["secret_key"] = "sk_live_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) }));
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, $"registering a live-mode key ({reply.Body})");
        Check.That(reply.Body.Contains("test-mode", StringComparison.Ordinal), $"the refusal names test mode: {reply.Body}");
    }
}
