using Harness.Sandbox.Creem;
using Harness.Sandbox.Epay;
using Harness.Sandbox.Stripe;

namespace Harness.Testing;

/// <summary>
/// New-API's payment options pointed at a provider sandbox's published merchants (upstream's option names), as the host
/// sets them in <c>SurfaceHosting</c>: the one copy the in-process fixtures share. One Creem product of 5,000,000 quota.
/// </summary>
public static class NewApiOnSandbox
{
    public static Dictionary<string, string?> Settings(Func<string, string> baseUrlOf) => new()
    {
        ["NewApi:PayAddress"] = baseUrlOf("epay"),
        ["NewApi:EpayId"] = EpayProvider.Pid,
        ["NewApi:EpayKey"] = EpayProvider.Key,
        ["NewApi:StripeApiSecret"] = StripeProvider.SecretKey,
        ["NewApi:StripeWebhookSecret"] = StripeProvider.WebhookSecret,
        ["NewApi:StripePriceId"] = StripeCatalog.CreditsPrice,
        ["NewApi:StripeApiBase"] = baseUrlOf("stripe"),
        ["NewApi:CreemApiKey"] = CreemProvider.ApiKey,
        ["NewApi:CreemWebhookSecret"] = CreemProvider.WebhookSecret,
        ["NewApi:CreemTestMode"] = "true",
        ["NewApi:CreemApiBase"] = baseUrlOf("creem"),
        ["NewApi:CreemProducts"] = $$"""[{"productId":"{{CreemProvider.OneTimeProduct}}","name":"Sandbox credits","price":10.00,"currency":"USD","quota":5000000}]""",
    };
}
