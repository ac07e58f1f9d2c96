using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Harness.Chaos.Reports;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Consumers charge coins with fresh idempotency keys while the backend is SIGKILLed at a random
/// moment, then restarted on the same data. Every key sent is replayed afterwards: an acknowledged key
/// must answer its first charge again (nothing lost), a key in doubt is charged now or replayed, and then
/// the balance and the record count must say every key was charged exactly once.
/// </summary>
/// <param name="target">The built-in harness.</param>
/// <param name="roundStarting">Called with the data directory before each round's load (a test snapshots it).</param>
/// <param name="whileDown">Called with the data directory between the kill and the restart.</param>
public sealed class CrashRounds(ChaosTarget target, Action<string>? roundStarting = null, Action<string>? whileDown = null)
{
    private const long CoinsPerConsume = 50; // the demo plan report-export, FIXED
    private const long Credit = 100_000_000;

    private sealed record Sent(string Key, string? RecordId);

    public async Task<(CrashFigures Figures, IReadOnlyList<Finding> Findings)> RunAsync(int rounds, int consumers, int seed, TextWriter log, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var findings = new List<Finding>();
        var (admin, _) = await target.SignInAdminAsync(cancellationToken);
        var (token, userId) = await target.SignInAsync("13955500009", cancellationToken);
        await target.DataAsync(HttpMethod.Post, "/api/admin/finance/credit", new { userId, amount = Credit, idempotencyKey = $"chaos-crash-{seed}" }, admin, cancellationToken);
        var startBalance = (await target.DataAsync(HttpMethod.Get, "/api/finance/balance", null, token, cancellationToken)).GetProperty("balance").GetInt64();
        var startRecords = await RecordCountAsync(token, cancellationToken);

        long acknowledged = 0, lost = 0, inDoubt = 0, keys = 0;
        var slowestRestart = TimeSpan.Zero;
        for (var round = 1; round <= rounds; round++)
        {
            roundStarting?.Invoke(target.Process!.DataDirectory);
            var sent = new ConcurrentBag<Sent>();
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, consumers).Select(worker => ConsumeUntilKilledAsync($"crash-{seed}-{round}-{worker}", token, sent, stop.Token)).ToList();
            await Task.Delay(TimeSpan.FromMilliseconds(700 + random.Next(1500)), cancellationToken);
            var restart = await target.KillAndRestartAsync(cancellationToken, whileDown);
            await stop.CancelAsync();
            await Task.WhenAll(load);
            slowestRestart = restart > slowestRestart ? restart : slowestRestart;

            foreach (var charge in sent)
            {
                keys++;
                var (status, replayed, recordId) = await ConsumeAsync(charge.Key, token, cancellationToken);
                if (charge.RecordId is null)
                {
                    inDoubt++;
                }
                else
                {
                    acknowledged++;
                }

                if (status != HttpStatusCode.OK)
                {
                    findings.Add(new Finding("crash", "replay refused", charge.Key, $"round {round}: replay answered {(int)status}"));
                }
                else if (charge.RecordId is not null && (!replayed || recordId != charge.RecordId))
                {
                    lost++;
                    findings.Add(new Finding("crash", "acknowledged consume lost", charge.Key, $"round {round}: acknowledged as record {charge.RecordId}, after the restart {(replayed ? "record " + recordId : "charged anew")}"));
                }
            }

            log.WriteLine($"crash round {round}: {sent.Count} keys sent, {sent.Count(s => s.RecordId is not null)} acknowledged before the kill; restarted in {restart.TotalSeconds:0.0} s");
        }

        // Every key has now been answered once more: each must have been charged exactly once.
        var balance = (await target.DataAsync(HttpMethod.Get, "/api/finance/balance", null, token, cancellationToken)).GetProperty("balance").GetInt64();
        var records = await RecordCountAsync(token, cancellationToken);
        var chargedTwice = Math.Max(0, (startBalance - balance) / CoinsPerConsume - keys);
        if (balance != startBalance - keys * CoinsPerConsume || records - startRecords != keys)
        {
            findings.Add(new Finding("crash", "charged other than once", userId, $"{keys} keys: balance {startBalance} → {balance} (expected {startBalance - keys * CoinsPerConsume}), records {startRecords} → {records}"));
        }

        return (new CrashFigures(rounds, acknowledged, lost, chargedTwice, inDoubt, slowestRestart), findings);
    }

    private async Task ConsumeUntilKilledAsync(string prefix, string token, ConcurrentBag<Sent> sent, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = $"{prefix}-{i}";
            try
            {
                var (status, _, recordId) = await ConsumeAsync(key, token, stop);
                sent.Add(new Sent(key, status == HttpStatusCode.OK ? recordId : null));
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                sent.Add(new Sent(key, null)); // sent, no answer: in doubt until replayed
                return;
            }
        }
    }

    private async Task<(HttpStatusCode Status, bool Replayed, string? RecordId)> ConsumeAsync(string key, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/finance/consume")
        {
            Content = new StringContent($$"""{"idempotencyKey":"{{key}}","serviceCode":"report-export","consumeType":"FIXED"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await target.Http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, false, null);
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var data = document.RootElement.GetProperty("data");
        return (response.StatusCode, data.GetProperty("replayed").GetBoolean(), data.GetProperty("recordId").GetString());
    }

    private async Task<long> RecordCountAsync(string token, CancellationToken cancellationToken) =>
        (await target.DataAsync(HttpMethod.Post, "/api/finance/records", new { page = 1, pageSize = 1 }, token, cancellationToken)).GetProperty("total").GetInt64();
}
