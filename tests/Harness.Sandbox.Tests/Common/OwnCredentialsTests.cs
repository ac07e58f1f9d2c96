using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Creem;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Stripe;
using Stripe.Checkout;

namespace Harness.Sandbox.Tests.Common;

/// <summary>
/// A backend already configured for its own Stripe or Creem test account registers its key and webhook secret as
/// settings, and works against the sandbox with only the base URL changed.
/// </summary>
public sealed class OwnCredentialsTests
{
    private const string OwnStripeKey = "sk_test_51MerchantOwnKey0123456789abcdefABCDEF";
    private const string OwnStripeSecret = "whsec_MerchantOwnEndpointSecret0123456789";
    private const string OwnCreemKey = "creem_test_MerchantOwnKey0123456789";
    private const string OwnCreemSecret = "whsec_MerchantOwnCreemSecret0123456789";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stripe_takes_the_merchants_own_test_key_and_signs_events_with_its_own_endpoint_secret()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var own = new StripeClient(OwnStripeKey, apiBase: sandbox.BaseUrl("stripe"));
        var refused = await Assert.ThrowsAsync<StripeException>(() => own.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.HttpStatusCode);

        (await sandbox.PutSettingsAsync("stripe", new { secret_key = OwnStripeKey, webhook_secret = OwnStripeSecret })).EnsureSuccessStatusCode();
        var session = await own.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.CreditsPrice, Quantity = 1 }],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);

        // The published key keeps working: it is the same account.
        var published = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        Assert.Equal(session.Id, (await published.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).Id);
        Assert.Equal(OwnStripeSecret, (await sandbox.GetJsonAsync("/control/providers/stripe"))["credentials"]!["webhook_secret"]!.GetValue<string>());

        await sandbox.ActAsync(session.Id, "pay");
        var completed = await receiver.NextAsync();
        Assert.Equal("checkout.session.completed", EventUtility.ConstructEvent(completed.Body, completed.Header("Stripe-Signature"), OwnStripeSecret).Type);
        Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(completed.Body, completed.Header("Stripe-Signature"), StripeProvider.WebhookSecret));

        // Removing them goes back to the published pair only.
        (await sandbox.PutSettingsAsync("stripe", new { secret_key = "", webhook_secret = "" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<StripeException>(() => own.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct))).HttpStatusCode);
        Assert.Equal(StripeProvider.WebhookSecret, (await sandbox.GetJsonAsync("/control/providers/stripe"))["credentials"]!["webhook_secret"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("stripe", "secret_key", "sk_live_51RealMoney0123", "secret_key must be a test-mode key")]
    [InlineData("stripe", "secret_key", "rk_live_51RealMoney0123", "secret_key must be a test-mode key")]
    [InlineData("stripe", "secret_key", "pk_test_51Publishable0123", "secret_key must be a test-mode secret or restricted key")]
    [InlineData("stripe", "secret_key", "sk_test_has space", "secret_key must be a test-mode secret or restricted key")]
    [InlineData("stripe", "webhook_secret", "secret0123", "webhook_secret must be whsec_")]
    [InlineData("stripe", "api_version", "latest", "api_version must be a Stripe API version")]
    [InlineData("creem", "api_key", "creem_LiveKey0123", "api_key must be a test-mode key")]
    [InlineData("creem", "webhook_secret", "whsec_", "webhook_secret must be whsec_")]
    [InlineData("tappay", "partner_key", "partner_has space", "partner_key must be partner_ followed by letters and digits")]
    [InlineData("tappay", "partner_key", "app_HarnessSandboxTapPayAppKey", "partner_key must be partner_ followed by letters and digits")]
    [InlineData("tappay", "merchant_id", "merchant-with-dash", "merchant_id must be 1 to 64 letters, digits or underscores")]
    [InlineData("tappay", "merchant_id", "GlobalTesting_Group", "merchant_id must not be the sandbox's merchant group id")]
    [InlineData("epay", "pid", "0123", "pid must be a merchant number")]
    [InlineData("epay", "pid", "12a", "pid must be a merchant number")]
    [InlineData("epay", "pid", "1000", "is the sandbox's published merchant")]
    [InlineData("epay", "key", "short", "key must be 16 to 64 letters and digits")]
    [InlineData("epay", "key", "has space 0123456789abcdef", "key must be 16 to 64 letters and digits")]
    [InlineData("alipay", "app_id", "20210000000000", "app_id must be the 16 digits of an Alipay app id")]
    [InlineData("alipay", "app_id", "2021000000000001x", "app_id must be the 16 digits of an Alipay app id")]
    [InlineData("alipay", "app_id", "app-2021", "app_id must be the 16 digits of an Alipay app id")]
    [InlineData("wechatpay", "mchid", "19000", "mchid must be a 商户号: 8 to 10 digits")]
    [InlineData("wechatpay", "mchid", "1900000109", "is the sandbox's published merchant")]
    [InlineData("wechatpay", "appid", "wx123", "appid must be wx followed by 16 letters or digits")]
    public async Task Keys_ids_and_versions_that_are_not_valid_test_credentials_are_refused_with_a_clear_400(string provider, string setting, string value, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var response = await sandbox.PutSettingsAsync(provider, new Dictionary<string, string> { [setting] = value });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.False(((JsonObject)(await sandbox.GetJsonAsync($"/control/providers/{provider}"))["settings"]!).ContainsKey(setting));
    }

    [Fact]
    public async Task Creem_takes_the_merchants_own_test_key_signs_returns_with_it_and_webhooks_with_its_own_secret()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("creem", receiver.Url);
        using var own = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("creem")) };
        own.DefaultRequestHeaders.Add("x-api-key", OwnCreemKey);
        var request = new { product_id = CreemProvider.OneTimeProduct, success_url = "https://merchant.example/thanks" };
        using (var refused = await own.PostAsJsonAsync("/v1/checkouts", request, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        (await sandbox.PutSettingsAsync("creem", new { api_key = OwnCreemKey, webhook_secret = OwnCreemSecret })).EnsureSuccessStatusCode();
        using var created = await own.PostAsJsonAsync("/v1/checkouts", request, Ct);
        created.EnsureSuccessStatusCode();
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<string>();
        // The published key keeps working beside it.
        Assert.NotEqual(id, (await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.OneTimeProduct }))["id"]!.GetValue<string>());

        var back = QueryHelpers.ParseQuery(new Uri((await sandbox.ActAsync(id, "pay"))!).Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        var signed = back.Where(p => p.Key != "signature").Select(p => new KeyValuePair<string, string>(p.Key, p.Value)).ToList();
        Assert.Equal(ProviderSignatures.CreemReturn(signed, OwnCreemKey), back["signature"]);

        var hook = await receiver.NextAsync();
        Assert.Equal(ProviderSignatures.Creem(OwnCreemSecret, hook.Body), hook.Header("creem-signature"));
        Assert.NotEqual(ProviderSignatures.Creem(CreemProvider.WebhookSecret, hook.Body), hook.Header("creem-signature"));
    }
}
