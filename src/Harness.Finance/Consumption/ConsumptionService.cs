using System.Collections.Concurrent;
using System.Globalization;
using Harness.Finance.Auth;
using Harness.Ledger;

namespace Harness.Finance.Consumption;

/// <summary>What a consume returns (and what a replay of its key returns again, with <c>replayed: true</c>).</summary>
public sealed record ConsumeResult(
    string RecordId,
    string IdempotencyKey,
    string ConsumeType,
    string ServiceCode,
    string? PlanId,
    long Coins,
    long BalanceBefore,
    long BalanceAfter,
    DateTime CreatedAt,
    bool Replayed);

public sealed record PreCheckResult(bool Sufficient, long RequiredCoins, long Balance, long Shortfall);

/// <summary>Consumption for the user routes and their OpenAPI twins: one pricing, one ledger posting.</summary>
public sealed class ConsumptionService(Pricing pricing, ILedger ledger)
{
    public const string LedgerKind = "consume";

    // Each user's account and idempotency scope, named once: the two concatenations per consume were
    // a measurable share of its allocations. One entry per user who consumed.
    private readonly ConcurrentDictionary<string, UserNames> _names = new(StringComparer.Ordinal);

    /// <summary>Coin balances live on the ledger under this account id.</summary>
    public static string AccountOf(string userId) => "coins:" + userId;

    /// <summary>Prices a valid request and compares it with the balance; changes nothing.</summary>
    public ConsumeOutcome<PreCheckResult> PreCheck(UserDocument user, ConsumeRequest request)
    {
        var priced = pricing.Price(request);
        if (priced.Value is not { } price)
        {
            return ConsumeOutcome.Refused<PreCheckResult>(priced.Refusal, priced.Problem);
        }

        var balance = ledger.GetBalance(NamesOf(user.Id).Account).Balance;
        return ConsumeOutcome.Done(new PreCheckResult(balance >= price.Coins, price.Coins, balance, Math.Max(0, price.Coins - balance)));
    }

    /// <summary>Charges a valid request once per idempotency key; a replay answers the first charge again.</summary>
    public async Task<ConsumeOutcome<ConsumeResult>> ConsumeAsync(UserDocument user, ConsumeRequest request, CancellationToken cancellationToken)
    {
        var priced = pricing.Price(request);
        if (priced.Value is not { } price)
        {
            // A retry of a charge made before its plan was disabled, changed or removed still answers that charge.
            return ledger.FindClaim(NamesOf(user.Id).IdempotencyScope, request.IdempotencyKey!) is { } charged
                ? Settled(charged, request)
                : ConsumeOutcome.Refused<ConsumeResult>(priced.Refusal, priced.Problem);
        }

        var outcome = await ledger.PostAsync(ToPosting(user, price), cancellationToken);
        return outcome.Status switch
        {
            LedgerStatus.Applied or LedgerStatus.Replayed =>
                ConsumeOutcome.Done(ToResult(outcome.Entry!, replayed: outcome.Status == LedgerStatus.Replayed)),
            LedgerStatus.IdempotencyConflict => KeyReused(request),
            LedgerStatus.InsufficientBalance => ConsumeOutcome.Refused<ConsumeResult>(
                ConsumeRefusal.InsufficientBalance,
                $"insufficient balance: {price.Coins} coins required, {outcome.Balance} available"),
            _ => ConsumeOutcome.Refused<ConsumeResult>(ConsumeRefusal.NotPriceable, "the charge cannot be applied"),
        };
    }

    private static ConsumeOutcome<ConsumeResult> Settled(LedgerEntry charged, ConsumeRequest request) =>
        string.Equals(charged.IdempotencyFingerprint, request.ChargeFingerprint(), StringComparison.Ordinal)
            ? ConsumeOutcome.Done(ToResult(charged, replayed: true))
            : KeyReused(request);

    private static ConsumeOutcome<ConsumeResult> KeyReused(ConsumeRequest request) => ConsumeOutcome.Refused<ConsumeResult>(
        ConsumeRefusal.KeyReused, $"idempotencyKey '{request.IdempotencyKey}' was already used with a different request; nothing was charged");

    public static ConsumeResult ToResult(LedgerEntry entry, bool replayed) => new(
        entry.Id.ToString(CultureInfo.InvariantCulture),
        entry.IdempotencyKey ?? "",
        entry.Category ?? "",
        entry.Subject ?? "",
        entry.Details?.GetValueOrDefault(Detail.PlanId),
        -entry.Amount,
        entry.BalanceBefore,
        entry.BalanceAfter,
        entry.CreatedAt,
        replayed);

    private LedgerPosting ToPosting(UserDocument user, PricedConsumption priced)
    {
        var request = priced.Request;
        var names = NamesOf(user.Id);
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Detail.PlanId] = priced.Plan.Id,
            [Detail.Rate] = priced.Plan.Rate.ToString(CultureInfo.InvariantCulture),
        };
        AddIfSet(details, Detail.Tokens, request.Tokens);
        AddIfSet(details, Detail.DurationSeconds, request.DurationSeconds);
        AddIfSet(details, Detail.Amount, request.Amount);
        if (request.Description is not null)
        {
            details[Detail.Description] = request.Description;
        }

        return new LedgerPosting(names.Account, -priced.Coins, LedgerKind)
        {
            Idempotency = new IdempotencyClaim(names.IdempotencyScope, request.IdempotencyKey!, request.ChargeFingerprint()),
            Category = request.ConsumeType,
            Subject = request.ServiceCode,
            Reference = request.BizId,
            Details = details,
            Metadata = request.Metadata,
        };

        static void AddIfSet(Dictionary<string, string> details, string key, long? value)
        {
            if (value is { } v)
            {
                details[key] = v.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    private UserNames NamesOf(string userId) =>
        _names.GetOrAdd(userId, static id => new UserNames(AccountOf(id), "finance:consume:" + id));

    private sealed record UserNames(string Account, string IdempotencyScope);

    /// <summary>Keys of <see cref="LedgerEntry.Details"/> for consumption entries.</summary>
    public static class Detail
    {
        public const string PlanId = "planId";
        public const string Rate = "rate";
        public const string Tokens = "tokens";
        public const string DurationSeconds = "durationSeconds";
        public const string Amount = "amount";
        public const string Description = "description";
    }
}
