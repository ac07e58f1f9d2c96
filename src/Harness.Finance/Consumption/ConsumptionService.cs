using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using Harness.Finance.Auth;
using Harness.Http;
using Harness.Ledger;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

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
public sealed class ConsumptionService(Pricing pricing, ILedger ledger, IOptions<JsonOptions> json)
{
    public const string LedgerKind = "consume";

    // The host's JSON escaping, for the consume answer's one-pass writer.
    private readonly JavaScriptEncoder? _encoder = json.Value.SerializerOptions.Encoder;

    // Each user's account and idempotency scope, named once: two concatenations per consume were
    // ~7 % of its allocations (docs/performance-history.md, round 9). One entry per user who consumed.
    private readonly ConcurrentDictionary<string, UserNames> _names = new(StringComparer.Ordinal);

    /// <summary>Coin balances live on the ledger under this account id.</summary>
    public static string AccountOf(string userId) => "coins:" + userId;

    public IResult PreCheck(UserDocument user, ConsumeRequest request)
    {
        var (priced, error, planMissing) = pricing.Price(request);
        if (priced is null)
        {
            return FinanceEnvelope.Fail(planMissing ? ApiErrorKind.NotFound : ApiErrorKind.Validation, error!);
        }

        var balance = ledger.GetBalance(NamesOf(user.Id).Account).Balance;
        return FinanceEnvelope.Ok(new PreCheckResult(balance >= priced.Coins, priced.Coins, balance, Math.Max(0, priced.Coins - balance)));
    }

    public async Task<IResult> ConsumeAsync(UserDocument user, ConsumeRequest request, CancellationToken cancellationToken)
    {
        if (FieldRules.IdempotencyKey(request.IdempotencyKey) is { } keyError)
        {
            return FinanceEnvelope.Invalid(keyError);
        }

        var (priced, error, planMissing) = pricing.Price(request);
        if (priced is null)
        {
            return FinanceEnvelope.Fail(planMissing ? ApiErrorKind.NotFound : ApiErrorKind.Validation, error!);
        }

        var outcome = await ledger.PostAsync(ToPosting(user, priced), cancellationToken);
        return outcome.Status switch
        {
            LedgerStatus.Applied or LedgerStatus.Replayed =>
                FinanceEnvelope.Ok(ToResult(outcome.Entry!, replayed: outcome.Status == LedgerStatus.Replayed), _encoder),
            LedgerStatus.IdempotencyConflict => FinanceEnvelope.Fail(
                ApiErrorKind.Conflict,
                $"idempotencyKey '{request.IdempotencyKey}' was already used with a different request; nothing was charged"),
            LedgerStatus.InsufficientBalance => FinanceEnvelope.Fail(
                ApiErrorKind.InsufficientBalance,
                $"insufficient balance: {priced.Coins} coins required, {outcome.Balance} available"),
            _ => FinanceEnvelope.Invalid("the charge cannot be applied"),
        };
    }

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
            Idempotency = new IdempotencyClaim(names.IdempotencyScope, request.IdempotencyKey!, priced.Fingerprint),
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
