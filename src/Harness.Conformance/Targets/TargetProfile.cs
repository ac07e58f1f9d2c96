using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Targets;

/// <summary>
/// What a tester keeps for a target (the variables of seed 001): base URL, a user and an admin with their
/// tokens, the Finance API key, the Portaly keys. Load-test scenarios read the same file. Any value may be
/// missing; scenarios that need it are then reported as not run.
/// </summary>
public sealed record TargetProfile
{
    public string? BaseUrl { get; init; }

    public string? UserJwt { get; init; }

    public string? UserId { get; init; }

    public string? AdminJwt { get; init; }

    public string? AdminId { get; init; }

    public string? FinanceApiKey { get; init; }

    public string? PortalyLiveKey { get; init; }

    public string? PortalyTestKey { get; init; }

    /// <summary>The callback secret of <see cref="PortalyTestKey"/>: the runner verifies the test key's callbacks with it.</summary>
    public string? PortalyCallbackSecret { get; init; }

    /// <summary>Where the Portaly surface listens (the reference backend: the port after New-API's, 8007), for the @portaly features.</summary>
    public string? PortalyUrl { get; init; }

    /// <summary>The callback secret of <see cref="PortalyLiveKey"/>, for the scenarios that complete a live checkout.</summary>
    public string? PortalyLiveCallbackSecret { get; init; }

    /// <summary>
    /// The reference's operator token for <c>POST /api-keys</c> (the real product creates keys in its dashboard): with it,
    /// scenarios make merchants of their own, so their plans, codes and write limits are theirs alone.
    /// </summary>
    public string? PortalyAdminToken { get; init; }

    /// <summary>The Portaly target's test clock (<c>POST {"seconds": N}</c>), for expiry and callback retries.</summary>
    public string? PortalyTestClockUrl { get; init; }

    /// <summary>
    /// True when the Portaly target's hosted checkout page (<c>/checkout/subscription/{sessionId}</c>) pays through the TapPay
    /// of the provider sandbox at <see cref="SandboxUrl"/>: the @hosted-checkout scenarios then pay on it as a buyer.
    /// </summary>
    public bool PortalyHostedCheckout { get; init; }

    /// <summary>True when the target signs new users up through the reference backend's SMS sandbox routes.</summary>
    public bool SmsSandbox { get; init; }

    /// <summary>The provider sandbox's control URL (<c>control + pay pages</c> in the serve banner), for provider features.</summary>
    public string? SandboxUrl { get; init; }

    /// <summary>
    /// Where the target's clock is moved forward (docs/conformance.md, "The test clock"); with it, the scenarios
    /// that let hours pass run against the URL. The reference backend offers one with <c>serve --test-clock</c>.
    /// </summary>
    public string? TestClockUrl { get; init; }

    /// <summary>True when the sandbox offers <c>POST {sandboxUrl}/control/restart</c> (<c>serve --test-restart</c>).</summary>
    public bool SandboxRestart { get; init; }

    /// <summary>Where the New-API surface listens (the reference backend: the port after Finance's, 8006), for the @new-api features.</summary>
    public string? NewApiUrl { get; init; }

    /// <summary>An administrator's (or root's) New-API access token, sent as <c>Authorization</c>; it creates each scenario's users and codes.</summary>
    public string? NewApiAdminToken { get; init; }

    /// <summary>That administrator's user id, sent as <c>New-Api-User</c>.</summary>
    public string? NewApiAdminId { get; init; }

    /// <summary>
    /// The critical rate limit the New-API target enforces on redeem (requests per window per client address, upstream's
    /// <c>CRITICAL_RATE_LIMIT</c>). With it, the scenario that trips the limit runs, after every other one: it leaves the
    /// runner's address refused for the rest of the window.
    /// </summary>
    public int? NewApiCriticalRateLimit { get; init; }

    /// <summary>
    /// The New-API target's Epay merchant key (upstream's <c>EpayKey</c>, the MD5 secret): with it, the @topup features
    /// send the target signed Epay notifies themselves (new-api.md §5.8), as the gateway would.
    /// </summary>
    public string? NewApiEpayKey { get; init; }

    /// <summary>The target's Epay merchant id (<c>EpayId</c>), sent as <c>pid</c> in those notifies; optional.</summary>
    public string? NewApiEpayPid { get; init; }

    /// <summary>
    /// The New-API target's Stripe webhook signing secret (its <c>StripeWebhookSecret</c>, <c>whsec_…</c>): with it, the
    /// @stripe top-up features place Stripe orders and send the target's <c>/api/stripe/webhook</c> signed events themselves.
    /// </summary>
    public string? NewApiStripeWebhookSecret { get; init; }

    /// <summary>The New-API target's Creem webhook secret (<c>CreemWebhookSecret</c>): the @creem top-up features sign <c>creem-signature</c> with it.</summary>
    public string? NewApiCreemWebhookSecret { get; init; }

    /// <summary>
    /// True when the New-API target pays through the provider sandbox at <see cref="SandboxUrl"/> (its Epay gateway,
    /// Stripe and Creem API bases and credentials are the sandbox's, and the sandbox's Stripe and Creem webhook URLs are
    /// the target's), as the reference backend is out of the box: the @e2e scenarios then pay on the sandbox's pages.
    /// </summary>
    public bool NewApiSandbox { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static TargetProfile Load(string path) =>
        JsonSerializer.Deserialize<TargetProfile>(File.ReadAllText(path), Json)
            ?? throw new FormatException($"{path} holds no profile object.");

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Whether the profile offers what a step needs.</summary>
    public bool Offers(Need need) => need switch
    {
        Need.UserJwt => !string.IsNullOrEmpty(UserJwt) && !string.IsNullOrEmpty(UserId),
        Need.AdminJwt => !string.IsNullOrEmpty(AdminJwt),
        Need.FinanceApiKey => !string.IsNullOrEmpty(FinanceApiKey),
        Need.SmsSandbox => SmsSandbox,
        Need.AnyUser => Offers(Need.UserJwt) || (Offers(Need.SmsSandbox) && Offers(Need.AdminJwt)),
        Need.Sandbox => !string.IsNullOrEmpty(SandboxUrl),
        Need.ClockControl => !string.IsNullOrEmpty(TestClockUrl),
        Need.SandboxRestart => SandboxRestart && Offers(Need.Sandbox),
        Need.NewApi => !string.IsNullOrEmpty(NewApiUrl) && !string.IsNullOrEmpty(NewApiAdminToken) && !string.IsNullOrEmpty(NewApiAdminId),
        Need.NewApiRateLimit => NewApiCriticalRateLimit > 0 && Offers(Need.NewApi),
        Need.NewApiEpay => !string.IsNullOrEmpty(NewApiEpayKey) && Offers(Need.NewApi),
        Need.NewApiStripe => !string.IsNullOrEmpty(NewApiStripeWebhookSecret) && Offers(Need.NewApi),
        Need.NewApiCreem => !string.IsNullOrEmpty(NewApiCreemWebhookSecret) && Offers(Need.NewApi),
        Need.NewApiSandbox => NewApiSandbox && Offers(Need.NewApi) && Offers(Need.Sandbox),
        Need.Portaly => !string.IsNullOrEmpty(PortalyUrl) && !string.IsNullOrEmpty(PortalyTestKey) && !string.IsNullOrEmpty(PortalyCallbackSecret),
        Need.PortalyLive => !string.IsNullOrEmpty(PortalyLiveKey) && !string.IsNullOrEmpty(PortalyLiveCallbackSecret) && Offers(Need.Portaly),
        Need.PortalyAdmin => !string.IsNullOrEmpty(PortalyAdminToken) && Offers(Need.Portaly),
        Need.PortalyClock => !string.IsNullOrEmpty(PortalyTestClockUrl) && Offers(Need.Portaly),
        Need.PortalyHostedCheckout => PortalyHostedCheckout && Offers(Need.Portaly) && Offers(Need.Sandbox),
        _ => false,
    };

    /// <summary>Every credential in the profile, for masking in reports.</summary>
    public IEnumerable<string?> Secrets => [UserJwt, AdminJwt, FinanceApiKey, PortalyLiveKey, PortalyTestKey, PortalyCallbackSecret, PortalyLiveCallbackSecret, PortalyAdminToken, NewApiAdminToken, NewApiEpayKey, NewApiStripeWebhookSecret, NewApiCreemWebhookSecret];

    /// <summary>The file <c>conformance --init</c> writes: every key, commented.</summary>
    public const string Template = """
        // Conformance profile: the variables a tester keeps for a target (JSON with comments).
        // Leave a value empty when you do not have it: scenarios that need it are reported as "not run: needs ...".
        {
          // Where the implementation under test listens.
          "baseUrl": "http://localhost:8005",

          // A signed-in end user (Authorization: Bearer) and its id. Scenarios that only need "a signed-in user"
          // run as this user and assert on balance changes, so give it enough coins (a few thousand).
          // Do not sign this user in elsewhere while the suite runs: a new sign-in ends this token.
          "userJwt": "",
          "userId": "",

          // An administrator: credits coins to new users and creates scoped API keys.
          "adminJwt": "",
          "adminId": "",

          // Finance OpenAPI key (X-API-Key) that may bill every user.
          "financeApiKey": "",

          // The Portaly surface, for the @portaly features: its base URL, a live and a test key of one merchant with each
          // key's callback secret (portalyCallbackSecret is the test key's), the operator token that creates keys
          // (POST /api/creator-subscription/api-keys; each scenario then makes a merchant of its own) and the test clock.
          // The runner receives the target's callbacks on a local port and verifies every one (signature v1).
          // The reference backend prints them all in its banner ("conformance    profile \"portalyUrl\": ...").
          "portalyUrl": "",
          "portalyLiveKey": "",
          "portalyTestKey": "",
          "portalyCallbackSecret": "",
          "portalyLiveCallbackSecret": "",
          "portalyAdminToken": "",
          "portalyTestClockUrl": "",

          // true when the Portaly target's hosted checkout page pays through the TapPay of the sandbox at sandboxUrl (the
          // reference backend's does: "portalyHostedCheckout" in its banner line): the @hosted-checkout scenarios then pay
          // on the page as a buyer, with the sandbox's test cards, and let renewals charge the card it keeps.
          "portalyHostedCheckout": false,

          // true when the target offers the reference backend's SMS sandbox (POST /api/auth/sms/sendCode,
          // GET /api/auth/sms/sandbox/code, POST /api/auth/login): each scenario then signs up its own users.
          "smsSandbox": false,

          // The provider sandbox's control URL ("control + pay pages" in the serve banner), for the @provider
          // features; provider base URLs and merchant credentials are read from {sandboxUrl}/control/providers.
          // The sandbox must be able to reach this machine: scenarios receive webhooks on a local port.
          "sandboxUrl": "",

          // true when that sandbox restarts on request (the reference's "serve --test-restart"): the runner then
          // restarts it (POST {sandboxUrl}/control/restart) to check that its state survives.
          "sandboxRestart": false,

          // The target's test clock: POST {"seconds": N} here, without credentials, moves its clock N seconds forward
          // (answered 2xx once done). With it, scenarios that let hours pass (idempotency retention, session and
          // token expiry) run, last; without it they are reported "not run". A run moves the clock about two weeks,
          // past the exp of the tokens above. The reference backend offers one when started with --test-clock:
          // "http://localhost:8005/api/test/clock/advance".
          "testClockUrl": "",

          // The New-API surface, for the @new-api features: its base URL, and an administrator's access token
          // (Authorization) with its user id (New-Api-User). Each scenario creates its own users and codes with them
          // (POST /api/user/, GET /api/user/search, POST /api/user/manage, then the user's login and GET /api/user/token).
          // The reference backend ("./run-harness.sh serve") prints them in its banner: "http://localhost:8006",
          // root's token "newapi-demo-root-access-token-01" and id "1".
          "newApiUrl": "",
          "newApiAdminToken": "",
          "newApiAdminId": "",

          // The critical rate limit that New-API target enforces on redeem (upstream's CRITICAL_RATE_LIMIT, 20 by default).
          // Set it only when the target enforces exactly that and you want its 429 checked: that scenario runs last
          // and leaves this machine refused for the rest of the window (CRITICAL_RATE_LIMIT_DURATION, 20 minutes). The
          // other redeem scenarios need the limit raised well above what a run sends (a few dozen redeems).
          "newApiCriticalRateLimit": null,

          // The New-API target's Epay merchant key (its EpayKey option, the MD5 secret) and, optionally, its merchant id
          // (EpayId). With the key, the @topup features place Epay orders and send the target's notify route
          // (/api/user/epay/notify) signed notifies themselves, as the gateway would, and stale, tampered, repeated and
          // concurrent ones. The target's Epay gateway (PayAddress) must be configured, but it is never called.
          // The reference backend uses the provider sandbox's merchant: "1000" and "HarnessSandboxEpayKey0123456789ab".
          "newApiEpayKey": "",
          "newApiEpayPid": "",

          // The New-API target's Stripe webhook secret (StripeWebhookSecret, "whsec_...") and Creem webhook secret
          // (CreemWebhookSecret). With them, the @stripe and @creem top-up features place orders (so the target's Stripe
          // and Creem must be configured: the sandbox's, or your test accounts) and send /api/stripe/webhook and
          // /api/creem/webhook signed events themselves: valid, repeated, concurrent, reordered, tampered and stale.
          // The reference backend uses the sandbox's: "whsec_HarnessSandboxStripeWebhookSecret0000" and
          // "whsec_HarnessSandboxCreemWebhookSecret00".
          "newApiStripeWebhookSecret": "",
          "newApiCreemWebhookSecret": "",

          // true when the New-API target pays through the sandbox at sandboxUrl (Epay gateway, Stripe and Creem API bases
          // and credentials are the sandbox's; the sandbox's Stripe and Creem webhook URLs are the target's), as the
          // reference backend is out of the box: the @e2e scenarios then pay on the sandbox's hosted pages and let the
          // sandbox's own signed callbacks reach the target.
          "newApiSandbox": false
        }

        """;
}
