using System.Text.RegularExpressions;
using Harness.Callbacks;
using Harness.Sandbox.Delivery;
using Harness.Security.Signing;

namespace Harness.Sandbox.Creem;

/// <summary>
/// Creem's credentials: the published test-mode API key and webhook secret, or the merchant's own, registered as
/// settings so that a backend configured for its Creem test account works with only the base URL changed.
/// </summary>
public sealed partial class CreemProvider
{
    /// <summary>A test-mode API key of the merchant's own: accepted beside the published one, and the salt of return-URL signatures.</summary>
    public const string ApiKeySetting = "api_key";

    /// <summary>The signing secret of the merchant's own webhook, replacing the published one for every attempt from then on.</summary>
    public const string WebhookSecretSetting = "webhook_secret";

    public IReadOnlyList<string> SettingNames => [ApiKeySetting, WebhookSecretSetting];

    /// <summary>Read anew each time: the key and secret in use now (the merchant's registered ones, or the published ones).</summary>
    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["api_key"] = SaltKey,
        ["webhook_secret"] = CurrentWebhookSecret,
        ["one_time_product"] = OneTimeProduct,
        ["recurring_product"] = MonthlyProduct,
        ["upgrade_product"] = ProMonthlyProduct,
        ["yearly_product"] = YearlyProduct,
        ["licensed_product"] = LicensedProduct,
        ["licensed_recurring_product"] = LicensedMonthlyProduct,
    };

    /// <summary>The key return URLs are signed with: the merchant verifies with the key its account has, the registered one when there is one.</summary>
    private string SaltKey => _context.Settings.Get(Name, ApiKeySetting) ?? ApiKey;

    private string CurrentWebhookSecret => _context.Settings.Get(Name, WebhookSecretSetting) ?? WebhookSecret;

    public string? RefuseSetting(string key, string value) => key switch
    {
        ApiKeySetting when !TestApiKey().IsMatch(value) =>
            "api_key must be a test-mode key, creem_test_ followed by letters and digits: the sandbox plays test mode, and a live key does not belong in it",
        WebhookSecretSetting when !WebhookSecretText().IsMatch(value) => "webhook_secret must be whsec_ followed by letters and digits",
        _ => null,
    };

    private bool Authenticates(string key) =>
        SignatureComparison.Equal(ApiKey, key) || (_context.Settings.Get(Name, ApiKeySetting) is { } registered && SignatureComparison.Equal(registered, key));

    [GeneratedRegex("^creem_test_[A-Za-z0-9]+$")]
    private static partial Regex TestApiKey();

    [GeneratedRegex("^whsec_[A-Za-z0-9]+$")]
    private static partial Regex WebhookSecretText();

    /// <summary><c>creem-signature</c>: lowercase hex HMAC-SHA256 of the raw body with the webhook secret in use at the attempt.</summary>
    private sealed class CreemSigner(CreemProvider provider) : ICallbackSigner
    {
        public string Name => "creem";

        public void Sign(CallbackDelivery delivery, IDictionary<string, string> headers)
        {
            var signature = HmacSignature.Sha256Hex(provider.CurrentWebhookSecret, delivery.Body);
            headers["creem-signature"] = SignatureFaults.IsTampered(delivery) ? SignatureFaults.Tamper(signature) : signature;
        }
    }
}
