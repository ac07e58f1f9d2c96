using System.Text;
using Harness.Ledger.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Ledger.Tests;

/// <summary>What the ledger reads back from its store: the entry encoding it shares with the old journal, keys, purges, summaries.</summary>
public sealed class LedgerViewTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly string _directory = TempDirectory.Create("ledger-view");
    private readonly RocksLedgerStore _store;
    private GroupCommitLedger? _ledger;

    public LedgerViewTests() => _store = new RocksLedgerStore(_directory, 64L << 20);

    public void Dispose()
    {
        _ledger?.Dispose();
        _store.Dispose();
        TempDirectory.TryDelete(_directory);
    }

    [Fact]
    public void An_entry_is_encoded_byte_for_byte_as_journal_format_1_and_decoded_back()
    {
        var entry = new LedgerEntry
        {
            Id = 1_234_567_890_123,
            AccountId = "coins:user-ü",
            Amount = -42,
            BalanceBefore = long.MaxValue,
            BalanceAfter = long.MaxValue - 42,
            CreatedAt = new DateTime(2026, 11, 23, 8, 0, 0, 123, DateTimeKind.Utc),
            Kind = "consume",
            Category = "",
            Subject = null,
            Reference = new string('r', 200), // a length that takes two bytes to encode
            IdempotencyKey = "键-1",
            IdempotencyScope = "finance:consume:u",
            IdempotencyFingerprint = "TOKEN|chat||1000||",
            Details = new(StringComparer.Ordinal) { ["planId"] = "p1", ["tokens"] = "1000" },
            Metadata = null,
        };

        var bytes = new byte[LedgerEntryCodec.Measure(entry)];
        var written = LedgerEntryCodec.Write(entry, bytes);
        var decoded = LedgerEntryCodec.Read(bytes, out var consumed);

        Assert.Equal(FormatOneBytes(entry), bytes);
        Assert.Equal(bytes.Length, written);
        Assert.Equal(bytes.Length, consumed);
        Assert.Equivalent(entry, decoded, strict: true);
        Assert.Equal(DateTimeKind.Utc, decoded.CreatedAt.Kind);
        Assert.True(LedgerEntryCodec.Claims(bytes, "finance:consume:u", "键-1"));
        Assert.False(LedgerEntryCodec.Claims(bytes, "finance:consume:u", "键-2"));
        Assert.False(LedgerEntryCodec.Claims(bytes, "finance:consume:v", "键-1"));
    }

    [Fact]
    public async Task Every_key_of_thousands_is_found_again_and_replays_its_own_charge()
    {
        var ledger = Open();
        await ledger.PostAsync(new LedgerPosting("a", 1_000_000, "test-credit"));
        var first = await Task.WhenAll(Enumerable.Range(0, 5_000).Select(i => ledger.PostAsync(Debit("a", 1, $"k{i}"))));

        var again = await Task.WhenAll(Enumerable.Range(0, 5_000).Select(i => ledger.PostAsync(Debit("a", 1, $"k{i}"))));

        Assert.All(first, outcome => Assert.Equal(LedgerStatus.Applied, outcome.Status));
        Assert.All(again, outcome => Assert.Equal(LedgerStatus.Replayed, outcome.Status));
        Assert.Equal(first.Select(o => o.Entry!.Id), again.Select(o => o.Entry!.Id));
        Assert.Equal(1_000_000 - 5_000, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task Replays_read_while_new_keys_are_added_always_find_their_charge()
    {
        var ledger = Open();
        await ledger.PostAsync(new LedgerPosting("a", 1_000_000, "test-credit"));
        var acknowledged = new System.Collections.Concurrent.ConcurrentQueue<(string Key, long Id)>();
        using var stop = new CancellationTokenSource();

        var replayer = Task.Run(async () =>
        {
            var replays = 0;
            while (!stop.IsCancellationRequested)
            {
                foreach (var (key, id) in acknowledged.Take(64))
                {
                    var replay = await ledger.PostAsync(Debit("a", 1, key));
                    Assert.Equal(LedgerStatus.Replayed, replay.Status);
                    Assert.Equal(id, replay.Entry!.Id);
                    replays++;
                }
            }

            return replays;
        });
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 1_500; i++)
            {
                var outcome = await ledger.PostAsync(Debit("a", 1, $"w{worker}-{i}"));
                acknowledged.Enqueue(($"w{worker}-{i}", outcome.Entry!.Id));
            }
        })));
        await stop.CancelAsync();

        Assert.True(await replayer > 0);
        Assert.Equal(1_000_000 - 6_000, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task The_purge_of_expired_keys_keeps_the_live_ones_and_the_keys_usable()
    {
        var ledger = Open(new LedgerOptions { IdempotencyRetention = TimeSpan.FromMinutes(30) });
        await ledger.PostAsync(new LedgerPosting("a", 100, "test-credit"));
        var old = await ledger.PostAsync(Debit("a", 1, "old"));
        _clock.Advance(TimeSpan.FromMinutes(25));
        var recent = await ledger.PostAsync(Debit("a", 1, "recent"));

        _clock.Advance(TimeSpan.FromMinutes(10)); // the ten-minute purge ran at 30 minutes, when "old" expired
        Assert.Null(_store.FindClaim("test:a", "old", DateTime.MinValue)); // forgotten on disk, not only too old
        Assert.Equal(recent.Entry!.Id, _store.FindClaim("test:a", "recent", DateTime.MinValue)?.Id);
        var oldAgain = await ledger.PostAsync(Debit("a", 1, "old"));
        var recentAgain = await ledger.PostAsync(Debit("a", 1, "recent"));
        var newAgain = await ledger.PostAsync(Debit("a", 1, "old"));

        Assert.Equal(LedgerStatus.Applied, oldAgain.Status);
        Assert.NotEqual(old.Entry!.Id, oldAgain.Entry!.Id);
        Assert.Equal(LedgerStatus.Replayed, recentAgain.Status);
        Assert.Equal(recent.Entry!.Id, recentAgain.Entry!.Id);
        Assert.Equal(LedgerStatus.Replayed, newAgain.Status);
        Assert.Equal(oldAgain.Entry.Id, newAgain.Entry!.Id);
        Assert.Equal(97, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task Expired_keys_are_purged_at_start_and_then_every_ten_minutes()
    {
        var options = new LedgerOptions { IdempotencyRetention = TimeSpan.FromMinutes(30) };
        var ledger = Open(options);
        await ledger.PostAsync(new LedgerPosting("a", 100, "test-credit"));
        await ledger.PostAsync(Debit("a", 1, "at-start"));
        _clock.Advance(TimeSpan.FromMinutes(2));
        await ledger.PostAsync(Debit("a", 1, "at-two-minutes"));
        ledger.Dispose();

        // Restarted at 31 minutes: the purge on start forgets the key claimed at 0, not the one claimed at 2.
        _clock.Advance(TimeSpan.FromMinutes(29));
        Open(options);
        Assert.Null(_store.FindClaim("test:a", "at-start", DateTime.MinValue));
        Assert.NotNull(_store.FindClaim("test:a", "at-two-minutes", DateTime.MinValue));

        _clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(_store.FindClaim("test:a", "at-two-minutes", DateTime.MinValue)); // expired at 32, but the next purge is due at 41
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(_store.FindClaim("test:a", "at-two-minutes", DateTime.MinValue));
        Assert.Equal(3, _store.Query(new LedgerQuery(new LedgerFilter("a"), 0, 10)).Total); // the entries stay
    }

    [Fact]
    public async Task Disposing_the_ledger_waits_for_a_purge_under_way_so_its_store_may_be_closed_next()
    {
        var store = new HeldPurgeStore(_store);
        var ledger = new GroupCommitLedger(store, TimeProvider.System, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance); // purges at once, on a timer thread
        Assert.True(store.PurgeStarted.Wait(Patience), "the purge on start never ran");

        var disposed = Task.Run(ledger.Dispose, TestContext.Current.CancellationToken);

        // Closing the store under a purge would crash the process: Dispose may not return before the purge ends.
        await Task.WhenAny(disposed, Task.Delay(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken));
        Assert.False(disposed.IsCompleted, "disposed while a purge was under way");
        store.FinishPurge.Set();
        await disposed.WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.True(store.PurgeEnded);
        Assert.True(store.PurgeCancelled, "Dispose stops a purge at its next chunk rather than wait for all of it");
    }

    [Fact]
    public async Task Summaries_group_a_missing_label_with_the_empty_one_and_an_unknown_label_matches_nothing()
    {
        var ledger = Open();
        await ledger.PostAsync(new LedgerPosting("a", 100, "test-credit"));
        await ledger.PostAsync(Debit("a", 1, "k1") with { Category = "" });
        await ledger.PostAsync(Debit("a", 2, "k2"));
        await ledger.PostAsync(Debit("a", 4, "k3") with { Category = "TOKEN", Subject = "chat" });

        var totals = ledger.Summarise(new LedgerFilter("a") { Kind = "test-debit" });
        var unknown = ledger.Query(new LedgerQuery(new LedgerFilter("a") { Category = "NEVER" }, 0, 10));
        var unknownTotals = ledger.Summarise(new LedgerFilter("a") { Subject = "nothing" });

        Assert.Equal([new LedgerGroupTotal("", -3, 2), new LedgerGroupTotal("TOKEN", -4, 1)], totals.ByCategory);
        Assert.Equal([new LedgerGroupTotal("", -3, 2), new LedgerGroupTotal("chat", -4, 1)], totals.BySubject);
        Assert.Empty(unknown.Items);
        Assert.Equal(0, unknown.Total);
        Assert.Equal(0, unknownTotals.Count);
    }

    /// <summary>What journal format 1 was defined as: the entry written field by field with <see cref="BinaryWriter"/>.</summary>
    private static byte[] FormatOneBytes(LedgerEntry entry)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, new UTF8Encoding(false), leaveOpen: true))
        {
            writer.Write(entry.Id);
            writer.Write(entry.AccountId);
            writer.Write(entry.Amount);
            writer.Write(entry.BalanceBefore);
            writer.Write(entry.BalanceAfter);
            writer.Write(entry.CreatedAt.Ticks);
            writer.Write(entry.Kind);
            foreach (var text in new[] { entry.Category, entry.Subject, entry.Reference, entry.IdempotencyKey, entry.IdempotencyScope, entry.IdempotencyFingerprint })
            {
                writer.Write(text is not null);
                if (text is not null)
                {
                    writer.Write(text);
                }
            }

            foreach (var map in new[] { entry.Details, entry.Metadata })
            {
                writer.Write(map?.Count ?? -1);
                foreach (var (key, value) in map ?? [])
                {
                    writer.Write(key);
                    writer.Write(value);
                }
            }
        }

        return buffer.ToArray();
    }

    private static LedgerPosting Debit(string account, long amount, string key) =>
        new(account, -amount, "test-debit") { Idempotency = new IdempotencyClaim("test:" + account, key, amount.ToString(System.Globalization.CultureInfo.InvariantCulture)) };

    private GroupCommitLedger Open(LedgerOptions? options = null) =>
        _ledger = new GroupCommitLedger(_store, _clock, options ?? new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance);

    /// <summary>The real store, with a purge that waits until the test lets it finish.</summary>
    private sealed class HeldPurgeStore(ILedgerStore inner) : DelegatingLedgerStore(inner)
    {
        public ManualResetEventSlim PurgeStarted { get; } = new();

        public ManualResetEventSlim FinishPurge { get; } = new();

        public bool PurgeEnded { get; private set; }

        public bool PurgeCancelled { get; private set; }

        public override long ForgetClaimsBefore(DateTime cutoff, CancellationToken cancellationToken)
        {
            PurgeStarted.Set();
            FinishPurge.Wait(Patience, CancellationToken.None); // held until the test lets go, cancelled or not
            try
            {
                return base.ForgetClaimsBefore(cutoff, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                PurgeCancelled = true;
                throw;
            }
            finally
            {
                PurgeEnded = true;
            }
        }
    }
}
