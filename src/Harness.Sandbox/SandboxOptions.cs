using Harness.Callbacks;

namespace Harness.Sandbox;

/// <summary>How the host starts the sandbox.</summary>
public sealed class SandboxOptions
{
    /// <summary>Folder for <c>sandbox-store/</c> (the sandbox's own store, separate from the backend's).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// The control API and pay pages listen here; providers on the following ports, in registry order
    /// (8100 → stripe 8101, creem 8102, epay 8103, wechatpay 8104, alipay 8105, tappay 8106). 0 gives every listener a free port (tests).
    /// </summary>
    public int BasePort { get; set; } = 8100;

    /// <summary>Host name put into the URLs the sandbox hands out (pay pages, base URLs).</summary>
    public string PublicHost { get; set; } = "127.0.0.1";

    /// <summary>Listen on every interface instead of loopback only (for containers).</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>
    /// The base of the sandbox clock. The control API moves the sandbox clock forward from here; a test can pass a
    /// frozen clock so that nothing happens until it advances time.
    /// </summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Real time, for signature timestamps checked by SDKs against their own clock.</summary>
    public TimeProvider WallClock { get; set; } = TimeProvider.System;

    /// <summary>Epay's notify retry schedule is deployment-specific (providers.md §4.3); this is the documented default.</summary>
    public IReadOnlyList<TimeSpan> EpayRetryDelays { get; set; } =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1)];

    /// <summary>Webhook URLs to configure at start, by provider (<c>stripe</c>, <c>creem</c>); the control API can change them.</summary>
    public IDictionary<string, string> WebhookUrls { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Offer <c>POST /control/restart</c>, which asks the owner (<see cref="SandboxServer.RestartRequested"/>) to
    /// restart the sandbox on its data folder and ports, so a conformance run by URL can check that state survives.
    /// </summary>
    public bool RestartRoute { get; set; }

    /// <summary>How long one callback attempt may take before it counts as failed.</summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many callback attempts may be in flight, in all and to one receiver (its scheme, host and port).</summary>
    public DeliveryLimits CallbackLimits { get; set; } = DeliveryLimits.Default;
}
