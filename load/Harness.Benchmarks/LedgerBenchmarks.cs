using BenchmarkDotNet.Attributes;
using Harness.Core.Ledger;
using Harness.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harness.Benchmarks;

/// <summary>
/// The ledger as the consume route drives it: many callers, each awaiting its own posting (one HTTP
/// request each), against the real LiteDB file. <c>MaxBatchSize = 1</c> is the honest
/// one-transaction-per-consume baseline: same store, same work, one commit per posting.
/// </summary>
[MemoryDiagnoser]
public class LedgerBenchmarks : IDisposable
{
    /// <summary>Postings per benchmark invocation.</summary>
    public const int Postings = 1024;

    private string _directory = "";
    private LiteStore _store = null!;
    private GroupCommitLedger _ledger = null!;
    private long _next;

    /// <summary>Postings the ledger may commit in one transaction; 1 is one commit per consume.</summary>
    [Params(1, 1024)]
    public int MaxBatchSize { get; set; }

    /// <summary>Callers with a posting in flight, like concurrent HTTP requests.</summary>
    [Params(64)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "harness-benchmarks", Guid.NewGuid().ToString("N"));
        _store = new LiteStore(Path.Combine(_directory, "ledger.db"));
        _ledger = new GroupCommitLedger(new LiteLedgerStore(_store), TimeProvider.System, new LedgerOptions { MaxBatchSize = MaxBatchSize }, NullLogger<GroupCommitLedger>.Instance);
        for (var account = 0; account < Callers; account++)
        {
            _ledger.PostAsync(new LedgerPosting(AccountOf(account), 1_000_000_000, "adjust")).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _ledger.Dispose();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Idempotent consumes shaped like the Finance route's postings, each caller on its own account.</summary>
    [Benchmark(OperationsPerInvoke = Postings)]
    public Task Consume() => Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
    {
        for (var i = 0; i < Postings / Callers; i++)
        {
            var outcome = await _ledger.PostAsync(ConsumePosting(caller, Interlocked.Increment(ref _next)));
            if (outcome.Status != LedgerStatus.Applied)
            {
                throw new InvalidOperationException($"Posting was {outcome.Status}.");
            }
        }
    })));

    /// <summary>The posting <c>ConsumptionService</c> builds for a TOKEN consume.</summary>
    public static LedgerPosting ConsumePosting(int caller, long sequence) => new(AccountOf(caller), -2, "consume")
    {
        Idempotency = new IdempotencyClaim("finance:consume:user" + caller, "bench-" + sequence, "TOKEN|agent-chat||1000||"),
        Category = "TOKEN",
        Subject = "agent-chat",
        Details = new Dictionary<string, string>(StringComparer.Ordinal) { ["planId"] = "agent-chat-basic", ["rate"] = "2", ["tokens"] = "1000" },
    };

    private static string AccountOf(int caller) => "coins:user" + caller;
}
