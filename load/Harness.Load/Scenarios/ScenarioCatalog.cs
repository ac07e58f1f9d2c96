using System.Globalization;
using Harness.Load.Audit;
using Harness.Load.Engine;
using Harness.Load.Target;

namespace Harness.Load.Scenarios;

/// <summary>Settings the scenarios share.</summary>
/// <param name="RunId">Prefix of every idempotency key, so keys never collide with another run's.</param>
/// <param name="DuplicateShare">consume-duplicates: the share of iterations that retry an acknowledged key.</param>
/// <param name="ContendedAccounts">consume-contended: how many accounts take all the load.</param>
public sealed record ScenarioSettings(string RunId, double DuplicateShare, int ContendedAccounts);

/// <summary>The load scenarios of the coin-consumption hot path, and a baseline that does no work.</summary>
public sealed class ScenarioCatalog(LoadTarget target, ConsumeJournal journal, ScenarioSettings settings)
{
    public const string Baseline = "baseline";
    public const string ConsumeUnique = "consume-unique";
    public const string ConsumeDuplicates = "consume-duplicates";
    public const string ConsumeContended = "consume-contended";
    public const string Mixed = "mixed";
    public const string OpenApiConsume = "openapi-consume";

    public static IReadOnlyList<string> Names { get; } = [ConsumeUnique, ConsumeDuplicates, ConsumeContended, Mixed, OpenApiConsume, Baseline];

    private FinanceApi Api => target.Api;

    /// <summary>The scenario <paramref name="name"/>; a <paramref name="variant"/> (e.g. <c>half</c>) gets its own name and keys.</summary>
    public Scenario Create(string name, string? variant = null) => Build(name, variant is null ? name : $"{name}@{variant}");

    /// <summary>The catalogue name a scenario was made from: <c>consume-unique@half</c> is a <c>consume-unique</c>.</summary>
    public static string BaseName(string scenario) => scenario.Split('@', 2)[0];

    /// <summary>True for a scenario run under a load of its own (<c>--half-rate</c>), not the command's.</summary>
    public static bool IsVariant(string scenario) => scenario.Contains('@', StringComparison.Ordinal);

    /// <summary>The variant of a scenario run again open at half its measured throughput (<c>--half-rate</c>).</summary>
    public const string HalfRate = "half";

    /// <summary>The variant of the baseline run at the same rate as <paramref name="scenario"/>'s half-rate run.</summary>
    public static string FloorVariant(string scenario) => "floor-" + scenario;

    /// <summary>The name of the baseline run beside a half-rate run, e.g. <c>baseline@floor-consume-unique</c>; null for any other scenario.</summary>
    public static string? FloorOf(string halfRateScenario) =>
        halfRateScenario.EndsWith("@" + HalfRate, StringComparison.Ordinal)
            ? $"{Baseline}@{FloorVariant(BaseName(halfRateScenario))}"
            : null;

    private Scenario Build(string name, string label) => name switch
    {
        ConsumeUnique => new(label, "every request a new idempotency key, spread over all users", [Consume(label, target.Users.Count)]),
        ConsumeDuplicates => new(label, $"{settings.DuplicateShare:P0} of requests retry an acknowledged key (must replay, not charge)", [ConsumeOrRetry(label)]),
        ConsumeContended => new(label, $"every request a new key, all on {Math.Min(settings.ContendedAccounts, target.Users.Count)} accounts", [Consume(label, Math.Min(settings.ContendedAccounts, target.Users.Count))]),
        Mixed => new(label, "an agent loop: preCheck → consume → balance", [PreCheck(), Consume(label, target.Users.Count), Balance()]) { MainStep = 1 },
        OpenApiConsume => new(label, "consume on behalf of users through the API key", [OpenApi(label)]),
        Baseline => new(label, "GET /api/health: no auth, no store; the host's ceiling", [Health()]),
        _ => throw new ArgumentException($"unknown scenario '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>Iteration <c>i</c> bills user <c>i mod users</c> a few coins (TOKEN, 1,000–2,000 tokens).</summary>
    private static long TokensOf(long iteration) => 1000 + (iteration % 5 * 250);

    private LoadUser UserOf(long iteration, int users) => target.Users[(int)(iteration % users)];

    private string KeyOf(string scenario, long iteration) => string.Create(CultureInfo.InvariantCulture, $"{settings.RunId}-{scenario}-{iteration}");

    private Step Consume(string scenario, int users) => new("consume", ctx =>
    {
        var user = UserOf(ctx.Iteration, users);
        return SendConsumeAsync(user, KeyOf(scenario, ctx.Iteration), TokensOf(ctx.Iteration), viaApiKey: false, ctx.Cancellation);
    });

    private Step ConsumeOrRetry(string scenario) => new("consume", ctx =>
    {
        var random = new Random(unchecked((int)ctx.Iteration));
        if (random.NextDouble() < settings.DuplicateShare && journal.PickAcknowledged(random) is { } earlier)
        {
            var user = target.Users.First(u => u.UserId == earlier.UserId);
            return SendConsumeAsync(user, earlier.Key, earlier.Tokens, viaApiKey: false, ctx.Cancellation, expectReplay: true);
        }

        return SendConsumeAsync(UserOf(ctx.Iteration, target.Users.Count), KeyOf(scenario, ctx.Iteration), TokensOf(ctx.Iteration), viaApiKey: false, ctx.Cancellation);
    });

    private Step OpenApi(string scenario)
    {
        if (target.ApiKey is null)
        {
            throw new LoadSetupException("openapi-consume needs an API key: put financeApiKey in the profile.");
        }

        return new("consume", ctx => SendConsumeAsync(UserOf(ctx.Iteration, target.Users.Count), KeyOf(scenario, ctx.Iteration), TokensOf(ctx.Iteration), viaApiKey: true, ctx.Cancellation));
    }

    private Step PreCheck() => new("preCheck", async ctx =>
        Outcome(await Api.CallAsync("POST", "/api/finance/preCheck", FinanceApi.PreCheckBody(TokensOf(ctx.Iteration)), UserOf(ctx.Iteration, target.Users.Count), ctx.Cancellation)));

    private Step Balance() => new("balance", async ctx =>
        Outcome(await Api.CallAsync("GET", "/api/finance/balance", null, UserOf(ctx.Iteration, target.Users.Count), ctx.Cancellation)));

    private Step Health() => new("health", async ctx =>
        Outcome(await Api.CallAsync("GET", "/api/health", null, null, ctx.Cancellation)));

    private async Task<StepOutcome> SendConsumeAsync(LoadUser user, string key, long tokens, bool viaApiKey, CancellationToken cancellationToken, bool expectReplay = false)
    {
        var reply = await journal.SendAsync(user.UserId, key, tokens, () => viaApiKey
            ? Api.ConsumeAsync(FinanceApi.OpenApiConsumePath, FinanceApi.ConsumeBody(key, tokens, user.UserId), null, target.ApiKey, cancellationToken)
            : Api.ConsumeAsync(FinanceApi.ConsumePath, FinanceApi.ConsumeBody(key, tokens), user, null, cancellationToken));
        if (!reply.Ok)
        {
            return StepOutcome.Failure(reply.Error);
        }

        return expectReplay && !reply.Replayed ? StepOutcome.Failure("retry not answered as a replay") : StepOutcome.Success;
    }

    private static StepOutcome Outcome(string? error) => error is null ? StepOutcome.Success : StepOutcome.Failure(error);
}
