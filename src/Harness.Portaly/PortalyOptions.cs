namespace Harness.Portaly;

/// <summary>Portaly settings: the data directory from the <c>Harness</c> section, the rest from <c>Portaly</c>.</summary>
public sealed class PortalyOptions
{
    public string DataDirectory { get; set; } = "data";

    /// <summary>The operator token that stands for the dashboard on key creation (printed in the banner).</summary>
    public string AdminToken { get; set; } = "portaly-admin-demo-token";

    /// <summary>How long a checkout session stays payable (the contract names no figure: the reference's choice).</summary>
    public int CheckoutSessionMinutes { get; set; } = 30;

    /// <summary>The contract's toggle: when on, checkouts of yearly plans are refused with 422 <c>YEARLY_TEMPORARILY_UNSUPPORTED</c>.</summary>
    public bool YearlyTemporarilyUnsupported { get; set; }

    /// <summary>
    /// Whether a declined first charge sends <c>creator_subscription.checkout.failed</c> for a profile whose merchant
    /// config has not chosen (its <c>sendCheckoutFailedCallbacks</c>). Off by default: the seed says only completed
    /// checkouts call back (the later contract sends it).
    /// </summary>
    public bool SendCheckoutFailedCallbacks { get; set; }

    /// <summary>The base of the hosted pages' URLs (<c>checkoutUrl</c>, <c>portalUrl</c>); the request's own scheme and host when unset.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Where card payments go: TapPay's back end (the harness's TapPay sandbox by default when it runs beside).</summary>
    public TapPaySettings TapPay { get; set; } = new();

    /// <summary>
    /// Whether test-mode subscriptions renew. The real product charges renewals of live subscriptions only; the reference
    /// renews both by default so that an integration can exercise its renewal handlers with a test key.
    /// </summary>
    public bool RenewTestSubscriptions { get; set; } = true;

    /// <summary>How long a portal session's link works.</summary>
    public int PortalSessionMinutes { get; set; } = 30;

    /// <summary>Whether a background loop makes due renewals and callback attempts (tests drive them by hand instead).</summary>
    public bool BackgroundScheduler { get; set; } = true;
}

/// <summary>The TapPay merchant the backend charges through (<c>Portaly:TapPay:*</c>).</summary>
public sealed class TapPaySettings
{
    /// <summary>TapPay's back-end base URL (<c>https://sandbox.tappaysdk.com</c> in TapPay's own sandbox); unset: card payments are off.</summary>
    public string? BaseUrl { get; set; }

    public string? PartnerKey { get; set; }

    public string? MerchantId { get; set; }

    /// <summary>
    /// The card form the hosted checkout sends the buyer to for a prime (TapPay Fields' stand-in); by default the
    /// sandbox's <c>/sandbox/card-form</c> under <see cref="BaseUrl"/>.
    /// </summary>
    public string? CardFormUrl { get; set; }

    public bool Configured => !string.IsNullOrEmpty(BaseUrl) && !string.IsNullOrEmpty(PartnerKey) && !string.IsNullOrEmpty(MerchantId);

    public string CardForm => string.IsNullOrEmpty(CardFormUrl) ? BaseUrl!.TrimEnd('/') + "/sandbox/card-form" : CardFormUrl;
}
