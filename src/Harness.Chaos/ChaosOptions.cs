using System.Globalization;

namespace Harness.Chaos;

/// <summary>The campaign's options; <see cref="ShortCampaign"/> is the one the test command runs.</summary>
public sealed record ChaosOptions
{
    /// <summary>The Finance surface to test; null starts the built-in harness for the run.</summary>
    public Uri? Target { get; init; }

    /// <summary>The sandbox's control URL; with the built-in harness, the one it starts.</summary>
    public Uri? Sandbox { get; init; }

    /// <summary>The New-API surface (fuzz, auth matrix, callback chaos); with the built-in harness, the one it starts (the port after Finance's).</summary>
    public Uri? NewApi { get; init; }

    /// <summary>A New-API admin's access token and id: the fuzz's caller, and the maker of the campaign's users (default: the reference's demo root).</summary>
    public string NewApiToken { get; init; } = "newapi-demo-root-access-token-01";

    public string NewApiUser { get; init; } = "1";

    /// <summary>The Portaly surface (fuzz, auth matrix); with the built-in harness, the one it starts (two ports after Finance's).</summary>
    public Uri? Portaly { get; init; }

    /// <summary>The merchant key Portaly's fuzz calls with (default: the demo merchant's test key).</summary>
    public string PortalyKey { get; init; } = ChaosTarget.PortalyTestKey;

    /// <summary>The operator token Portaly's key route is fuzzed with; a wrong one makes its cases 401s (default: the demo token).</summary>
    public string PortalyAdminToken { get; init; } = ChaosTarget.PortalyAdminToken;

    public int Seed { get; init; } = 20261203;

    /// <summary>Malformed requests per documented operation.</summary>
    public int CasesPerOperation { get; init; } = 200;

    /// <summary>SIGKILL rounds during consumption (built-in harness only).</summary>
    public int CrashRounds { get; init; } = 5;

    /// <summary>Concurrent consumers during a crash round.</summary>
    public int CrashConsumers { get; init; } = 32;

    public string? ReportDirectory { get; init; }

    /// <summary>The short campaign of the test command: a few cases per operation, two crash rounds.</summary>
    public static ChaosOptions ShortCampaign => new() { CasesPerOperation = 24, CrashRounds = 2, CrashConsumers = 16 };

    public const string Usage = """
        Usage: ./run-harness.sh chaos [options]

          --target URL       the Finance surface to test (default: start the built-in harness for the run)
          --sandbox URL      the provider sandbox's control URL (default: the built-in one)
          --newapi URL       the New-API surface to test too (default: the built-in one)
          --newapi-token T   a New-API admin's access token; it makes the campaign's users (default: the reference's demo root)
          --newapi-user ID   that admin's id, sent as New-Api-User (default 1)
          --portaly URL      the Portaly surface to test too: fuzz and auth matrix (default: the built-in one)
          --portaly-key K    the merchant key of Portaly's fuzz, sent as Authorization: Bearer K (default: the demo test key)
          --portaly-admin-token T  the operator token of Portaly's key route (default: the built-in demo token;
                             with another, that route's cases are answered 401, which the fuzz accepts)
          --seed N           seed of the generated inputs; a finding names its case, the same seed repeats it
          --cases N          malformed requests per documented operation (default 200)
          --crash-rounds N   SIGKILL rounds during consumption, built-in harness only (default 5; 0 skips)
          --consumers N      concurrent consumers in a crash round (default 32)
          --short            the test command's campaign: 24 cases per operation, 2 crash rounds
          --report DIR       where reports go (default artifacts/chaos)

        Goals: no 5xx, no answer outside the surface's documented shape, every unauthorised request
        answered as its surface documents, every paid callback credited once and no spoiled one, no
        acknowledged consume lost and none charged twice across a crash.
        Exit code: 0 passed, 1 a goal missed, 2 bad arguments, 3 target not usable.
        """;

    public static ChaosOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ChaosOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--short" => ShortCampaign with
                {
                    Target = options.Target, Sandbox = options.Sandbox, NewApi = options.NewApi, NewApiToken = options.NewApiToken,
                    NewApiUser = options.NewApiUser, Portaly = options.Portaly, PortalyKey = options.PortalyKey,
                    PortalyAdminToken = options.PortalyAdminToken, Seed = options.Seed, ReportDirectory = options.ReportDirectory,
                },
                "--target" => options with { Target = Url(Value(), "--target") },
                "--sandbox" => options with { Sandbox = Url(Value(), "--sandbox") },
                "--newapi" => options with { NewApi = Url(Value(), "--newapi") },
                "--newapi-token" => options with { NewApiToken = Value() },
                "--newapi-user" => options with { NewApiUser = Value() },
                "--portaly" => options with { Portaly = Url(Value(), "--portaly") },
                "--portaly-key" => options with { PortalyKey = Value() },
                "--portaly-admin-token" => options with { PortalyAdminToken = Value() },
                "--seed" => options with { Seed = Number(Value(), "--seed", 0) },
                "--cases" => options with { CasesPerOperation = Number(Value(), "--cases", 1) },
                "--crash-rounds" => options with { CrashRounds = Number(Value(), "--crash-rounds", 0) },
                "--consumers" => options with { CrashConsumers = Number(Value(), "--consumers", 1) },
                "--report" => options with { ReportDirectory = Value() },
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }

        return options;
    }

    private static Uri Url(string value, string option) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new ArgumentException($"{option} must be an http(s) URL, got '{value}'.");

    private static int Number(string value, string option, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min
            ? number
            : throw new ArgumentException($"{option} must be a whole number of at least {min}, got '{value}'.");
}
