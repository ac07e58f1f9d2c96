using System.Globalization;
using Harness.Load.Target;

namespace Harness.Load.Audit;

/// <summary>A user's state before the run: balance and the newest record, where this run's records start.</summary>
public sealed record UserBaseline(LoadUser User, long Balance, string? NewestRecordId);

public sealed record AuditFinding(string Kind, string Detail);

/// <summary>One user's balance before and after, with the coins and the number of records this run charged.</summary>
public sealed record UserAudit(string UserId, long BalanceBefore, long BalanceAfter, long Charged, long Records);

public sealed record AuditReport(
    IReadOnlyList<UserAudit> Users,
    long Keys,
    long AcknowledgedKeys,
    long UncertainKeys,
    long RefusedKeys,
    long ChargedRecords,
    int? LedgerAccountsChecked,
    IReadOnlyList<AuditFinding> Findings)
{
    public bool Passed => Findings.Count == 0;
}

/// <summary>
/// Proves after a run, from the target's public records API, that every acknowledged key was charged
/// exactly once (as the record it was acknowledged with), no refused key was charged, nothing the run
/// did not ask for was charged, and each balance equals its starting balance minus the charges and is
/// not negative. When an admin token is at hand it also asks the target's own ledger audit that every
/// account's balance equals the sum of its entries.
/// </summary>
public sealed class LedgerAuditor(FinanceApi api)
{
    private const int PageSize = 100;

    public async Task<IReadOnlyList<UserBaseline>> SnapshotAsync(IReadOnlyList<LoadUser> users, CancellationToken cancellationToken)
    {
        var baselines = new List<UserBaseline>();
        foreach (var user in users)
        {
            var (newest, _) = await api.RecordsAsync(user.Token, 1, 1, cancellationToken);
            baselines.Add(new UserBaseline(user, await api.BalanceAsync(user.Token, cancellationToken), newest.Count > 0 ? newest[0].RecordId : null));
        }

        return baselines;
    }

    public async Task<AuditReport> AuditAsync(IReadOnlyList<UserBaseline> baselines, ConsumeJournal journal, string? adminToken, CancellationToken cancellationToken)
    {
        var keys = journal.Snapshot();
        var perUser = new (UserAudit User, List<AuditFinding> Findings)[baselines.Count];
        // A few users at a time: reading every record of a long run is most of the audit's time.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, baselines.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var baseline = baselines[i];
                var records = await RunRecordsAsync(baseline, ct);
                var balance = await api.BalanceAsync(baseline.User.Token, ct);
                perUser[i] = (
                    new UserAudit(baseline.User.UserId, baseline.Balance, balance, records.Sum(r => r.Coins), records.Count),
                    [.. CheckUser(baseline, keys.KeysOf(baseline.User.UserId), records, balance)]);
            });
        var users = perUser.Select(u => u.User).ToList();
        var findings = perUser.SelectMany(u => u.Findings).ToList();

        int? accountsChecked = null;
        IReadOnlyList<AccountAuditView>? accounts = null;
        if (adminToken is not null)
        {
            try
            {
                accounts = await api.LedgerAuditAsync(adminToken, cancellationToken);
            }
            catch (TimeoutException ex)
            {
                findings.Add(new AuditFinding("ledger audit unanswered", ex.Message));
            }
        }

        if (accounts is not null)
        {
            accountsChecked = accounts.Count;
            findings.AddRange(accounts.Where(a => !a.Consistent || a.Balance != a.EntrySum || a.Balance < 0).Select(a => new AuditFinding(
                "ledger inconsistent",
                Invariant($"account {a.AccountId}: balance {a.Balance}, sum of {a.EntryCount} entries {a.EntrySum}"))));
        }

        return new AuditReport(
            users,
            keys.Keys,
            keys.AcknowledgedKeys,
            keys.UncertainKeys,
            keys.RefusedKeys,
            users.Sum(u => u.Records),
            accountsChecked,
            findings);
    }

    /// <summary>The checks on one user, from what the runner saw and what the target recorded.</summary>
    public static IEnumerable<AuditFinding> CheckUser(UserBaseline baseline, IEnumerable<KeyHistory> sent, IReadOnlyList<ChargeRecord> records, long balanceAfter)
    {
        var userId = baseline.User.UserId;
        var charges = records.ToLookup(r => r.IdempotencyKey, StringComparer.Ordinal);
        var sentKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in sent)
        {
            sentKeys.Add(key.Key);
            var charged = charges[key.Key].ToList();
            var acked = key.AckedRecords;
            if (acked.Count > 0)
            {
                if (charged.Count != 1)
                {
                    yield return new("double charge or lost charge", Invariant($"user {userId} key {key.Key}: acknowledged, charged {charged.Count} times"));
                }
                else if (charged[0].RecordId != acked[0] || charged[0].Coins != key.AckedCoins)
                {
                    yield return new("record mismatch", Invariant($"user {userId} key {key.Key}: acknowledged as record {acked[0]} ({key.AckedCoins} coins), recorded as {charged[0].RecordId} ({charged[0].Coins} coins)"));
                }

                if (acked.Distinct(StringComparer.Ordinal).Skip(1).Any())
                {
                    yield return new("replay mismatch", Invariant($"user {userId} key {key.Key}: answers named records {string.Join(", ", acked.Distinct(StringComparer.Ordinal))}"));
                }
            }
            else if (key.Uncertain ? charged.Count > 1 : charged.Count > 0)
            {
                yield return new("unacknowledged charge", Invariant($"user {userId} key {key.Key}: never acknowledged, charged {charged.Count} times"));
            }
        }

        foreach (var stray in records.Where(r => !sentKeys.Contains(r.IdempotencyKey)))
        {
            yield return new("charge nobody asked for", Invariant($"user {userId} record {stray.RecordId} key '{stray.IdempotencyKey}' ({stray.Coins} coins) was not sent by this run"));
        }

        var expected = baseline.Balance - records.Sum(r => r.Coins);
        if (balanceAfter != expected)
        {
            yield return new("balance mismatch", Invariant($"user {userId}: balance {balanceAfter}, expected {baseline.Balance} before the run minus {baseline.Balance - expected} charged = {expected}"));
        }

        if (balanceAfter < 0)
        {
            yield return new("negative balance", Invariant($"user {userId}: balance {balanceAfter}"));
        }
    }

    /// <summary>The user's records newer than the baseline's newest, i.e. everything this run charged.</summary>
    private async Task<List<ChargeRecord>> RunRecordsAsync(UserBaseline baseline, CancellationToken cancellationToken)
    {
        var found = new List<ChargeRecord>();
        for (var page = 1; ; page++)
        {
            var (items, _) = await api.RecordsAsync(baseline.User.Token, page, PageSize, cancellationToken);
            foreach (var record in items)
            {
                if (record.RecordId == baseline.NewestRecordId)
                {
                    return found;
                }

                found.Add(record);
            }

            if (items.Count < PageSize)
            {
                return found;
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
