using System.Net;
using Harness.Load.Audit;
using Harness.Load.Target;

namespace Harness.Load.Tests;

/// <summary>The audit's rules on one user, from what the runner was told and what the target recorded.</summary>
public sealed class LedgerAuditTests
{
    private static readonly UserBaseline Alice = new(new LoadUser("alice", "token"), 1_000, null);
    private readonly ConsumeJournal _journal = new();

    [Fact]
    public async Task Acknowledged_keys_charged_once_as_acknowledged_pass()
    {
        await Ack("k1", "r1", 3);
        await Ack("k1", "r1", 3, replayed: true);
        await Refuse("k2", HttpStatusCode.PaymentRequired);

        var findings = Check([new("r1", "k1", 3)], balanceAfter: 997);

        Assert.Empty(findings);
    }

    [Fact]
    public async Task An_acknowledged_key_charged_twice_is_a_double_charge_and_breaks_the_balance()
    {
        await Ack("k1", "r1", 3);

        var findings = Check([new("r2", "k1", 3), new("r1", "k1", 3)], balanceAfter: 994);

        Assert.Contains(findings, f => f.Kind == "double charge or lost charge" && f.Detail.Contains("charged 2 times", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Kind == "balance mismatch"); // the balance agrees with the records; the records disagree with the answers
    }

    [Fact]
    public async Task An_acknowledged_key_never_charged_is_a_lost_charge()
    {
        await Ack("k1", "r1", 3);

        Assert.Contains(Check([], balanceAfter: 1_000), f => f.Detail.Contains("charged 0 times", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_key_must_not_be_charged_but_an_unanswered_one_may_be_once()
    {
        await Refuse("refused", HttpStatusCode.PaymentRequired);
        await Assert.ThrowsAsync<HttpRequestException>(() => _journal.SendAsync("alice", "lost", 1000, () => throw new HttpRequestException("reset")));

        var findings = Check([new("r1", "refused", 2), new("r2", "lost", 2)], balanceAfter: 996);

        var finding = Assert.Single(findings);
        Assert.Equal("unacknowledged charge", finding.Kind);
        Assert.Contains("refused", finding.Detail, StringComparison.Ordinal);
        var snapshot = _journal.Snapshot();
        Assert.Equal((2L, 0L, 1L, 1L), (snapshot.Keys, snapshot.AcknowledgedKeys, snapshot.UncertainKeys, snapshot.RefusedKeys));
    }

    [Fact]
    public async Task Replays_naming_another_record_charges_nobody_asked_for_and_wrong_balances_are_found()
    {
        await Ack("k1", "r1", 3);
        await Ack("k1", "r9", 3, replayed: true);

        var findings = Check([new("r1", "k1", 3), new("r5", "someone-else", 7)], balanceAfter: -5);

        Assert.Contains(findings, f => f.Kind == "replay mismatch");
        Assert.Contains(findings, f => f.Kind == "charge nobody asked for" && f.Detail.Contains("someone-else", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Kind == "balance mismatch" && f.Detail.Contains("expected 1000 before the run minus 10 charged = 990", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Kind == "negative balance");
    }

    [Fact]
    public async Task The_journal_keeps_every_key_apart_per_user_across_growth_and_replays()
    {
        const int keys = 40_000; // several growths of the look-up table and of the slot chunks
        string[] users = ["alice", "bob", "carol"];
        for (var i = 0; i < keys; i++)
        {
            var i1 = i;
            await _journal.SendAsync(users[i % 3], $"key-{i / 3}", 1000 + i, () => Task.FromResult(new ConsumeReply(HttpStatusCode.OK, 0, $"rec-{i1}", i1 % 7, false)));
        }

        for (var i = 0; i < keys; i += 997)
        {
            var record = i == 0 ? "rec-other" : $"rec-{i}";
            await _journal.SendAsync(users[i % 3], $"key-{i / 3}", 1000 + i, () => Task.FromResult(new ConsumeReply(HttpStatusCode.OK, 0, record, i % 7, true)));
        }

        var snapshot = _journal.Snapshot();
        Assert.Equal(keys, _journal.Count);
        Assert.Equal(((long)keys, (long)keys, 0L, 0L), (snapshot.Keys, snapshot.AcknowledgedKeys, snapshot.UncertainKeys, snapshot.RefusedKeys));
        var byUser = users.ToDictionary(u => u, u => snapshot.KeysOf(u).ToList());
        Assert.All(users, u => Assert.Equal(snapshot.CountOf(u), byUser[u].Count));
        Assert.Equal(keys, byUser.Values.Sum(h => h.Count));
        for (var i = 0; i < keys; i += 331)
        {
            var history = byUser[users[i % 3]][i / 3];
            Assert.Equal((users[i % 3], $"key-{i / 3}", 1000L + i, (long)(i % 7)), (history.UserId, history.Key, history.Tokens, history.AckedCoins));
            Assert.Equal(i == 0 ? ["rec-0", "rec-other"] : [$"rec-{i}"], history.AckedRecords);
        }

        var random = new Random(1);
        var picked = _journal.PickAcknowledged(random)!;
        Assert.Equal($"rec-{int.Parse(picked.Key[4..], System.Globalization.CultureInfo.InvariantCulture) * 3 + Array.IndexOf(users, picked.UserId)}", picked.AckedRecords[0]);
    }

    private List<AuditFinding> Check(IReadOnlyList<ChargeRecord> records, long balanceAfter) =>
        [.. LedgerAuditor.CheckUser(Alice, _journal.Snapshot().KeysOf("alice"), records, balanceAfter)];

    private Task<ConsumeReply> Ack(string key, string recordId, long coins, bool replayed = false) =>
        _journal.SendAsync("alice", key, 1000, () => Task.FromResult(new ConsumeReply(HttpStatusCode.OK, 0, recordId, coins, replayed)));

    private Task<ConsumeReply> Refuse(string key, HttpStatusCode status) =>
        _journal.SendAsync("alice", key, 1000, () => Task.FromResult(new ConsumeReply(status, (int)status * 100, null, 0, false)));
}
