using System.Buffers.Binary;
using System.Globalization;
using Harness.Ledger;

namespace Harness.LedgerFill;

/// <summary>
/// What a consume posts, as <c>ConsumptionService</c> builds it, for consume number <c>ordinal</c>: nine
/// in ten are TOKEN consumes of agent chat (basic or pro plan, 100–8,099 tokens: plan, rate and token
/// count in the details), one in ten a FIXED report export (plan and rate). Keys are GUIDs and every
/// field is a pure function of the ordinal, so a written consume can be posted again as a replay.
/// </summary>
internal sealed class ConsumeEntries
{
    private readonly string[] _accounts;
    private readonly string[] _scopes;

    public ConsumeEntries(int accounts)
    {
        // Named once per account, as the consume route does: user ids shaped as the Finance directory makes them.
        _accounts = new string[accounts];
        _scopes = new string[accounts];
        for (var n = 0; n < accounts; n++)
        {
            var userId = "u_" + Mix(n).ToString("x16", CultureInfo.InvariantCulture);
            _accounts[n] = "coins:" + userId;
            _scopes[n] = "finance:consume:" + userId;
        }
    }

    public int Accounts => _accounts.Length;

    public string Account(int account) => _accounts[account];

    public int AccountOf(long ordinal) => (int)(ordinal % _accounts.Length);

    public Consume Describe(long ordinal)
    {
        var account = AccountOf(ordinal);
        var mix = Mix(ordinal);
        var claim = new IdempotencyClaim(_scopes[account], Key(ordinal), "");
        if (mix % 10 == 0)
        {
            var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["planId"] = "report-export", ["rate"] = "50" };
            return new Consume(_accounts[account], 50, "FIXED", "report-export", claim with { Fingerprint = "FIXED|report-export||||" }, details);
        }

        var (plan, rate) = mix % 3 == 0 ? ("agent-chat-pro", 5) : ("agent-chat-basic", 2);
        var tokens = 100 + (long)(mix % 8000);
        var coins = ((tokens * rate) + 999) / 1000;
        var tokenDetails = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["planId"] = plan,
            ["rate"] = rate.ToString(CultureInfo.InvariantCulture),
            ["tokens"] = tokens.ToString(CultureInfo.InvariantCulture),
        };
        var requestedPlan = plan == "agent-chat-pro" ? plan : "";
        var fingerprint = string.Create(CultureInfo.InvariantCulture, $"TOKEN|agent-chat|{requestedPlan}|{tokens}||");
        return new Consume(_accounts[account], coins, "TOKEN", "agent-chat", claim with { Fingerprint = fingerprint }, tokenDetails);
    }

    /// <summary>A GUID-shaped key that is a pure function of the ordinal.</summary>
    private static string Key(long ordinal)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Mix(ordinal));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], Mix(~ordinal));
        return new Guid(bytes).ToString();
    }

    // SplitMix64's finaliser: well spread, cheap, repeatable.
    private static ulong Mix(long value)
    {
        var z = unchecked((ulong)value + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}

/// <summary>One consume: what the entry records, and the posting that claims it.</summary>
/// <param name="AccountId">The user's coin account.</param>
/// <param name="Coins">What it costs (the entry's amount is its negative).</param>
/// <param name="ConsumeType">The entry's category.</param>
/// <param name="ServiceCode">The entry's subject.</param>
/// <param name="Claim">Idempotency scope, key and fingerprint.</param>
/// <param name="Details">Plan, rate and, for TOKEN, the token count.</param>
internal sealed record Consume(string AccountId, long Coins, string ConsumeType, string ServiceCode, IdempotencyClaim Claim, Dictionary<string, string> Details)
{
    public LedgerEntry ToEntry(long id, long balanceBefore, DateTime createdAt) => new()
    {
        Id = id,
        AccountId = AccountId,
        Amount = -Coins,
        BalanceBefore = balanceBefore,
        BalanceAfter = balanceBefore - Coins,
        CreatedAt = createdAt,
        Kind = "consume",
        Category = ConsumeType,
        Subject = ServiceCode,
        IdempotencyScope = Claim.Scope,
        IdempotencyKey = Claim.Key,
        IdempotencyFingerprint = Claim.Fingerprint,
        Details = Details,
    };

    public LedgerPosting ToPosting() => new(AccountId, -Coins, "consume")
    {
        Idempotency = Claim,
        Category = ConsumeType,
        Subject = ServiceCode,
        Details = Details,
    };
}
