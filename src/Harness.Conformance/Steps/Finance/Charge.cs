using System.Globalization;
using System.Text.RegularExpressions;

namespace Harness.Conformance.Steps.Finance;

/// <summary>
/// What a consumption asks for, as features write it: <c>1500 tokens of "agent-chat"</c>,
/// <c>90 seconds of "expert-consult"</c>, <c>a fixed charge of "report-export"</c>,
/// <c>a charge of 35 coins on "task-view"</c>, each optionally <c>on plan "agent-chat-pro"</c>.
/// </summary>
public sealed partial record Charge(string ServiceCode, string ConsumeType, long? Tokens, long? DurationSeconds, long? Amount, string? PlanId)
{
    /// <summary>The regex of the <c>{charge}</c> parameter type (no capturing groups).</summary>
    public const string Pattern = "(?:\\d+ tokens? of|\\d+ seconds? of|a fixed charge of|a charge of \\d+ coins? on) \"[^\"]+\"(?: on plan \"[^\"]+\")?";

    public static Charge Parse(string text)
    {
        var m = Parts().Match(text);
        if (!m.Success)
        {
            throw new FormatException($"Not a charge: '{text}'.");
        }

        long? Number(string group) => m.Groups[group].Success ? long.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : null;
        var plan = m.Groups["plan"].Success ? m.Groups["plan"].Value : null;
        var service = m.Groups["service"].Value;
        return m.Groups["unit"].Value switch
        {
            "token" => new Charge(service, "TOKEN", Number("n"), null, null, plan),
            "second" => new Charge(service, "DURATION", null, Number("n"), null, plan),
            _ => new Charge(service, "FIXED", null, null, Number("amount"), plan),
        };
    }

    /// <summary>The consume/preCheck body; <paramref name="key"/> and <paramref name="userId"/> only when given.</summary>
    public Dictionary<string, object> Body(string? key = null, string? userId = null)
    {
        var body = new Dictionary<string, object>(StringComparer.Ordinal) { ["serviceCode"] = ServiceCode, ["consumeType"] = ConsumeType };
        void Add(string name, object? value)
        {
            if (value is not null)
            {
                body[name] = value;
            }
        }

        Add("idempotencyKey", key);
        Add("userId", userId);
        Add("tokens", Tokens);
        Add("durationSeconds", DurationSeconds);
        Add("amount", Amount);
        Add("planId", PlanId);
        return body;
    }

    [GeneratedRegex("^(?:(?<n>\\d+) (?<unit>token|second)s? of|a fixed charge of|a charge of (?<amount>\\d+) coins? on) \"(?<service>[^\"]+)\"(?: on plan \"(?<plan>[^\"]+)\")?$")]
    private static partial Regex Parts();
}
