using System.Net.Http.Json;
using System.Text.Json;
using Harness.Chaos.Reports;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Every channel the Finance surface takes payments on, played against it: a payment through the sandbox (its own
/// notification, then resent), validly signed notifications repeated, reordered, concurrent and late, and tampered,
/// stale and wrong-amount ones. Each paid order must credit its coins exactly once and nothing else may credit.
/// </summary>
public sealed class CallbackChaos(ChaosTarget target, HttpClient control)
{
    private static readonly (string Channel, string Provider)[] Channels = [("wechat", "wechatpay"), ("alipay", "alipay")];

    private static readonly Spoil[] Refusable = [Spoil.Signature, Spoil.BodyAfterSigning, Spoil.Stale];

    private readonly List<Finding> _findings = [];
    private int _sent;
    private int _spoiledSent;
    private int _spoiledRefused;

    public async Task<(CallbackFigures Figures, IReadOnlyList<Finding> Findings)> RunAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var forge = new NotificationForge(await CredentialsAsync(cancellationToken));
        long excess = 0, missing = 0;
        var phone = 13955500100;
        foreach (var (channel, provider) in Channels)
        {
            var (token, _) = await target.SignInAsync((phone++).ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
            var plans = (await target.DataAsync(HttpMethod.Get, "/api/finance/recharge/plans", null, token, cancellationToken)).EnumerateArray().ToList();
            var before = await BalanceAsync(token, cancellationToken);
            var orders = new List<JsonElement>();
            for (var i = 0; i < 4; i++)
            {
                var plan = plans[i % plans.Count].GetProperty("id").GetString();
                orders.Add(await target.DataAsync(HttpMethod.Post, "/api/finance/recharge/create", new { planId = plan, channel }, token, cancellationToken));
            }

            var (viaSandbox, reordered1, reordered2, spoiled) = (orders[0], orders[1], orders[2], orders[3]);
            await PayThroughSandboxAsync(provider, viaSandbox, token, cancellationToken);

            // Reordered, then concurrent repeats of both, then one late repeat each.
            await SendAsync(forge, channel, reordered2, Spoil.None, cancellationToken);
            await SendAsync(forge, channel, reordered1, Spoil.None, cancellationToken);
            await Task.WhenAll(Enumerable.Range(0, 16).Select(i => SendAsync(forge, channel, i % 2 == 0 ? reordered1 : reordered2, Spoil.None, cancellationToken)));
            await SendAsync(forge, channel, reordered1, Spoil.None, cancellationToken);
            await SendAsync(forge, channel, viaSandbox, Spoil.None, cancellationToken);

            foreach (var spoil in Refusable)
            {
                await SendAsync(forge, channel, spoiled, spoil, cancellationToken);
            }

            // Validly signed but for another amount: acknowledged (the channel must stop), never credited.
            using (var wrongAmount = forge.Paid(channel, OutTradeNo(spoiled), PayAmount(spoiled) + 1, Spoil.None))
            {
                await PostAsync(wrongAmount, cancellationToken);
            }

            var expected = orders.Take(3).Sum(o => o.GetProperty("totalCoins").GetInt64());
            var credited = await BalanceAsync(token, cancellationToken) - before;
            excess += Math.Max(0, credited - expected);
            missing += Math.Max(0, expected - credited);
            if (credited != expected)
            {
                _findings.Add(new Finding("callbacks", credited > expected ? "double credit" : "payment not credited", channel, $"{credited} coins credited for payments worth {expected}"));
            }

            var spoiledStatus = (await target.DataAsync(HttpMethod.Get, "/api/finance/recharge/status/" + spoiled.GetProperty("orderNo").GetString(), null, token, cancellationToken)).GetProperty("status").GetString();
            if (spoiledStatus == "PAID")
            {
                _findings.Add(new Finding("callbacks", "tampered, stale or wrong-amount notification applied", channel, $"order {OutTradeNo(spoiled)} is PAID"));
            }
        }

        var figures = new CallbackFigures(Channels.Length, _sent, _spoiledSent, _spoiledRefused, excess, missing);
        log.WriteLine($"callback chaos: {figures.Channels} channels, {figures.Sent} notifications, {figures.SpoiledRefused} of {figures.Spoiled} tampered/stale refused, {figures.ExcessCoins} coins credited twice, {figures.MissingCoins} paid coins not credited");
        return (figures, _findings);
    }

    private async Task<Dictionary<string, IReadOnlyDictionary<string, string>>> CredentialsAsync(CancellationToken cancellationToken)
    {
        var providers = await control.GetFromJsonAsync<JsonElement>("/control/providers", cancellationToken);
        return providers.EnumerateArray().ToDictionary(
            p => p.GetProperty("name").GetString()!,
            p => (IReadOnlyDictionary<string, string>)p.GetProperty("credentials").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetString() ?? ""));
    }

    /// <summary>Pays on the sandbox, waits for the order to be paid, then has the sandbox resend its notification twice.</summary>
    private async Task PayThroughSandboxAsync(string provider, JsonElement order, string token, CancellationToken cancellationToken)
    {
        var payments = await control.GetFromJsonAsync<JsonElement>($"/control/payments?provider={provider}", cancellationToken);
        var payment = payments.EnumerateArray().First(p => p.GetProperty("merchant_reference").GetString() == OutTradeNo(order)).GetProperty("id").GetString();
        using (var paid = await control.PostAsJsonAsync($"/control/payments/{payment}/pay", new { }, cancellationToken))
        {
            paid.EnsureSuccessStatusCode();
        }

        for (var waited = 0; waited < 100; waited++)
        {
            var status = await target.DataAsync(HttpMethod.Get, "/api/finance/recharge/status/" + order.GetProperty("orderNo").GetString(), null, token, cancellationToken);
            if (status.GetProperty("status").GetString() == "PAID")
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        var deliveries = await control.GetFromJsonAsync<JsonElement>($"/control/deliveries?payment_id={payment}", cancellationToken);
        foreach (var delivery in deliveries.EnumerateArray().Select(d => d.GetProperty("id").GetString()).Take(1))
        {
            for (var i = 0; i < 2; i++)
            {
                using var resent = await control.PostAsync(new Uri($"/control/deliveries/{delivery}/resend", UriKind.Relative), null, cancellationToken);
                _sent++;
            }
        }
    }

    private async Task SendAsync(NotificationForge forge, string channel, JsonElement order, Spoil spoil, CancellationToken cancellationToken)
    {
        using var request = forge.Paid(channel, OutTradeNo(order), PayAmount(order), spoil);
        var acknowledged = await PostAsync(request, cancellationToken);
        if (spoil == Spoil.None)
        {
            return;
        }

        Interlocked.Increment(ref _spoiledSent);
        if (!acknowledged)
        {
            Interlocked.Increment(ref _spoiledRefused);
        }
        else
        {
            lock (_findings)
            {
                _findings.Add(new Finding("callbacks", "accepted a " + spoil switch
                {
                    Spoil.Stale => "stale notification",
                    Spoil.Signature => "notification with a wrong signature",
                    _ => "notification changed after signing",
                }, $"POST /api/payment/notify/{channel}", $"order {OutTradeNo(order)}: acknowledged"));
            }
        }
    }

    private async Task<bool> PostAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sent);
        var channel = request.RequestUri!.OriginalString.EndsWith("wechat", StringComparison.Ordinal) ? "wechat" : "alipay";
        using var answer = await target.Http.SendAsync(request, cancellationToken);
        var body = await answer.Content.ReadAsStringAsync(cancellationToken);
        if ((int)answer.StatusCode >= 500)
        {
            lock (_findings)
            {
                _findings.Add(new Finding("callbacks", "5xx", $"POST {request.RequestUri}", $"{(int)answer.StatusCode}: {body}"));
            }
        }

        return NotificationForge.Acknowledged(channel, answer, body);
    }

    private async Task<long> BalanceAsync(string token, CancellationToken cancellationToken) =>
        (await target.DataAsync(HttpMethod.Get, "/api/finance/balance", null, token, cancellationToken)).GetProperty("balance").GetInt64();

    private static string OutTradeNo(JsonElement order) => order.GetProperty("outTradeNo").GetString()!;

    private static long PayAmount(JsonElement order) => order.GetProperty("payAmount").GetInt64();
}
