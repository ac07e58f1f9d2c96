using System.Collections.Concurrent;
using System.Net;
using Harness.Tests.Support;

namespace Harness.Tests.Process;

/// <summary>Money rules under concurrency and crashes, against the real process over real HTTP.</summary>
public sealed class ConcurrencyAndCrashTests
{
    private const long CoinsPerCall = 50; // report-export is FIXED at 50 coins

    [Fact]
    public async Task Two_hundred_concurrent_consumes_of_one_hundred_keys_never_overdraw_and_charge_each_key_at_most_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await HarnessProcess.StartAsync(cancellationToken: ct);
        var client = new FinanceClient(new HttpClient { BaseAddress = harness.BaseUrl });
        var (token, userId) = await client.SignIn("13700000001");
        var admin = await AdminToken(client);
        const long initial = 60 * CoinsPerCall; // covers 60 of the 100 keys
        await client.Credit(admin, userId, initial);

        var requests = Enumerable.Range(0, 100).SelectMany(i => new[] { i, i }).OrderBy(_ => Random.Shared.Next()).ToList();
        var replies = await Task.WhenAll(requests.Select(i => client.Post(
            "/api/finance/consume",
            new { idempotencyKey = $"k-{i}", serviceCode = "report-export", consumeType = "FIXED" },
            token)));

        Assert.All(replies, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.PaymentRequired, $"{(int)r.Status}: {r.Body}"));
        var charged = replies.Where(r => r.Status == HttpStatusCode.OK).GroupBy(r => r.Data.GetProperty("idempotencyKey").GetString()).ToList();
        Assert.Equal(60, charged.Count);
        Assert.All(charged, g => Assert.Single(g.Select(r => r.Data.GetProperty("recordId").GetString()).Distinct()));

        var records = await client.AllRecords(token);
        Assert.Equal(60, records.Count);
        Assert.Equal(records.Count, records.Select(r => r.GetProperty("idempotencyKey").GetString()).Distinct().Count());
        Assert.All(records, r => Assert.True(r.GetProperty("balanceAfter").GetInt64() >= 0));
        var balance = await client.Balance(token);
        Assert.Equal(initial - records.Sum(r => r.GetProperty("coins").GetInt64()), balance);
        Assert.Equal(0, balance);
        await AssertAuditConsistent(client, admin);
    }

    /// <summary>
    /// The second case is a soak in small: the ledger's write buffers are made tiny (a 16 MB budget
    /// gives two of 2 MB), so thousands of consumes fill them several times and the kill lands while
    /// the store moves entries from its log to sorted files and compacts them.
    /// </summary>
    [Theory]
    [InlineData(150, null)]
    [InlineData(8000, "--Harness:LedgerMemoryBudgetMb=16")]
    public async Task Consumes_acknowledged_before_a_sigkill_are_all_there_after_restart(int acknowledgements, string? option)
    {
        var ct = TestContext.Current.CancellationToken;
        var data = TempDirectory.Create("crash");
        const long initial = 1_000_000;
        var acknowledged = new ConcurrentDictionary<string, string>();
        string token;
        string[] options = option is null ? [] : [option];
        await using (var harness = await HarnessProcess.StartAsync(data, null, ct, options))
        {
            var client = new FinanceClient(new HttpClient { BaseAddress = harness.BaseUrl });
            (token, var userId) = await client.SignIn("13700000002");
            await client.Credit(await AdminToken(client), userId, initial);

            // Keep consuming from many tasks; kill the process as soon as enough acknowledgements are
            // in, while other requests are still in flight.
            using var enough = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 16).Select(w => Task.Run(
                async () =>
                {
                    for (var n = 0; !enough.IsCancellationRequested; n++)
                    {
                        var key = $"crash-{w}-{n}";
                        try
                        {
                            var reply = await client.Post("/api/finance/consume", new { idempotencyKey = key, serviceCode = "report-export", consumeType = "FIXED" }, token);
                            if (reply.Status == HttpStatusCode.OK)
                            {
                                acknowledged[key] = reply.Data.GetProperty("recordId").GetString()!;
                                if (acknowledged.Count >= acknowledgements)
                                {
                                    await enough.CancelAsync();
                                }
                            }
                        }
                        catch (HttpRequestException)
                        {
                            return; // the server is gone
                        }
                    }
                },
                ct)).ToList();
            while (acknowledged.Count < acknowledgements)
            {
                await Task.Delay(5, ct);
            }

            await harness.KillAsync();
            await Task.WhenAll(workers);
        }

        await using var restarted = await HarnessProcess.StartAsync(data, cancellationToken: ct);
        var after = new FinanceClient(new HttpClient { BaseAddress = restarted.BaseUrl });
        var records = await after.AllRecords(token); // the session survived the crash too
        var recorded = records.ToDictionary(r => r.GetProperty("idempotencyKey").GetString()!, r => r.GetProperty("recordId").GetString());
        Assert.All(acknowledged, a => Assert.Equal(a.Value, recorded.GetValueOrDefault(a.Key)));
        Assert.Equal(initial - (records.Count * CoinsPerCall), await after.Balance(token));

        var replay = (await after.Post("/api/finance/consume", new { idempotencyKey = acknowledged.Keys.First(), serviceCode = "report-export", consumeType = "FIXED" }, token)).EnsureOk();
        Assert.True(replay.Data.GetProperty("replayed").GetBoolean());
        await AssertAuditConsistent(after, await AdminToken(after));
        TempDirectory.TryDelete(data);
    }

    /// <summary>The seeded admin signs in through the SMS sandbox like anyone else.</summary>
    private static async Task<string> AdminToken(FinanceClient client) => (await client.SignIn("13800000000")).Token;

    private static async Task AssertAuditConsistent(FinanceClient client, string adminToken)
    {
        var audit = (await client.Get("/api/admin/ledger/audit", adminToken)).EnsureOk().Data;
        Assert.True(audit.GetProperty("consistent").GetBoolean(), audit.ToString());
    }
}
