using System.Globalization;
using System.Security.Cryptography;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>A backend configured for its own Alipay app keeps its app id (the <c>app_id</c> setting the sandbox takes).</summary>
public sealed partial class AlipaySteps
{
    private string? _ownAppId;

    [Given("the merchant registers an app id of its own")]
    public async Task RegisterOwnAppId()
    {
        _ownAppId = "9021" + RandomNumberGenerator.GetInt32(100_000_000, 1_000_000_000).ToString(CultureInfo.InvariantCulture) + "000";
        await _world.ConfigureAsync("alipay", new Dictionary<string, string?> { ["app_id"] = _ownAppId });
        _world.ForgetProviders();
        Check.Equal(_ownAppId, await _world.CredentialAsync("alipay", "app_id"), "the app_id in use after registering one");
    }

    [Then("the notify names the merchant's own app_id as app_id and auth_app_id")]
    public async Task NotifyNamesOwnAppId()
    {
        var notify = await _world.ReceivedAsync() is [.., var last] ? last : throw new AssertionException("the notify URL got nothing");
        Check.Equal(_ownAppId, notify.Parameters.GetValueOrDefault("app_id"), "the notify's app_id");
        Check.Equal(_ownAppId, notify.Parameters.GetValueOrDefault("auth_app_id"), "the notify's auth_app_id");
    }
}
