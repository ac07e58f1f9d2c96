using Harness.Ledger.Store;

namespace Harness.Ledger.Tests;

/// <summary>
/// The RocksDB store on its own: records newest first with their filters and pages, summaries, keys
/// of any text kept apart, idempotency claims and their purge, the audit's view, and what a reopened
/// store starts from.
/// </summary>
public sealed class RocksLedgerStoreTests : IDisposable
{
    private const long Budget = 64L << 20;
    private static readonly DateTime Start = new(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc);

    private readonly string _directory = TempDirectory.Create("rocks-store");
    private readonly Dictionary<string, long> _balances = new(StringComparer.Ordinal);
    private RocksLedgerStore _store;
    private long _lastId;

    public RocksLedgerStoreTests()
    {
        _store = new RocksLedgerStore(_directory, Budget);
        _store.Load();
    }

    public void Dispose()
    {
        _store.Dispose();
        TempDirectory.TryDelete(_directory);
    }

    [Fact]
    public void A_query_lists_the_accounts_entries_newest_first()
    {
        AddHistory();

        var page = _store.Query(new LedgerQuery(new LedgerFilter("a"), 0, 10));

        Assert.Equal([6L, 5, 4, 2, 1], page.Items.Select(e => e.Id));
        Assert.Equal(5, page.Total);
    }

    [Theory]
    [InlineData(0, 2, new long[] { 6, 5 })]
    [InlineData(2, 2, new long[] { 4, 2 })]
    [InlineData(4, 2, new long[] { 1 })]
    [InlineData(5, 2, new long[0])]
    [InlineData(7, 2, new long[0])] // beyond the end
    [InlineData(1, 0, new long[0])]
    [InlineData(0, int.MaxValue, new long[] { 6, 5, 4, 2, 1 })] // "everything" needs no room made for it up front
    public void An_unfiltered_page_skips_the_newest_entries_takes_at_most_its_size_and_counts_them_all(int skip, int take, long[] ids)
    {
        AddHistory();

        var page = _store.Query(new LedgerQuery(new LedgerFilter("a"), skip, take));

        Assert.Equal(ids, page.Items.Select(e => e.Id));
        Assert.Equal(5, page.Total);
    }

    [Theory]
    [InlineData(0, 2, new long[] { 6, 5 })]
    [InlineData(3, 2, new long[] { 1 })]
    [InlineData(4, 2, new long[0])] // beyond the end
    public void A_filtered_page_skips_and_takes_among_the_matching_entries_only(int skip, int take, long[] ids)
    {
        AddHistory();

        var page = _store.Query(new LedgerQuery(new LedgerFilter("a") { Kind = "consume" }, skip, take));

        Assert.Equal(ids, page.Items.Select(e => e.Id));
        Assert.Equal(4, page.Total);
    }

    [Fact]
    public void Each_label_filters_on_its_own()
    {
        AddHistory();

        Assert.Equal([6L, 5, 2, 1], Ids(new LedgerFilter("a") { Kind = "consume" }));
        Assert.Equal([6L, 5, 1], Ids(new LedgerFilter("a") { Category = "TOKEN" }));
        Assert.Equal([5L, 2], Ids(new LedgerFilter("a") { Subject = "voice" }));
        Assert.Equal([6L, 1], Ids(new LedgerFilter("a") { Category = "TOKEN", Subject = "chat" }));
        Assert.Empty(Ids(new LedgerFilter("a") { Kind = "recharge", Category = "TOKEN" }));
        Assert.Empty(Ids(new LedgerFilter("nobody")));
        Assert.Equal(0, _store.Query(new LedgerQuery(new LedgerFilter("nobody"), 0, 10)).Total);
    }

    [Fact]
    public void A_time_range_includes_its_start_and_excludes_its_end()
    {
        AddHistory();

        Assert.Equal([5L, 4, 2], Ids(new LedgerFilter("a") { From = Start.AddMinutes(1), To = Start.AddMinutes(4) }));
        Assert.Equal([6L, 5], Ids(new LedgerFilter("a") { From = Start.AddMinutes(3) }));
        Assert.Equal([1L], Ids(new LedgerFilter("a") { To = Start.AddMinutes(1) }));
        Assert.Empty(Ids(new LedgerFilter("a") { From = Start.AddMinutes(2), To = Start.AddMinutes(2) }));
    }

    [Fact]
    public void A_summary_sums_and_counts_the_filtered_entries_by_category_and_by_subject()
    {
        AddHistory();

        var totals = _store.Summarise(new LedgerFilter("a") { Kind = "consume" });

        Assert.Equal(-15, totals.Amount);
        Assert.Equal(4, totals.Count);
        Assert.Equal([new LedgerGroupTotal("DURATION", -2, 1), new LedgerGroupTotal("TOKEN", -13, 3)], totals.ByCategory);
        Assert.Equal([new LedgerGroupTotal("chat", -9, 2), new LedgerGroupTotal("voice", -6, 2)], totals.BySubject);
    }

    [Fact]
    public void A_summary_groups_a_missing_label_with_the_empty_one_and_counts_only_its_time_range()
    {
        AddHistory();
        Commit(Entry(7, "a", -16, "consume", "", "", minute: 2));

        var totals = _store.Summarise(new LedgerFilter("a") { From = Start.AddMinutes(1), To = Start.AddMinutes(3) });

        Assert.Equal(82, totals.Amount);
        Assert.Equal(3, totals.Count);
        Assert.Equal([new LedgerGroupTotal("", 84, 2), new LedgerGroupTotal("DURATION", -2, 1)], totals.ByCategory);
        Assert.Equal([new LedgerGroupTotal("", 84, 2), new LedgerGroupTotal("voice", -2, 1)], totals.BySubject);
        var nobody = _store.Summarise(new LedgerFilter("nobody"));
        Assert.Equal((0L, 0L), (nobody.Amount, nobody.Count));
        Assert.Empty(nobody.ByCategory);
        Assert.Empty(nobody.BySubject);
    }

    [Fact]
    public void An_entry_of_several_megabytes_is_kept_whole()
    {
        var large = Entry(1, "a", 5, "credit", null, null, minute: 0);
        large.Metadata = new(StringComparer.Ordinal) { ["blob"] = new string('x', 3 << 20) };
        Commit(large);
        Commit(Entry(2, "a", -1, "consume", null, null, minute: 1));

        var page = _store.Query(new LedgerQuery(new LedgerFilter("a"), 0, 2));

        Assert.Equal([2L, 1], page.Items.Select(e => e.Id));
        Assert.Equivalent(large, page.Items[1], strict: true);
    }

    [Fact]
    public void Accounts_whose_names_are_prefixes_of_each_other_or_hold_odd_text_see_only_their_own_entries()
    {
        string[] accounts = ["a", "ab", "a\0", "a\0b", "\0", "账户-ü", "账户", new string('a', 200), new string('a', 201), "a\uFFFF"];
        for (var i = 0; i < accounts.Length; i++)
        {
            // Account i gets i + 1 entries of 1, 2, 3… so every count and sum tells the accounts apart.
            Commit([.. Enumerable.Range(1, i + 1).Select(n => Entry(0, accounts[i], n, "credit", accounts[i], null, minute: n))]);
        }

        Reopen();

        for (var i = 0; i < accounts.Length; i++)
        {
            var entries = _store.Query(new LedgerQuery(new LedgerFilter(accounts[i]), 0, 100));
            var filtered = _store.Query(new LedgerQuery(new LedgerFilter(accounts[i]) { Kind = "credit" }, 0, 100));
            var totals = _store.Summarise(new LedgerFilter(accounts[i]));
            Assert.Equal(i + 1, entries.Total);
            Assert.All(entries.Items, e => Assert.Equal(accounts[i], e.AccountId));
            Assert.Equal(entries.Items.Select(e => e.Id), filtered.Items.Select(e => e.Id));
            Assert.Equal(i + 1, filtered.Total);
            Assert.Equal((i + 1) * (i + 2) / 2, totals.Amount);
            Assert.Equal([new LedgerGroupTotal(accounts[i], totals.Amount, i + 1)], totals.ByCategory);
        }

        var audit = OpenAudit();
        Assert.Equal(accounts.Order(StringComparer.Ordinal), audit.Select(a => a.AccountId).Order(StringComparer.Ordinal));
        Assert.All(audit, a => Assert.True(a.Consistent, a.ToString()));
        Assert.Equal(accounts.ToDictionary(a => a, a => _balances[a], StringComparer.Ordinal), _store.Load().Balances.ToDictionary(b => b.AccountId, b => b.Balance, StringComparer.Ordinal));
    }

    [Fact]
    public void Scopes_and_keys_that_run_into_each_other_are_different_claims()
    {
        (string Scope, string Key)[] claims = [("s", "ab"), ("sa", "b"), ("s\0", "k"), ("s", "\0k"), ("范围", "键"), ("", "k"), ("k", "")];
        for (var i = 0; i < claims.Length; i++)
        {
            Commit(Claimed(Entry(0, "a", 1, "credit", null, null, minute: 0), claims[i].Scope, claims[i].Key));
        }

        for (var i = 0; i < claims.Length; i++)
        {
            Assert.Equal(i + 1, _store.FindClaim(claims[i].Scope, claims[i].Key, DateTime.MinValue)?.Id);
        }

        Assert.Null(_store.FindClaim("s", "a", DateTime.MinValue));
        Assert.Null(_store.FindClaim("sab", "", DateTime.MinValue));
    }

    [Fact]
    public void A_key_is_found_only_when_claimed_after_the_cut_off_asked_for()
    {
        Commit(Claimed(Entry(0, "a", 1, "credit", null, null, minute: 0), "s", "k"));

        Assert.Equal(1, _store.FindClaim("s", "k", Start.AddTicks(-1))?.Id);
        Assert.Null(_store.FindClaim("s", "k", Start)); // claimed exactly at the cut-off: expired
        Assert.Null(_store.FindClaim("s", "other", DateTime.MinValue));
        Assert.Null(_store.FindClaim("t", "k", DateTime.MinValue));
    }

    [Fact]
    public void A_newer_claim_of_a_key_is_found_past_an_expired_one()
    {
        Commit(Claimed(Entry(0, "a", 1, "credit", null, null, minute: 0), "s", "k"));
        Commit(Claimed(Entry(0, "a", 1, "credit", null, null, minute: 120), "s", "k"));

        Assert.Equal(2, _store.FindClaim("s", "k", Start.AddHours(1))?.Id);
        Assert.Equal(2, _store.FindClaim("s", "k", DateTime.MinValue)?.Id);
    }

    [Fact]
    public void A_key_longer_than_256_bytes_is_found_and_told_apart_from_one_that_differs_in_its_last_byte()
    {
        var key = new string('k', 300) + "1";
        Commit(Claimed(Entry(0, "a", 1, "credit", null, null, minute: 0), "s", key));

        Assert.Equal(1, _store.FindClaim("s", key, DateTime.MinValue)?.Id);
        Assert.Null(_store.FindClaim("s", new string('k', 300) + "2", DateTime.MinValue));
    }

    [Fact]
    public void A_purge_forgets_keys_claimed_at_or_before_the_cut_off_and_keeps_their_entries_and_the_later_keys()
    {
        Commit([.. Enumerable.Range(0, 20).Select(i => Claimed(Entry(0, "a", 1, "credit", null, null, minute: 0, millisecond: i), "s", $"k{i}"))]);

        var forgotten = _store.ForgetClaimsBefore(Start.AddMilliseconds(9), CancellationToken.None);

        Assert.Equal(10, forgotten);
        for (var i = 0; i < 20; i++)
        {
            // The purge is what forgets: the look-up itself asks for no cut-off.
            Assert.Equal(i >= 10 ? i + 1L : null, _store.FindClaim("s", $"k{i}", DateTime.MinValue)?.Id);
        }

        Assert.Equal(20, _store.Query(new LedgerQuery(new LedgerFilter("a"), 0, 100)).Items.Count);
        Assert.Equal(20, _store.Query(new LedgerQuery(new LedgerFilter("a") { Kind = "credit" }, 0, 100)).Total);
        Assert.Equal(0, _store.ForgetClaimsBefore(Start.AddMilliseconds(9), CancellationToken.None)); // nothing new expired
    }

    [Fact]
    public void A_cancelled_purge_stops_before_its_next_chunk_and_the_next_purge_goes_on()
    {
        Commit([.. Enumerable.Range(0, 3_000).Select(i => Claimed(Entry(0, "a", 1, "credit", null, null, minute: 0, millisecond: i % 1000), "s", $"k{i}"))]);

        Assert.Throws<OperationCanceledException>(() => _store.ForgetClaimsBefore(Start.AddMinutes(1), new CancellationToken(canceled: true)));

        Assert.NotNull(_store.FindClaim("s", "k0", DateTime.MinValue));
        Assert.Equal(3_000, _store.ForgetClaimsBefore(Start.AddMinutes(1), CancellationToken.None));
    }

    [Fact]
    public void A_purge_of_more_keys_than_it_forgets_at_once_forgets_them_all()
    {
        Commit([.. Enumerable.Range(0, 5_000).Select(i => Claimed(Entry(0, "a", 1, "credit", null, null, minute: 0, millisecond: i % 1000), "s", $"k{i}"))]);
        Commit(Claimed(Entry(0, "a", 1, "credit", null, null, minute: 5), "s", "live"));

        Assert.Equal(5_000, _store.ForgetClaimsBefore(Start.AddMinutes(1), CancellationToken.None));

        Assert.All(Enumerable.Range(0, 5_000), i => Assert.Null(_store.FindClaim("s", $"k{i}", DateTime.MinValue)));
        Assert.Equal(5_001, _store.FindClaim("s", "live", DateTime.MinValue)?.Id);
        Assert.Equal(0, _store.ForgetClaimsBefore(Start.AddMinutes(1), CancellationToken.None));
    }

    [Fact]
    public void A_purge_keeps_a_key_claimed_again_after_it_expired_and_forgets_it_once_the_newer_claim_expires()
    {
        Commit(Claimed(Entry(0, "a", 1, "credit", null, null, minute: 0), "s", "k"));
        Commit(Claimed(Entry(0, "a", 1, "credit", null, null, minute: 120), "s", "k")); // after the first claim expired

        Assert.Equal(0, _store.ForgetClaimsBefore(Start.AddHours(1), CancellationToken.None)); // the first claim's key belongs to the newer entry now

        Assert.Equal(2, _store.FindClaim("s", "k", Start.AddHours(1))?.Id);
        Assert.Equal(0, _store.ForgetClaimsBefore(Start.AddHours(1), CancellationToken.None));
        Assert.Equal(1, _store.ForgetClaimsBefore(Start.AddHours(2), CancellationToken.None));
        Assert.Null(_store.FindClaim("s", "k", DateTime.MinValue));
        Assert.Equal([2L, 1], Ids(new LedgerFilter("a")));
    }

    [Fact]
    public void A_view_shows_the_store_as_it_was_when_opened_and_commits_after_it_are_not_counted()
    {
        Commit(Entry(0, "a", 100, "credit", null, null, minute: 0), Entry(0, "b", 7, "credit", null, null, minute: 0));

        using var view = _store.OpenView();
        Commit(Entry(0, "a", -30, "consume", null, null, minute: 1), Entry(0, "c", 1, "credit", null, null, minute: 1));

        Assert.Equal(
            [new AccountAudit("a", 100, 100, 1), new AccountAudit("b", 7, 7, 1)],
            view.Accounts().OrderBy(a => a.AccountId, StringComparer.Ordinal));
        Assert.Equal(
            [new AccountAudit("a", 70, 70, 2), new AccountAudit("b", 7, 7, 1), new AccountAudit("c", 1, 1, 1)],
            OpenAudit());
    }

    [Fact]
    public void A_view_shows_entries_of_an_account_without_a_stored_balance_as_inconsistent()
    {
        _store.Commit(new LedgerBatch([Entry(1, "x", 5, "forged", null, null, minute: 0)], []));

        var account = Assert.Single(OpenAudit());

        Assert.Equal(new AccountAudit("x", 0, 5, 1), account);
        Assert.False(account.Consistent);
    }

    [Fact]
    public void A_reopened_store_starts_from_its_balances_last_id_and_entry_count_as_committed()
    {
        var entry = Entry(1, "a", 5, "credit", null, null, minute: 0);
        entry.CreatedAt = entry.CreatedAt.AddMilliseconds(123);
        AccountBalance[] balances = [new("a", 5, entry.CreatedAt), new("c", long.MaxValue, DateTime.MaxValue), new("账户-b", 0, null)];
        _store.Commit(new LedgerBatch([entry, Entry(2, "a", 0, "credit", null, null, minute: 0)], balances));

        Reopen();
        var checkpoint = _store.Load();

        Assert.Equal(balances, checkpoint.Balances.OrderBy(b => b.AccountId, StringComparer.Ordinal));
        Assert.Equal(DateTimeKind.Utc, checkpoint.Balances.Single(b => b.AccountId == "a").UpdatedAt!.Value.Kind);
        Assert.Equal((2L, 2L), (checkpoint.LastEntryId, checkpoint.EntryCount));
        Assert.Equivalent(entry, _store.Query(new LedgerQuery(new LedgerFilter("a"), 1, 1)).Items.Single(), strict: true);
    }

    [Fact]
    public void A_commit_of_balances_alone_keeps_the_last_id_and_the_count()
    {
        Commit(Entry(0, "a", 5, "credit", null, null, minute: 0), Entry(0, "a", 5, "credit", null, null, minute: 0));

        _store.Commit(new LedgerBatch([], [new AccountBalance("b", 1, null)]));
        Reopen();

        var checkpoint = _store.Load();
        Assert.Equal((2L, 2L), (checkpoint.LastEntryId, checkpoint.EntryCount));
        Assert.Equal(new AccountBalance("b", 1, null), Assert.Single(checkpoint.Balances, b => b.AccountId == "b"));
    }

    [Fact]
    public void An_empty_store_starts_from_nothing()
    {
        var checkpoint = _store.Load();

        Assert.Empty(checkpoint.Balances);
        Assert.Equal((0L, 0L), (checkpoint.LastEntryId, checkpoint.EntryCount));
        Assert.Empty(OpenAudit());
        Assert.Equal(0, _store.ForgetClaimsBefore(DateTime.MaxValue, CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData((16L << 20) - 1)]
    public void A_memory_budget_under_16_MB_is_refused(long budget)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RocksLedgerStore(Path.Combine(_directory, "small"), budget));

        Assert.Equal("memoryBudget", error.ParamName);
        Assert.False(Directory.Exists(Path.Combine(_directory, "small")));
    }

    [Fact]
    public void A_memory_budget_of_exactly_16_MB_is_enough()
    {
        using var store = new RocksLedgerStore(Path.Combine(_directory, "smallest"), 16L << 20);

        Assert.Equal(0, store.Load().EntryCount);
    }

    /// <summary>Five entries of account "a", a minute apart, and one of "b" in between.</summary>
    private void AddHistory()
    {
        Commit(Entry(1, "a", -1, "consume", "TOKEN", "chat", minute: 0));
        Commit(Entry(2, "a", -2, "consume", "DURATION", "voice", minute: 1), Entry(3, "b", -50, "consume", "TOKEN", "chat", minute: 1));
        Commit(Entry(4, "a", 100, "recharge", null, null, minute: 2));
        Commit(Entry(5, "a", -4, "consume", "TOKEN", "voice", minute: 3), Entry(6, "a", -8, "consume", "TOKEN", "chat", minute: 4));
    }

    private long[] Ids(LedgerFilter filter) => [.. _store.Query(new LedgerQuery(filter, 0, 100)).Items.Select(e => e.Id)];

    private List<AccountAudit> OpenAudit()
    {
        using var view = _store.OpenView();
        return [.. view.Accounts().OrderBy(a => a.AccountId, StringComparer.Ordinal)];
    }

    /// <summary>Commits entries as the ledger does: ids in order (0 takes the next), with every touched account's new balance.</summary>
    private void Commit(params LedgerEntry[] entries)
    {
        foreach (var entry in entries)
        {
            entry.Id = entry.Id == 0 ? _lastId + 1 : entry.Id;
            _lastId = entry.Id;
            entry.BalanceBefore = _balances.GetValueOrDefault(entry.AccountId);
            entry.BalanceAfter = _balances[entry.AccountId] = entry.BalanceBefore + entry.Amount;
        }

        var touched = entries.Select(e => e.AccountId).Distinct(StringComparer.Ordinal);
        _store.Commit(new LedgerBatch(entries, [.. touched.Select(a => new AccountBalance(a, _balances[a], entries[^1].CreatedAt))]));
    }

    [Fact]
    public void Closing_a_store_twice_is_harmless_and_what_it_held_is_there_after_reopening()
    {
        Commit(Entry(1, "a", 10, "credit", null, null, minute: 0));

        _store.Dispose();
        _store.Dispose();

        _store = new RocksLedgerStore(_directory, Budget);
        Assert.Equal((1L, 1L), (_store.Load().LastEntryId, _store.Load().EntryCount));
    }

    private void Reopen()
    {
        _store.Dispose();
        _store = new RocksLedgerStore(_directory, Budget);
        _store.Load();
    }

    private static LedgerEntry Claimed(LedgerEntry entry, string scope, string key)
    {
        entry.IdempotencyScope = scope;
        entry.IdempotencyKey = key;
        entry.IdempotencyFingerprint = "f";
        return entry;
    }

    private static LedgerEntry Entry(long id, string account, long amount, string kind, string? category, string? subject, int minute, int millisecond = 0) => new()
    {
        Id = id,
        AccountId = account,
        Amount = amount,
        Kind = kind,
        Category = category,
        Subject = subject,
        CreatedAt = Start.AddMinutes(minute).AddMilliseconds(millisecond),
    };
}
