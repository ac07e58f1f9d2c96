namespace Harness.Finance;

/// <summary>Settings of the Finance surface (section <c>Harness</c> of the configuration).</summary>
public sealed class FinanceOptions
{
    /// <summary>Directory of the LiteDB file and the generated JWT secret.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>HS256 secret for user tokens; generated once and kept in the data directory when not set.</summary>
    public string? JwtSecret { get; set; }

    /// <summary>When on, SMS codes are revealed by <c>GET /api/auth/sms/sandbox/code</c> instead of being texted.</summary>
    public bool SmsSandbox { get; set; } = true;

    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Megabytes the coin ledger's caches and write buffers may hold (<c>Harness:LedgerMemoryBudgetMb</c>); its memory stays flat beyond them.</summary>
    public int LedgerMemoryBudgetMb { get; set; } = 256;

    /// <summary>
    /// Offers <c>/api/test/clock</c>, which moves the backend's clock forward, to anyone (off by default: a
    /// backend whose time can be moved is for conformance runs only).
    /// </summary>
    public bool TestClock { get; set; }

    /// <summary>How long a payment (and recharge) order can be paid; the channel is told the same.</summary>
    public TimeSpan PaymentOrderLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The backend's address as the payment channels reach it, for their <c>notify_url</c>; the listening address when
    /// not set.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Seeds demo users, plans, coins and an API key into an empty store.</summary>
    public bool SeedDemoData { get; set; } = true;
}
