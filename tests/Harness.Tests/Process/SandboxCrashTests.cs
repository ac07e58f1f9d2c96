using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Tests.Portaly;

namespace Harness.Tests.Process;

/// <summary>
/// The provider sandbox killed with SIGKILL in the middle of a pay-and-deliver run, then restarted on its data
/// (issue #31): what it acknowledged is there, its webhooks are delivered, and none is sent again once the
/// sandbox has recorded the receiver's acknowledgement. One run (<see cref="SandboxCrashRun"/>) serves every check.
/// </summary>
public sealed class SandboxCrashTests(SandboxCrashRun run) : IClassFixture<SandboxCrashRun>
{
    [Fact]
    public void Checkouts_and_pays_acknowledged_before_a_sigkill_are_there_after_restart_with_their_webhooks_delivered()
    {
        Report();
        Assert.NotEmpty(run.Paid);
        AssertNone("acknowledged checkouts or pays lost", run.Lost);
        AssertNone("acknowledged pays without their events delivered or scheduled", run.AcknowledgedWithoutEvents);
        AssertNone("deliveries not delivered within 30 s of the restart", run.Undelivered);
        AssertNone("events and deliveries that do not match", run.Unaccounted);
    }

    /// <summary>
    /// The strict reading, "no event sent again to a receiver that acknowledged it", holds for every
    /// acknowledgement the sandbox recorded. It cannot hold for an attempt in flight at the kill: the receiver
    /// answered 200, the sandbox died before it recorded that, and it sends the event again after the restart; no
    /// sender can know of an acknowledgement it did not live to record, and receivers de-duplicate by event id.
    /// </summary>
    [Fact]
    public void No_webhook_is_sent_again_after_the_sandbox_recorded_its_acknowledgement()
    {
        Report();
        AssertNone("deliveries attempted again after a recorded acknowledgement, or failed", run.Resent);
        AssertNone("events sent twice other than the attempts in flight at the kill", run.Duplicates);
    }

    /// <summary>
    /// A pay the kill cut off before its answer: the buyer may have paid, and a paid checkout cannot be paid again,
    /// so the merchant learns of it only from its webhooks. Either the pay did not happen, or it happened whole.
    /// </summary>
    [Fact]
    public void A_pay_cut_off_by_the_kill_left_the_checkout_open_or_paid_with_its_webhooks()
    {
        Report();
        AssertNone("paid checkouts whose pay was cut off, without their events delivered or scheduled", run.CutOffWithoutEvents);
    }

    private void Report() => TestContext.Current.TestOutputHelper?.WriteLine(run.Summary);

    private void AssertNone(string what, List<string> found) =>
        Assert.True(found.Count == 0, $"{what}: {found.Count}\n  {string.Join("\n  ", found.Take(10))}\n{run.Summary}");
}

/// <summary>
/// The run: a receiver in this process answers 200 to every webhook and keeps each arrival; the sandbox, on a fresh
/// data folder, sends Stripe's webhooks there while eight workers create and pay checkouts; SIGKILL mid-flight
/// (a few hundred payments or a few seconds in), a restart on the same folder, then every finding is collected.
/// </summary>
public sealed class SandboxCrashRun : IAsyncLifetime
{
    private const int Workers = 8;
    private const int PaidBeforeKill = 400;
    private static readonly TimeSpan RunBeforeKill = TimeSpan.FromSeconds(4);

    /// <summary>What Stripe sends for a paid one-time checkout, in its order (CheckoutSessions.Complete).</summary>
    private static readonly string[] PaidEvents = ["checkout.session.completed", "payment_intent.succeeded"];

    private readonly string _data = TempDirectory.Create("sandbox-crash");
    private readonly ConcurrentDictionary<string, bool> _created = new();
    private readonly ConcurrentDictionary<string, bool> _paid = new();

    /// <summary>Checkouts whose pay the sandbox acknowledged as paid.</summary>
    public IReadOnlyCollection<string> Paid => [.. _paid.Keys];

    public List<string> Lost { get; } = [];

    public List<string> AcknowledgedWithoutEvents { get; } = [];

    public List<string> CutOffWithoutEvents { get; } = [];

    public List<string> Undelivered { get; } = [];

    public List<string> Resent { get; } = [];

    public List<string> Unaccounted { get; } = [];

    public List<string> Duplicates { get; } = [];

    public string Summary { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = _data;
        await using var receiver = await CallbackReceiver.StartAsync();

        // A receiver that takes a moment to answer, so the kill finds webhooks in flight: recorded here, answered 200
        // after the sandbox died. Those are the ones the restarted sandbox may send again.
        receiver.AnswerDelay = TimeSpan.FromMilliseconds(25);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        int arrivalsBeforeKill;
        DateTime killedAt;

        await using (var sandbox = await HarnessProcess.StartSandboxAsync(data, ct))
        {
            var control = Control(sandbox);
            var stripe = await StripeAsync(http, control, ct);
            using (var setting = JsonContent.Create(new Dictionary<string, string> { ["webhook_url"] = receiver.Url }))
            {
                (await http.PutAsync(new Uri(control + "/control/providers/stripe/settings"), setting, ct)).EnsureSuccessStatusCode();
            }

            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(
                async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            if (await CreateCheckoutAsync(http, stripe, ct) is not { } id)
                            {
                                continue;
                            }

                            _created[id] = true;
                            if (await PayAsync(http, control, id, ct))
                            {
                                _paid[id] = true;
                            }
                        }
                        catch (Exception ex) when (stop.IsCancellationRequested && ex is HttpRequestException or IOException)
                        {
                            return; // the sandbox is gone
                        }
                    }
                },
                ct)).ToList();

            // Kill while every worker is mid-request and webhooks are on their way.
            var deadline = DateTime.UtcNow + RunBeforeKill;
            while (_paid.Count < PaidBeforeKill && DateTime.UtcNow < deadline && !workers.Any(w => w.IsCompleted))
            {
                await Task.Delay(5, ct);
            }

            await stop.CancelAsync();
            await sandbox.KillAsync();
            killedAt = DateTime.UtcNow;
            await Task.WhenAll(workers); // a worker that failed before the kill fails the run here

            // A webhook whose body was in when the sandbox died is recorded by the receiver a moment later.
            await Task.Delay(300, ct);
            arrivalsBeforeKill = receiver.Received.Count;
        }

        await using var restarted = await HarnessProcess.StartSandboxAsync(data, ct);
        var after = Control(restarted);
        var stripeAfter = await StripeAsync(http, after, ct);
        var webhookUrl = (await GetJsonAsync(http, after + "/control/providers/stripe", ct))["settings"]?["webhook_url"]?.GetValue<string>();
        if (webhookUrl != receiver.Url)
        {
            Lost.Add($"the webhook URL setting: {webhookUrl}"); // settings are stored; without it nothing is delivered
        }

        var paidAfterRestart = new List<string>();
        foreach (var id in _created.Keys)
        {
            using var reply = await http.GetAsync(new Uri($"{after}/control/payments/{id}"), ct);
            var status = reply.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await reply.Content.ReadAsStringAsync(ct))!["status"]!.GetValue<string>() : null;
            if (status is null || (_paid.ContainsKey(id) && status != "paid") || status is not ("paid" or "open"))
            {
                Lost.Add($"checkout {id} (pay {Acknowledged(id)}): {(status is null ? $"gone, {(int)reply.StatusCode}" : status)}");
            }

            if (status == "paid")
            {
                paidAfterRestart.Add(id);
            }
        }

        // A paid checkout has Stripe's events, each delivered or still scheduled (pending with a next attempt).
        var deliveries = await DeliveriesAsync(http, after, ct);
        foreach (var id in paidAfterRestart)
        {
            var own = deliveries.GetValueOrDefault(id, []);
            if (!own.Select(d => d.EventType).SequenceEqual(PaidEvents) || own.Any(d => !(d.Status == "delivered" || (d.Status == "pending" && d.NextAttemptAt is not null))))
            {
                var session = await GetJsonAsync(http, $"{stripeAfter.BaseUrl}/v1/checkout/sessions/{id}", ct, stripeAfter.SecretKey);
                (_paid.ContainsKey(id) ? AcknowledgedWithoutEvents : CutOffWithoutEvents).Add(
                    $"paid checkout {id} (pay {Acknowledged(id)}; Stripe session {session["status"]}, payment_status {session["payment_status"]}) has deliveries "
                    + $"[{string.Join(", ", own.Select(d => $"{d.EventType} {d.Status} next {d.NextAttemptAt:O}"))}]");
            }
        }

        // The restarted sandbox sends what was still pending on its own; run-due makes it happen now.
        var waitUntil = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (deliveries.Values.SelectMany(d => d).Any(d => d.Status != "delivered") && DateTime.UtcNow < waitUntil)
        {
            (await http.PostAsync(new Uri(after + "/control/clock/run-due"), null, ct)).EnsureSuccessStatusCode();
            deliveries = await DeliveriesAsync(http, after, ct);
        }

        var all = deliveries.Values.SelectMany(d => d).ToList();
        Undelivered.AddRange(all.Where(d => d.Status != "delivered").Select(d => $"delivery {d.Id} ({d.EventType} of {d.PaymentId}) is {d.Status}"));

        // Each delivery was sent until the receiver acknowledged it, once in the sandbox's log: nothing was sent after
        // an acknowledgement the sandbox had recorded, and nothing failed (the receiver answers 200 at once).
        Resent.AddRange(all.Where(d => !(d.Attempts.Count == 1 && d.Attempts[0].Acknowledged)).Select(d =>
            $"delivery {d.Id} ({d.EventType} of {d.PaymentId}): attempts [{string.Join(", ", d.Attempts.Select(a => $"{a.At:O} {a.ResponseStatus} {a.Error}"))}]"));

        // What the receiver saw, by event id: every arrival, before the kill and after the restart.
        var arrivals = receiver.Received
            .Select((r, index) => (Id: JsonNode.Parse(r.Body)!["id"]!.GetValue<string>(), Index: index, BeforeKill: index < arrivalsBeforeKill))
            .GroupBy(a => a.Id)
            .ToDictionary(g => g.Key, g => g.ToList());
        var logged = all.ToDictionary(d => d.EventId);
        Unaccounted.AddRange(arrivals.Keys.Where(id => !logged.ContainsKey(id)).Select(id => $"event {id} arrived but is in no delivery of the sandbox's log"));
        Unaccounted.AddRange(all.Where(d => !arrivals.ContainsKey(d.EventId)).Select(d => $"{d.EventType} {d.EventId} of {d.PaymentId} never arrived"));

        // An event may arrive twice only when its attempt was in flight at the kill: once before it, and once after
        // the restart, which is the only attempt the sandbox's log holds.
        var twice = arrivals.Where(a => a.Value.Count > 1).ToList();
        var lastBeforeKill = twice.Select(a => arrivalsBeforeKill - a.Value[0].Index).DefaultIfEmpty(0).Max(); // how near the kill their first arrival was
        foreach (var (eventId, seen) in twice)
        {
            var delivery = logged.GetValueOrDefault(eventId);
            var inFlightAtKill = seen.Count == 2 && seen[0].BeforeKill && !seen[1].BeforeKill && delivery is { Attempts: [var only] } && only.At > killedAt;
            if (!inFlightAtKill)
            {
                Duplicates.Add(
                    $"event {eventId} ({delivery?.EventType} of {delivery?.PaymentId}) arrived {seen.Count} times ({string.Join(", ", seen.Select(s => s.BeforeKill ? "before the kill" : "after the restart"))}); "
                    + $"logged attempts [{string.Join(", ", delivery?.Attempts.Select(a => a.At.ToString("O")) ?? [])}], killed at {killedAt:O}");
            }
        }

        if (twice.Count > DeliveryLimits.Default.PerReceiver)
        {
            Duplicates.Add($"{twice.Count} events arrived twice, more than the {DeliveryLimits.Default.PerReceiver} attempts that can be in flight to one receiver");
        }

        Summary = $"checkouts acknowledged {_created.Count}, pays acknowledged {_paid.Count}, paid after restart {paidAfterRestart.Count} "
            + $"({CutOffWithoutEvents.Count} of them without their events); deliveries {all.Count}, arrivals {receiver.Received.Count} "
            + $"({arrivalsBeforeKill} before the kill), events arriving twice (in flight at the kill) {twice.Count}, "
            + $"first arrived among the last {lastBeforeKill} before the kill";
    }

    public ValueTask DisposeAsync()
    {
        TempDirectory.TryDelete(_data);
        return ValueTask.CompletedTask;
    }

    private string Acknowledged(string id) => _paid.ContainsKey(id) ? "acknowledged" : "not acknowledged";

    private static string Control(HarnessProcess sandbox) => sandbox.SandboxControlUrl!.ToString().TrimEnd('/');

    private static async Task<Stripe> StripeAsync(HttpClient http, string control, CancellationToken ct)
    {
        var view = await GetJsonAsync(http, control + "/control/providers/stripe", ct);
        return new Stripe(view["base_url"]!.GetValue<string>().TrimEnd('/'), view["credentials"]!["secret_key"]!.GetValue<string>());
    }

    /// <summary>A one-time checkout as a merchant creates it; its id when the sandbox acknowledged it.</summary>
    private static async Task<string?> CreateCheckoutAsync(HttpClient http, Stripe stripe, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(stripe.BaseUrl + "/v1/checkout/sessions"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", stripe.SecretKey);
        request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["mode"] = "payment",
            ["line_items[0][price]"] = "price_HarnessCredits",
            ["line_items[0][quantity]"] = "1",
            ["success_url"] = "https://example.com/ok",
        });
        using var reply = await http.SendAsync(request, ct);
        return reply.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await reply.Content.ReadAsStringAsync(ct))!["id"]!.GetValue<string>() : null;
    }

    /// <summary>The buyer pays; true when the sandbox acknowledged the payment as paid.</summary>
    private static async Task<bool> PayAsync(HttpClient http, string control, string id, CancellationToken ct)
    {
        using var reply = await http.PostAsync(new Uri($"{control}/control/payments/{id}/pay"), null, ct);
        return reply.StatusCode == HttpStatusCode.OK
            && JsonNode.Parse(await reply.Content.ReadAsStringAsync(ct))!["payment"]!["status"]!.GetValue<string>() == "paid";
    }

    /// <summary>Stripe's deliveries in the sandbox's log, by payment, oldest first.</summary>
    private static async Task<Dictionary<string, List<Delivery>>> DeliveriesAsync(HttpClient http, string control, CancellationToken ct)
    {
        var list = (await GetJsonAsync(http, control + "/control/deliveries?provider=stripe", ct)).AsArray();
        return list.Select(d => new Delivery(
                d!["id"]!.GetValue<string>(),
                d["payment_id"]!.GetValue<string>(),
                d["event_type"]!.GetValue<string>(),
                JsonNode.Parse(d["body"]!.GetValue<string>())!["id"]!.GetValue<string>(),
                d["status"]!.GetValue<string>(),
                d["next_attempt_at"]?.GetValue<DateTime>(),
                [.. d["attempts"]!.AsArray().Select(a => new Attempt(
                    a!["at"]!.GetValue<DateTime>().ToUniversalTime(), a["response_status"]?.GetValue<int>(), a["error"]?.GetValue<string>(), a["acknowledged"]!.GetValue<bool>()))]))
            .GroupBy(d => d.PaymentId)
            .ToDictionary(g => g.Key, g => g.ToList());
    }

    private static async Task<JsonNode> GetJsonAsync(HttpClient http, string url, CancellationToken ct, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url));
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var reply = await http.SendAsync(request, ct);
        return JsonNode.Parse(await reply.EnsureSuccessStatusCode().Content.ReadAsStringAsync(ct))!;
    }

    private sealed record Stripe(string BaseUrl, string SecretKey);

    private sealed record Delivery(string Id, string PaymentId, string EventType, string EventId, string Status, DateTime? NextAttemptAt, IReadOnlyList<Attempt> Attempts);

    private sealed record Attempt(DateTime At, int? ResponseStatus, string? Error, bool Acknowledged);
}
