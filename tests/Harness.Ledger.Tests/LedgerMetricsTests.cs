using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Harness.Ledger.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harness.Ledger.Tests;

/// <summary>Every ledger in the process reports to one meter, so these run alone (no other ledger posts meanwhile).</summary>
[CollectionDefinition(nameof(LedgerMetricsCollection), DisableParallelization = true)]
public sealed class LedgerMetricsCollection;

/// <summary>The writer's figures on the <c>Harness.Ledger</c> meter, as <c>dotnet-counters</c> would read them.</summary>
[Collection(nameof(LedgerMetricsCollection))]
public sealed class LedgerMetricsTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create("ledger-metrics");
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _measured = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();

    public LedgerMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Harness.Ledger")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Record(instrument, value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Record(instrument, value));
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        TempDirectory.TryDelete(_directory);
    }

    [Fact]
    public async Task Commits_batches_postings_and_the_callers_resumption_are_measured()
    {
        using (var store = new RocksLedgerStore(Path.Combine(_directory, "ledger"), 64L << 20))
        using (var ledger = new GroupCommitLedger(store, TimeProvider.System, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance))
        {
            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => ledger.PostAsync(new LedgerPosting("acct-" + (i % 3), 10, "test-credit"))));
        }

        var batches = Measured("harness.ledger.batch.size");
        Assert.Equal(20, batches.Sum());
        Assert.Equal(batches.Count, Measured("harness.ledger.commit.duration").Count); // every batch here had something to commit
        var postings = Measured("harness.ledger.posting.duration");
        Assert.Equal(20, postings.Count);
        var resumed = Measured("harness.ledger.resume.delay");
        Assert.Equal(20, resumed.Count); // one per posting whose caller got its answer
        Assert.All(postings.Concat(resumed).Concat(Measured("harness.ledger.commit.duration")), ms => Assert.True(ms is >= 0 and < 60_000, $"{ms} ms"));
    }

    /// <summary>What <c>dotnet-counters</c> shows beside each figure: its unit and its description.</summary>
    [Fact]
    public void Each_instrument_is_published_with_its_unit_and_a_description()
    {
        var published = new ConcurrentDictionary<string, Instrument>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "Harness.Ledger")
                {
                    published[instrument.Name] = instrument;
                }
            },
        };
        listener.Start();

        Assert.Equal(
            ["harness.ledger.batch.size {posting}", "harness.ledger.commit.duration ms", "harness.ledger.posting.duration ms", "harness.ledger.resume.delay ms"],
            published.Values.Select(i => $"{i.Name} {i.Unit}").Order(StringComparer.Ordinal));
        Assert.All(published.Values, i => Assert.False(string.IsNullOrWhiteSpace(i.Description), i.Name));
    }

    private List<double> Measured(string instrument) => [.. _measured.GetValueOrDefault(instrument) ?? []];

    private void Record(Instrument instrument, double value) =>
        _measured.GetOrAdd(instrument.Name, _ => []).Add(value);
}
