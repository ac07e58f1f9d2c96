namespace Harness.Chaos.Reports;

/// <summary>Something a goal forbids, with what it takes to see it again.</summary>
public sealed record Finding(string Campaign, string Kind, string Request, string Detail);

/// <summary>
/// One surface's fuzzing. <c>ServerLevel</c> counts requests the web server refused before any
/// application code ran (a NUL in the path): an empty 4xx no app can shape.
/// </summary>
public sealed record FuzzFigures(string Surface, int Operations, int Requests, int ServerErrors, int WrongShape, int ServerLevel, TimeSpan Slowest, string SlowestRequest);

public sealed record AuthFigures(int Routes, int Checks, int Unexpected);

/// <param name="Channels">Payment channels played.</param>
/// <param name="Sent">Notifications sent (sandbox deliveries and resends, and forged ones).</param>
/// <param name="Spoiled">Tampered or stale notifications sent.</param>
/// <param name="SpoiledRefused">Of those, how many the backend refused.</param>
/// <param name="ExcessCoins">Coins credited beyond what was paid (double credits, or spoiled notifications applied).</param>
/// <param name="MissingCoins">Coins of paid orders not credited.</param>
public sealed record CallbackFigures(int Channels, int Sent, int Spoiled, int SpoiledRefused, long ExcessCoins, long MissingCoins);

public sealed record CrashFigures(int Rounds, long Acknowledged, long Lost, long ChargedTwice, long InDoubt, TimeSpan SlowestRestart);

/// <summary>A campaign's outcome: its figures per part, and every finding.</summary>
public sealed record ChaosReport(
    string Target,
    int Seed,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    IReadOnlyList<FuzzFigures> Fuzz,
    AuthFigures? Auth,
    CrashFigures? Crash,
    IReadOnlyList<string> NotRun,
    IReadOnlyList<Finding> Findings)
{
    /// <summary>The callback chaos, when the target has a sandbox to pay through.</summary>
    public CallbackFigures? Callbacks { get; init; }

    public bool Passed => Findings.Count == 0;
}
