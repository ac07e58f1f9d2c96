using Harness.Chaos.Campaigns;

namespace Harness.Chaos.Tests;

/// <summary>The crash rounds' audit fails on a backend that loses acknowledged writes.</summary>
public sealed class CrashAuditTests
{
    [Fact]
    public async Task A_backend_whose_ledger_goes_back_to_the_start_of_the_round_loses_acknowledged_consumes_and_fails_the_audit()
    {
        await using var target = await ChaosTarget.StartBuiltInAsync(TestContext.Current.CancellationToken);
        var snapshot = Path.Combine(Path.GetTempPath(), "chaos-ledger-" + Guid.NewGuid().ToString("N"));
        try
        {
            // What a backend that acknowledged before its writes were durable would do after a crash:
            // come back without the round's writes.
            var rounds = new CrashRounds(
                target,
                roundStarting: data => CopyDirectory(Path.Combine(data, "harness-ledger"), snapshot),
                whileDown: data => CopyDirectory(snapshot, Path.Combine(data, "harness-ledger")));

            var (figures, findings) = await rounds.RunAsync(rounds: 1, consumers: 8, seed: 5, TextWriter.Null, TestContext.Current.CancellationToken);

            Assert.True(figures.Acknowledged > 0);
            Assert.True(figures.Lost > 0, "acknowledged consumes that came back charged anew are reported lost");
            Assert.Contains(findings, f => f.Kind == "acknowledged consume lost");
        }
        finally
        {
            Directory.Delete(snapshot, recursive: true);
        }
    }

    /// <summary>Replaces <paramref name="to"/> with a copy of <paramref name="from"/> (the store's files: its log, tables and manifest).</summary>
    private static void CopyDirectory(string from, string to)
    {
        if (Directory.Exists(to))
        {
            Directory.Delete(to, recursive: true);
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
