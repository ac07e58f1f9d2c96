namespace Harness.Chaos.Reports;

/// <summary>Something a goal forbids, with what it takes to see it again.</summary>
public sealed record Finding(string Campaign, string Kind, string Request, string Detail);

/// <summary>
/// One surface's fuzzing. <c>ServerLevel</c> counts requests the web server refused before any
/// application code ran (a NUL in the path): an empty 4xx no app can shape. <c>RateLimited</c> counts the 429s in the
/// surface's shape: conforming answers, but cases that never reached validation.
/// </summary>
public sealed record FuzzFigures(string Surface, int Operations, int Requests, int ServerErrors, int WrongShape, int ServerLevel, int RateLimited, TimeSpan Slowest, string SlowestRequest);

/// <summary>One surface's auth matrix.</summary>
public sealed record AuthFigures(string Surface, int Routes, int Checks, int Unexpected);

/// <summary>One surface's callback chaos.</summary>
/// <param name="Surface">The backend surface the callbacks were sent to.</param>
/// <param name="Channels">Payment channels played.</param>
/// <param name="Sent">Notifications sent (sandbox deliveries and resends, and forged ones).</param>
/// <param name="Spoiled">Tampered or stale notifications sent.</param>
/// <param name="SpoiledRefused">Of those, how many the backend refused.</param>
/// <param name="Excess">Credit beyond what was paid (double credits, or spoiled notifications applied), in <paramref name="Unit"/>.</param>
/// <param name="Missing">Credit of paid orders not credited.</param>
/// <param name="Unit">What the surface credits: Finance's coins, New-API's quota.</param>
public sealed record CallbackFigures(string Surface, int Channels, int Sent, int Spoiled, int SpoiledRefused, long Excess, long Missing, string Unit);

public sealed record CrashFigures(int Rounds, long Acknowledged, long Lost, long ChargedTwice, long InDoubt, TimeSpan SlowestRestart);

/// <summary>A campaign's outcome: its figures per part, and every finding.</summary>
public sealed record ChaosReport(
    string Target,
    int Seed,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    IReadOnlyList<FuzzFigures> Fuzz,
    IReadOnlyList<AuthFigures> Auth,
    CrashFigures? Crash,
    IReadOnlyList<string> NotRun,
    IReadOnlyList<Finding> Findings)
{
    /// <summary>The callback chaos per surface, when the target has a sandbox to pay through.</summary>
    public IReadOnlyList<CallbackFigures> Callbacks { get; init; } = [];

    public bool Passed => Findings.Count == 0;
}
