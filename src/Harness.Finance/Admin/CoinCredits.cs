using System.Globalization;
using Harness.Finance.Auth;
using Harness.Finance.Consumption;
using Harness.Ledger;

namespace Harness.Finance.Admin;

public enum CreditRefusal
{
    None,
    UnknownUser,
    KeyReused,
    OverLimit,
}

public sealed record CreditOutcome(CreditResult? Result, CreditRefusal Refusal, string Problem);

/// <summary>An operator's coin credit: one ledger posting, idempotent per user and key.</summary>
public sealed class CoinCredits(UserDirectory users, ILedger ledger)
{
    public const string LedgerKind = "adjust";

    /// <summary>Credits a valid request once; a replay of its key answers the first credit again.</summary>
    public async Task<CreditOutcome> CreditAsync(CreditRequest request, CancellationToken cancellationToken)
    {
        if (users.Find(request.UserId!) is null)
        {
            return new CreditOutcome(null, CreditRefusal.UnknownUser, $"user '{request.UserId}' not found");
        }

        var amount = request.Amount!.Value;
        var outcome = await ledger.PostAsync(
            new LedgerPosting(ConsumptionService.AccountOf(request.UserId!), amount, LedgerKind)
            {
                Idempotency = new IdempotencyClaim("finance:credit:" + request.UserId, request.IdempotencyKey!, amount.ToString(CultureInfo.InvariantCulture)),
                Reference = request.Reason,
            },
            cancellationToken);
        return outcome.Status switch
        {
            LedgerStatus.Applied or LedgerStatus.Replayed => new CreditOutcome(
                new CreditResult(
                    outcome.Entry!.Id.ToString(CultureInfo.InvariantCulture),
                    request.UserId!,
                    outcome.Entry.Amount,
                    outcome.Entry.BalanceBefore,
                    outcome.Entry.BalanceAfter,
                    outcome.Entry.CreatedAt,
                    outcome.Status == LedgerStatus.Replayed),
                CreditRefusal.None,
                ""),
            LedgerStatus.IdempotencyConflict => new CreditOutcome(null, CreditRefusal.KeyReused, $"idempotencyKey '{request.IdempotencyKey}' was already used with a different amount"),
            _ => new CreditOutcome(null, CreditRefusal.OverLimit, "the credit would take the balance above its limit"),
        };
    }
}
