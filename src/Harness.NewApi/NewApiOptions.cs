namespace Harness.NewApi;

/// <summary>New-API settings, from the <c>Harness</c> configuration section (and the upstream environment names where it has them).</summary>
public sealed class NewApiOptions
{
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Upper bound of the random pause before a redeem is looked at (upstream: 0–3000 ms, against brute force).
    /// The test profile sets 0; the per-user lock is held through it either way.
    /// </summary>
    public int RedeemDelayMaxMilliseconds { get; set; } = 3000;

    /// <summary>Lower bound of that pause (upstream: 0); a fixed pause (min = max) makes a same-user race reproducible.</summary>
    public int RedeemDelayMinMilliseconds { get; set; }

    /// <summary>Upstream's <c>CRITICAL_RATE_LIMIT</c>: requests per window per client IP on pay and redeem routes.</summary>
    public int CriticalRateLimit { get; set; } = 20;

    /// <summary>Upstream's <c>CRITICAL_RATE_LIMIT_DURATION</c>, seconds.</summary>
    public int CriticalRateLimitDurationSeconds { get; set; } = 1200;

    /// <summary>Upstream's <c>CRITICAL_RATE_LIMIT_ENABLE</c>.</summary>
    public bool CriticalRateLimitEnabled { get; set; } = true;

    /// <summary>Upstream's <c>GLOBAL_API_RATE_LIMIT</c>: requests per window per client IP on every <c>/api</c> route.</summary>
    public int GlobalApiRateLimit { get; set; } = 360;

    /// <summary>Upstream's <c>GLOBAL_API_RATE_LIMIT_DURATION</c>, seconds.</summary>
    public int GlobalApiRateLimitDurationSeconds { get; set; } = 180;

    /// <summary>Upstream's <c>GLOBAL_API_RATE_LIMIT_ENABLE</c>.</summary>
    public bool GlobalApiRateLimitEnabled { get; set; } = true;
}
