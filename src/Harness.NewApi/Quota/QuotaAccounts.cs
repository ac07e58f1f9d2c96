using System.Globalization;
using Harness.Ledger;

namespace Harness.NewApi.Quota;

/// <summary>
/// A New-API user's quota is a ledger account of its own (<c>newapi:user:{id}</c>, in New-API's journal): quota moves
/// only by ledger entries, each with an idempotency claim and a reference to what moved it.
/// </summary>
public sealed class QuotaAccounts(ILedger ledger)
{
    /// <summary>Upstream's <c>QuotaPerUnit</c>: quota units per 1 USD.</summary>
    public const long PerUnit = 500_000;

    /// <summary>The most quota a user can hold: the cap New-API's ledger runs with (<see cref="LedgerOptions.MaxBalance"/>).</summary>
    public const long MaxQuota = 1_000_000_000_000_000;

    public static string AccountOf(int userId) => "newapi:user:" + userId.ToString(CultureInfo.InvariantCulture);

    public long QuotaOf(int userId) => ledger.GetBalance(AccountOf(userId)).Balance;

    /// <summary>Credits <paramref name="amount"/> once per (<paramref name="scope"/>, <paramref name="key"/>); the fingerprint names who may replay it.</summary>
    public Task<LedgerOutcome> CreditAsync(int userId, long amount, string kind, string scope, string key, string fingerprint, string reference, CancellationToken cancellationToken) =>
        ledger.PostAsync(
            new LedgerPosting(AccountOf(userId), amount, kind)
            {
                Idempotency = new IdempotencyClaim(scope, key, fingerprint),
                Reference = reference,
            },
            cancellationToken);

    /// <summary>The entry of <paramref name="kind"/> on the user's account that carries <paramref name="reference"/>, if any (crash repair).</summary>
    public LedgerEntry? Find(int userId, string kind, string reference)
    {
        const int PageSize = 200;
        for (var skip = 0; ; skip += PageSize)
        {
            var page = ledger.Query(new LedgerQuery(new LedgerFilter(AccountOf(userId)) { Kind = kind }, skip, PageSize));
            if (page.Items.FirstOrDefault(e => e.Reference == reference) is { } found)
            {
                return found;
            }

            if (page.Items.Count < PageSize)
            {
                return null;
            }
        }
    }
}
