namespace Harness.Conformance.Binding;

/// <summary>Things a target may or may not offer. Steps declare them with <see cref="NeedsAttribute"/>.</summary>
public enum Need
{
    /// <summary>The profile's <c>userJwt</c> and <c>userId</c>: an existing signed-in user.</summary>
    UserJwt,

    /// <summary>The profile's <c>adminJwt</c>: used to credit coins and create scoped API keys.</summary>
    AdminJwt,

    /// <summary>The profile's <c>financeApiKey</c>: an OpenAPI key that may bill every user.</summary>
    FinanceApiKey,

    /// <summary>The target signs new users up through the SMS sandbox (profile <c>smsSandbox: true</c>).</summary>
    SmsSandbox,

    /// <summary>A signed-in user of any kind: <see cref="UserJwt"/>, or <see cref="SmsSandbox"/> with <see cref="AdminJwt"/>.</summary>
    AnyUser,

    /// <summary>The runner moves the target's clock (the in-process backend, or the profile's <c>testClockUrl</c>), so hours pass at once.</summary>
    ClockControl,

    /// <summary>The profile's <c>sandboxUrl</c>: the provider sandbox's control API (provider features).</summary>
    Sandbox,

    /// <summary>The runner restarts the provider sandbox on its data folder (the in-process sandbox).</summary>
    SandboxRestart,

    /// <summary>The profile's <c>newApiUrl</c>, <c>newApiAdminToken</c> and <c>newApiAdminId</c>: the New-API surface and an administrator of it.</summary>
    NewApi,

    /// <summary>The profile's <c>newApiCriticalRateLimit</c>: the limit the New-API target enforces, which a scenario trips (run last).</summary>
    NewApiRateLimit,

    /// <summary>The profile's <c>newApiEpayKey</c> (with <see cref="NewApi"/>): the suite signs Epay notifies for the New-API target.</summary>
    NewApiEpay,

    /// <summary>The profile's <c>newApiStripeWebhookSecret</c> (with <see cref="NewApi"/>): the suite signs Stripe events for the New-API target.</summary>
    NewApiStripe,

    /// <summary>The profile's <c>newApiCreemWebhookSecret</c> (with <see cref="NewApi"/>): the suite signs Creem webhooks for the New-API target.</summary>
    NewApiCreem,

    /// <summary>The profile's <c>newApiSandbox</c> with <c>sandboxUrl</c>: the New-API target pays through that sandbox, so a buyer pays on its pages.</summary>
    NewApiSandbox,

    /// <summary>The profile's <c>portalyUrl</c>, <c>portalyTestKey</c> and <c>portalyCallbackSecret</c>: the Portaly surface and a test key whose callbacks the runner verifies.</summary>
    Portaly,

    /// <summary>The profile's <c>portalyLiveKey</c> and <c>portalyLiveCallbackSecret</c> (with <see cref="Portaly"/>): the same merchant's live key.</summary>
    PortalyLive,

    /// <summary>The profile's <c>portalyAdminToken</c> (with <see cref="Portaly"/>): scenarios create merchants and keys of their own.</summary>
    PortalyAdmin,

    /// <summary>The profile's <c>portalyTestClockUrl</c> (with <see cref="Portaly"/>): the runner moves the Portaly target's clock.</summary>
    PortalyClock,

    /// <summary>
    /// The profile's <c>portalyHostedCheckout</c> with <c>sandboxUrl</c> (and <see cref="Portaly"/>): the Portaly target's
    /// hosted checkout page pays through that sandbox's TapPay card form, so the runner pays on it as a buyer.
    /// </summary>
    PortalyHostedCheckout,
}

public static class Needs
{
    /// <summary>How a need reads in "not run: needs …".</summary>
    public static string Describe(Need need) => need switch
    {
        Need.UserJwt => "userJwt and userId",
        Need.AdminJwt => "adminJwt",
        Need.FinanceApiKey => "financeApiKey",
        Need.SmsSandbox => "smsSandbox (new users through the SMS sandbox)",
        Need.AnyUser => "userJwt and userId, or adminJwt with smsSandbox",
        Need.ClockControl => "testClockUrl (a clock the runner moves; the reference backend offers one with serve --test-clock)",
        Need.Sandbox => "sandboxUrl",
        Need.SandboxRestart => "a provider sandbox the runner restarts (the in-process one, or sandboxRestart with serve --test-restart)",
        Need.NewApi => "newApiUrl, newApiAdminToken and newApiAdminId (the New-API surface and an administrator's access token)",
        Need.NewApiRateLimit => "newApiCriticalRateLimit (the critical rate limit the New-API target enforces; the scenario trips it and runs last)",
        Need.NewApiEpay => "newApiEpayKey (the New-API target's Epay merchant key, to sign its notifies) with the New-API keys",
        Need.NewApiStripe => "newApiStripeWebhookSecret (the New-API target's Stripe webhook secret, to sign its events) with the New-API keys",
        Need.NewApiCreem => "newApiCreemWebhookSecret (the New-API target's Creem webhook secret, to sign its webhooks) with the New-API keys",
        Need.NewApiSandbox => "newApiSandbox: true with sandboxUrl and the New-API keys (a New-API target that pays through that sandbox)",
        Need.Portaly => "portalyUrl, portalyTestKey and portalyCallbackSecret (the Portaly surface, a test key and its callback secret)",
        Need.PortalyLive => "portalyLiveKey and portalyLiveCallbackSecret (the same merchant's live key and its callback secret) with the Portaly keys",
        Need.PortalyAdmin => "portalyAdminToken (the operator token of POST /api-keys, to make merchants of the scenario's own) with the Portaly keys",
        Need.PortalyClock => "portalyTestClockUrl (the Portaly target's test clock; the reference backend offers one with serve --test-clock) with the Portaly keys",
        Need.PortalyHostedCheckout => "portalyHostedCheckout: true with sandboxUrl and the Portaly keys (a Portaly target whose hosted checkout page pays through that sandbox's TapPay)",
        _ => need.ToString(),
    };
}
