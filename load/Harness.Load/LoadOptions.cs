using System.Globalization;
using Harness.Load.Engine;
using Harness.Load.Sandbox;
using Harness.Load.Scenarios;

namespace Harness.Load;

/// <summary>The command line of <c>./run-harness.sh load</c>.</summary>
public sealed record LoadOptions
{
    public const string Usage = """
        Usage: ./run-harness.sh load [options]

          --target URL            load this backend (default: the profile's baseUrl, else start the built-in one for the run)
          --profile FILE          credentials of the target: JSON with baseUrl, userJwt, userId, adminJwt, adminId, financeApiKey
          --insecure              an https target's certificate is accepted unchecked (a self-signed staging server)
          --data DIR              built-in backend or sandbox only: its data directory (default: a fresh temp
                                  directory; a tmpfs such as /dev/shm takes the disk's sync cost out of the figures)
          --scenario A,B          one or more of: consume-unique (default), consume-duplicates, consume-contended,
                                  mixed, openapi-consume, baseline; run one after another, audited together.
                                  Or, against the provider sandbox (not mixed with the above): sandbox-control
                                  (the baseline: GET /control/health), stripe-checkout, creem-checkout,
                                  epay-order, wechatpay-order, alipay-precreate (RSA-signed by the runner),
                                  tappay-pay (a charge), pay-and-deliver (create and pay Stripe checkouts;
                                  the runner's own receiver takes the webhooks and the delivery audit
                                  checks each came once)
          --sandbox URL           sandbox scenarios: the control URL of a sandbox already running (default: start
                                  ./run-harness.sh sandbox alone for the run); credentials from /control/providers
          --receiver R            pay-and-deliver's webhook receiver: healthy (200 at once, default), slow=D (200
                                  after D, e.g. slow=2s) or down (takes each request, never answers). Only a
                                  healthy receiver must get every event (the runner waits up to 60 s for them);
                                  slow and down report what arrived, to compare the create and pay rates. The
                                  receiver listens on 127.0.0.1: a --sandbox must run on this machine
          --rate R | --rate A..B  open model: constant arrival rate R/s, or a ramp from A/s to B/s
          --concurrency C         closed model: C iterations in flight (default 64)
          --half-rate             after each consume scenario, run it again open at half its measured throughput;
                                  with baseline among the scenarios, the baseline takes turns with it at the same
                                  rate (the host's floor: the p99 of a request that does no work)
          --duration D            measured time per scenario, e.g. 10s, 1m (default 10s)
          --rounds N              measure the scenarios in N alternating rounds of duration/N each (warm-up in
                                  the first only), so a box whose speed drifts slows every scenario alike:
                                  steadier ratios to the baseline (default 1; constant load only)
          --warmup W              load before measuring, figures dropped (default 2s)
          --users N               users to create through the SMS sandbox (default 16)
          --accounts N            consume-contended: accounts taking all the load (default 2)
          --duplicate-share F     consume-duplicates: share of retries, 0..1 (default 0.25)
          --credit N              coins credited to each user before the run (default 1000000000)
          --max-p99 MS            fail when a scenario's p99 exceeds MS milliseconds
          --min-rps R             fail when a scenario's throughput is below R/s
          --max-error-rate F      fail when a scenario's error rate exceeds F (0.01 or 1%)
          --timeout D             per-request timeout (default 10s)
          --connections N         HTTP connection limit (default: concurrency, or 512 in the open model)
          --report DIR            where reports go (default artifacts/load)
          --soak D                run consume-unique open at a fixed --rate for D (e.g. 30m); without --rate,
                                  first a closed burst of --duration measures the maximum and the soak runs at
                                  half of it. Every --sample-every prints and reports the backend's RSS, the
                                  ledger's entry count, the consumes acknowledged, that interval's p50/p99, its
                                  errors and the data directory's size; the audit follows
          --sample-every D        soak sample interval (default 1m)

        Each second prints rate, p50/p99, errors and "runner: gc N ms, late N ms": the runner's own
        collection pauses and how late its pacer launched a request, which the open model charges to
        the target; a p99 near those figures is the runner's, not the target's.

        Exit code: 0 passed, 1 audit (ledger or delivery) or threshold failed, 2 bad arguments, 3 target not usable.
        """;

    public Uri? Target { get; init; }

    /// <summary>The control URL of a sandbox already running (<c>--sandbox</c>).</summary>
    public Uri? Sandbox { get; init; }

    /// <summary>pay-and-deliver's receiver (<c>--receiver</c>); null when not given.</summary>
    public ReceiverMode? Receiver { get; init; }

    /// <summary>The receiver's behaviour, healthy unless given.</summary>
    public ReceiverMode ReceiverMode => Receiver ?? ReceiverMode.Healthy;

    /// <summary>Whether the scenarios load the provider sandbox rather than a Finance backend.</summary>
    public bool LoadsSandbox => SandboxScenarios.AllSandbox(Scenarios);

    public string? ProfilePath { get; init; }

    public string? DataDirectory { get; init; }

    public IReadOnlyList<string> Scenarios { get; init; } = [ScenarioCatalog.ConsumeUnique];

    public double? RateFrom { get; init; }

    public double? RateTo { get; init; }

    public int? Concurrency { get; init; }

    public bool HalfRate { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    public int Rounds { get; init; } = 1;

    /// <summary>How long each round measures each scenario.</summary>
    public TimeSpan Slice => Duration / Rounds;

    public int Users { get; init; } = 16;

    public int Accounts { get; init; } = 2;

    public double DuplicateShare { get; init; } = 0.25;

    public long Credit { get; init; } = 1_000_000_000;

    public double? MaxP99Ms { get; init; }

    public double? MinRps { get; init; }

    public double? MaxErrorRate { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public int? Connections { get; init; }

    public string? ReportDirectory { get; init; }

    public bool Help { get; init; }

    /// <summary>Accept an https target's certificate unchecked.</summary>
    public bool Insecure { get; init; }

    /// <summary>The soak's length (<c>--soak</c>); null for an ordinary run.</summary>
    public TimeSpan? Soak { get; init; }

    /// <summary>How often a soak takes a sample (<c>--sample-every</c>).</summary>
    public TimeSpan? SampleEvery { get; init; }

    /// <summary>The soak's sample interval, with its default.</summary>
    public TimeSpan SoakSampleEvery => SampleEvery ?? TimeSpan.FromMinutes(1);

    /// <summary>Whether the scenario runs again open at half its measured throughput: asked for, or a soak given no rate.</summary>
    public bool MeasuresHalfRate => HalfRate || (Soak is not null && !OpenModel);

    public bool OpenModel => RateFrom is not null;

    public int MaxConnections => Connections ?? (OpenModel ? 512 : Math.Max(1, Concurrency ?? 64));

    public LoadSimulation Simulation() => OpenModel
        ? new InjectRate(RateFrom!.Value, RateTo!.Value, Soak ?? Duration)
        : new KeepConcurrency(Concurrency ?? 64, Duration);

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help" or "help")
            {
                return options with { Help = true };
            }

            if (name == "--half-rate")
            {
                options = options with { HalfRate = true };
                continue;
            }

            if (name == "--insecure")
            {
                options = options with { Insecure = true };
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value (or is unknown)");
            }

            var value = args[++i];
            options = name switch
            {
                "--target" => options with { Target = HttpUrl(name, value) },
                "--sandbox" => options with { Sandbox = HttpUrl(name, value) },
                "--receiver" => options with { Receiver = ReceiverMode.Parse(value) },
                "--profile" => options with { ProfilePath = value },
                "--data" => options with { DataDirectory = value },
                "--scenario" => options with { Scenarios = ParseScenarios(value) },
                "--rate" => ParseRate(options, value),
                "--concurrency" => options with { Concurrency = (int)WholeNumber(name, value, 100_000) },
                "--duration" => options with { Duration = ParseDuration(name, value) },
                "--warmup" => options with { Warmup = ParseDuration(name, value, allowZero: true) },
                "--rounds" => options with { Rounds = (int)WholeNumber(name, value, 1_000) },
                "--users" => options with { Users = (int)WholeNumber(name, value, 10_000) },
                "--accounts" => options with { Accounts = (int)WholeNumber(name, value, 10_000) },
                "--duplicate-share" => options with { DuplicateShare = Fraction(name, value) },
                "--credit" => options with { Credit = WholeNumber(name, value, 1_000_000_000_000) },
                "--max-p99" => options with { MaxP99Ms = Positive(name, value, double.MaxValue) },
                "--min-rps" => options with { MinRps = Positive(name, value, double.MaxValue) },
                "--max-error-rate" => options with { MaxErrorRate = Fraction(name, value) },
                "--timeout" => options with { Timeout = ParseDuration(name, value) },
                "--connections" => options with { Connections = (int)WholeNumber(name, value, 100_000) },
                "--report" => options with { ReportDirectory = value },
                "--soak" => options with { Soak = ParseDuration(name, value) },
                "--sample-every" => options with { SampleEvery = ParseDuration(name, value) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        if (options.OpenModel && options.Concurrency is not null)
        {
            throw new ArgumentException("give --rate (open model) or --concurrency (closed model), not both");
        }

        if (options.Rounds > 1 && options.RateFrom != options.RateTo)
        {
            throw new ArgumentException("--rounds needs a constant load: a --rate ramp cannot be cut into rounds");
        }

        if (options.Rounds > 1 && options.Slice < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"--rounds {options.Rounds} leaves less than 1s per round of --duration {options.Duration.TotalSeconds:0.###}s");
        }

        if (options.DataDirectory is not null && (options.Target is not null || options.ProfilePath is not null || options.Sandbox is not null))
        {
            throw new ArgumentException("--data is for the built-in backend or sandbox; a --target or --sandbox keeps its own data");
        }

        if (options.LoadsSandbox)
        {
            ValidateSandbox(options);
        }
        else if (options.Scenarios.Any(n => SandboxScenarios.Names.Contains(n, StringComparer.Ordinal)))
        {
            throw new ArgumentException($"sandbox scenarios ({string.Join(", ", SandboxScenarios.Names)}) cannot run with Finance ones in one run, got --scenario {string.Join(',', options.Scenarios)}");
        }
        else if (options.Sandbox is not null || options.Receiver is not null)
        {
            throw new ArgumentException($"--sandbox and --receiver are for the sandbox scenarios ({string.Join(", ", SandboxScenarios.Names)})");
        }

        return options.Soak is null ? RejectSampleEvery(options) : ValidateSoak(options);
    }

    private static void ValidateSandbox(LoadOptions options)
    {
        if (options.Target is not null || options.ProfilePath is not null || options.Insecure)
        {
            throw new ArgumentException("the sandbox scenarios load a sandbox: give its control URL with --sandbox (not --target, --profile or --insecure)");
        }

        if (options.Soak is not null || options.HalfRate)
        {
            throw new ArgumentException("--soak and --half-rate are for the Finance scenarios");
        }

        if (options.Receiver is not null && !options.Scenarios.Contains(SandboxScenarios.PayAndDeliver))
        {
            throw new ArgumentException($"--receiver is pay-and-deliver's webhook receiver: add {SandboxScenarios.PayAndDeliver} to --scenario");
        }
    }

    private static Uri HttpUrl(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url : throw new ArgumentException($"{name} must be an http(s) URL, got '{value}'");

    private static LoadOptions RejectSampleEvery(LoadOptions options) =>
        options.SampleEvery is null ? options : throw new ArgumentException("--sample-every is for a --soak run");

    private static LoadOptions ValidateSoak(LoadOptions options)
    {
        if (options.RateFrom != options.RateTo)
        {
            throw new ArgumentException("--soak runs at a fixed rate: give --rate R, not a ramp");
        }

        if (options.Rounds > 1)
        {
            throw new ArgumentException("--soak is one long run: it cannot be cut into --rounds");
        }

        if (options.HalfRate)
        {
            throw new ArgumentException("--soak without --rate already runs at half the measured maximum; leave out --half-rate");
        }

        if (options.Scenarios is not [ScenarioCatalog.ConsumeUnique])
        {
            throw new ArgumentException($"--soak runs {ScenarioCatalog.ConsumeUnique} only, got --scenario {string.Join(',', options.Scenarios)}");
        }

        return options.SoakSampleEvery > options.Soak
            ? throw new ArgumentException($"--sample-every {options.SoakSampleEvery.TotalSeconds:0.###}s is longer than --soak {options.Soak!.Value.TotalSeconds:0.###}s: no sample would be taken")
            : options;
    }

    /// <summary>Accepts <c>10</c> (seconds), <c>10s</c>, <c>500ms</c>, <c>2m</c>.</summary>
    public static TimeSpan ParseDuration(string name, string value, bool allowZero = false)
    {
        var (number, unit) = value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 0.001)
            : value.EndsWith('s') ? (value[..^1], 1.0)
            : value.EndsWith('m') ? (value[..^1], 60.0)
            : (value, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && (amount > 0 || (allowZero && amount == 0)) && amount * unit <= 86_400
            ? TimeSpan.FromSeconds(amount * unit)
            : throw new ArgumentException($"{name} must be a duration such as 10s, 500ms or 2m, got '{value}'");
    }

    private static List<string> ParseScenarios(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var known = ScenarioCatalog.Names.Concat(SandboxScenarios.Names).ToList();
        var unknown = names.FirstOrDefault(n => !known.Contains(n, StringComparer.Ordinal));
        return unknown is not null || names.Count == 0
            ? throw new ArgumentException($"unknown scenario '{unknown}'; known: {string.Join(", ", known)}")
            : names;
    }

    private static LoadOptions ParseRate(LoadOptions options, string value)
    {
        var parts = value.Split("..");
        var from = Positive("--rate", parts[0], 10_000_000);
        var to = parts.Length == 2 ? Positive("--rate", parts[1], 10_000_000) : from;
        return parts.Length > 2 ? throw new ArgumentException($"--rate must be R or A..B, got '{value}'") : options with { RateFrom = from, RateTo = to };
    }

    private static double Positive(string name, string value, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0 && number <= max
            ? number
            : throw new ArgumentException($"{name} must be a positive number, got '{value}'");

    /// <summary>A count: a positive whole number, so <c>0.5</c> is refused rather than read as 0.</summary>
    private static long WholeNumber(string name, string value, long max) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 && number <= max
            ? number
            : throw new ArgumentException($"{name} must be a whole number from 1 to {max}, got '{value}'");

    private static double Fraction(string name, string value)
    {
        var percent = value.EndsWith('%');
        return double.TryParse(percent ? value[..^1] : value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && (percent ? number / 100 : number) is var fraction and >= 0 and <= 1
            ? fraction
            : throw new ArgumentException($"{name} must be a fraction from 0 to 1 (or a percentage), got '{value}'");
    }
}
