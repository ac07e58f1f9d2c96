using BenchmarkDotNet.Attributes;
using Harness.Ledger;
using Harness.Ledger.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harness.Benchmarks;

/// <summary>
/// The ledger as the consume route drives it: many callers, each awaiting its own posting (one HTTP
/// request each), against a real RocksDB store (<see cref="RocksLedgerStore"/> with the default memory
/// budget, as the backend runs it). The baseline is the honest one-transaction-per-consume ledger: the
/// same engine and store doing the same work with <c>MaxBatchSize = 1</c>, so every posting pays its own
/// commit. Compare the Ratio column.
/// </summary>
[MemoryDiagnoser]
public class LedgerBenchmarks : IDisposable
{
    /// <summary>Postings per invocation of the one-commit-per-posting ledger (each one waits for its own sync).</summary>
    public const int SerialPostings = 256;

    /// <summary>Postings per invocation of the group-commit ledger.</summary>
    public const int BatchedPostings = 8192;

    private readonly List<(RocksLedgerStore Store, GroupCommitLedger Ledger)> _opened = [];
    private string _directory = "";
    private GroupCommitLedger _serial = null!;
    private GroupCommitLedger _batched = null!;
    private long _next;

    /// <summary>Callers with a posting in flight, like concurrent HTTP requests.</summary>
    [Params(64, 256)]
    public int Callers { get; set; }

    /// <summary>Fresh stores every iteration, so both ledgers are measured on a store of the same size.</summary>
    [IterationSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "harness-benchmarks", Guid.NewGuid().ToString("N"));
        _serial = Open("serial-ledger", maxBatchSize: 1);
        _batched = Open("batched-ledger", new LedgerOptions().MaxBatchSize);
    }

    [IterationCleanup]
    public void Dispose()
    {
        foreach (var (store, ledger) in _opened)
        {
            ledger.Dispose();
            store.Dispose();
        }

        _opened.Clear();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = SerialPostings)]
    public Task OneCommitPerConsume() => Consume(_serial, SerialPostings);

    [Benchmark(OperationsPerInvoke = BatchedPostings)]
    public Task GroupCommit() => Consume(_batched, BatchedPostings);

    /// <summary>The posting <c>ConsumptionService</c> builds for a TOKEN consume.</summary>
    public static LedgerPosting ConsumePosting(int caller, long sequence) => new(AccountOf(caller), -2, "consume")
    {
        Idempotency = new IdempotencyClaim("finance:consume:user" + caller, "bench-" + sequence, "TOKEN|agent-chat||1000||"),
        Category = "TOKEN",
        Subject = "agent-chat",
        Details = new Dictionary<string, string>(StringComparer.Ordinal) { ["planId"] = "agent-chat-basic", ["rate"] = "2", ["tokens"] = "1000" },
    };

    private static string AccountOf(int caller) => "coins:user" + caller;

    /// <summary>Each caller posts its share one after another, awaiting each answer, on its own account.</summary>
    private Task Consume(GroupCommitLedger ledger, int postings) => Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
    {
        for (var i = 0; i < postings / Callers; i++)
        {
            var outcome = await ledger.PostAsync(ConsumePosting(caller, Interlocked.Increment(ref _next)));
            if (outcome.Status != LedgerStatus.Applied)
            {
                throw new InvalidOperationException($"Posting was {outcome.Status}.");
            }
        }
    })));

    private GroupCommitLedger Open(string name, int maxBatchSize)
    {
        var options = new LedgerOptions { MaxBatchSize = maxBatchSize };
        var store = new RocksLedgerStore(Path.Combine(_directory, name), options.MemoryBudget);
        var ledger = new GroupCommitLedger(store, TimeProvider.System, options, NullLogger<GroupCommitLedger>.Instance);
        _opened.Add((store, ledger));
        for (var account = 0; account < Callers; account++)
        {
            ledger.PostAsync(new LedgerPosting(AccountOf(account), 1_000_000_000, "adjust")).GetAwaiter().GetResult();
        }

        return ledger;
    }
}
