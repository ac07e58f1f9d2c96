using Harness.Core.Ledger;
using Harness.Core.Storage;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harness.Load.Tests.Storage;

/// <summary>
/// The ledger's idempotency records are appended (keyed by entry id) since the hot-path work; these
/// pin what that must keep: a reused expired key replays its newest charge after a restart, and keys
/// stored in the earlier layout (keyed by the key itself) still replay.
/// </summary>
public sealed class IdempotencyRecordsTests : IDisposable
{
    private const string Account = "coins:u_idem";
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);
    private readonly string _directory = TempDirectory.Create("idempotency-records");
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public void Dispose() => TempDirectory.TryDelete(_directory);

    [Fact]
    public async Task A_key_reused_after_it_expired_replays_its_newest_charge_after_a_restart()
    {
        long second;
        using (var store = new LiteStore(DataFile))
        using (var ledger = Open(store))
        {
            await ledger.PostAsync(new LedgerPosting(Account, 1_000, "adjust"), TestContext.Current.CancellationToken);
            var first = await ledger.PostAsync(Consume("k-1"), TestContext.Current.CancellationToken);
            _clock.Now += Retention * 2;
            var again = await ledger.PostAsync(Consume("k-1"), TestContext.Current.CancellationToken);

            Assert.Equal(LedgerStatus.Applied, first.Status);
            Assert.Equal(LedgerStatus.Applied, again.Status); // the first record expired: a new charge
            second = again.Entry!.Id;
        }

        using (var store = new LiteStore(DataFile))
        using (var ledger = Open(store))
        {
            var replay = await ledger.PostAsync(Consume("k-1"), TestContext.Current.CancellationToken);

            Assert.Equal(LedgerStatus.Replayed, replay.Status);
            Assert.Equal(second, replay.Entry!.Id);
            Assert.Equal(980, ledger.GetBalance(Account).Balance);
            Assert.True(ledger.Audit().Consistent);
        }
    }

    [Fact]
    public async Task Keys_stored_in_the_earlier_layout_still_replay_and_are_purged_when_expired()
    {
        long entryId;
        using (var store = new LiteStore(DataFile))
        using (var ledger = Open(store))
        {
            await ledger.PostAsync(new LedgerPosting(Account, 1_000, "adjust"), TestContext.Current.CancellationToken);
            entryId = (await ledger.PostAsync(Consume("unkeyed") with { Idempotency = null }, TestContext.Current.CancellationToken)).Entry!.Id;
            store.Database.GetCollection("idempotency_keys").Insert(new BsonDocument
            {
                ["_id"] = Claim("legacy").StoreKey,
                ["EntryId"] = entryId,
                ["Fingerprint"] = Claim("legacy").Fingerprint,
                ["ExpiresAt"] = _clock.Now.UtcDateTime + Retention,
            });
        }

        using (var store = new LiteStore(DataFile))
        {
            using (var ledger = Open(store))
            {
                var replay = await ledger.PostAsync(Consume("legacy"), TestContext.Current.CancellationToken);

                Assert.Equal(LedgerStatus.Replayed, replay.Status);
                Assert.Equal(entryId, replay.Entry!.Id);
            }

            Assert.Equal(1, new LiteLedgerStore(store).PurgeIdempotency(_clock.Now.UtcDateTime + (Retention * 2)));
        }
    }

    private string DataFile => Path.Combine(_directory, "harness.db");

    private GroupCommitLedger Open(LiteStore store) =>
        new(new LiteLedgerStore(store), _clock, new LedgerOptions { IdempotencyRetention = Retention }, NullLogger<GroupCommitLedger>.Instance);

    private static IdempotencyClaim Claim(string key) => new("finance:consume:u_idem", key, "TOKEN|agent-chat||1000||");

    private static LedgerPosting Consume(string key) => new(Account, -10, "consume") { Idempotency = Claim(key), Category = "TOKEN", Subject = "agent-chat" };

    /// <summary>A clock the test moves; its timers are the system's, which never fire within a test.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
