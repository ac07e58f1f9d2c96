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
    /// Whether a declined first charge sends <c>creator_subscription.checkout.failed</c>. Off by default: the seed says
    /// only completed checkouts call back (the later contract sends it).
    /// </summary>
    public bool SendCheckoutFailedCallbacks { get; set; }

    /// <summary>The base of the hosted pages' URLs (<c>checkoutUrl</c>, <c>portalUrl</c>); the request's own scheme and host when unset.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Whether a background loop makes due renewals and callback attempts (tests drive them by hand instead).</summary>
    public bool BackgroundScheduler { get; set; } = true;
}
